// Telemetry of a real booking process: the lock acquire, ledger write and release spans reach
// an OTLP receiver inside the request's trace, carrying the fencing token; a fenced write's
// span says so; the faultline_booking_* series count what the requests did.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis, type RedisServer } from '@faultline/kit/testing/redis-server';
import { startOtlpReceiver, type OtlpReceiver } from '@faultline/kit/testing/otlp-receiver';
import { waitFor } from '@faultline/kit/testing/child-process';
import type { NodeService } from '@faultline/kit/testing/node-service';
import { sampleValue, type LabelMatch } from '@faultline/kit/testing/metric-samples';
import { call, scrape, startBooking } from './helpers.js';

let redisServer: RedisServer;
let receiver: OtlpReceiver;
let svc: NodeService;

before(async () => {
  redisServer = await startRedis();
  receiver = await startOtlpReceiver();
  svc = await startBooking(redisServer.url, {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OTEL_TRACES_SAMPLER_ARG: '1',
    OTEL_SERVICE_NAME: 'booking',
  });
});
after(async () => {
  await svc?.stop();
  await receiver?.stop();
  await redisServer?.stop();
});

test('lock, ledger and release spans carry the fencing token, in the request trace', async () => {
  const booked = await call<{ fencingToken: number }>(svc.url, 'POST', '/bookings', {
    seatId: 'gala-9',
    userId: 'traced',
  });
  assert.equal(booked.status, 201);
  const names = ['seat-lock.acquire', 'ledger.write', 'seat-lock.release'];
  const spans = await waitFor(
    () => {
      const found = names.map((n) =>
        receiver.spans.find((s) => s.name === n && s.attributes['booking.seat_id'] === 'gala-9'),
      );
      return found.every(Boolean) ? found : undefined;
    },
    'booking spans exported',
    15_000,
    50,
  );
  for (const s of spans) {
    assert.equal(s!.attributes['booking.fencing_token'], booked.body.fencingToken, s!.name);
    assert.equal(s!.service, 'booking');
  }
  assert.equal(new Set(spans.map((s) => s!.traceId)).size, 1, 'one trace');
  const server = receiver.spans.find(
    (s) => s.traceId === spans[0]!.traceId && s.parentSpanId === undefined,
  );
  assert.ok(server, 'the HTTP server span is the root');
  assert.equal(spans[1]!.attributes['booking.ledger.result'], 'accepted');
});

/** How much each series grew between two scrapes; a series missing from either is a failure. */
const grew = (before: string, after: string, name: string, labels: LabelMatch = {}) =>
  sampleValue(after, name, labels) - sampleValue(before, name, labels);

test('the domain metrics count what the requests did (before/after, not presence)', async () => {
  // Every series is initialised to 0 at start, so presence proves nothing: compare two scrapes
  // around known actions, and check that the series of things that did not happen stay put.
  const before = await scrape(svc.url);
  const key = { 'idempotency-key': 'telemetry-1' };
  const booked = await call<{ bookingId: string }>(
    svc.url,
    'POST',
    '/bookings',
    { seatId: 'gala-20', userId: 'counted' },
    key,
  );
  assert.equal(booked.status, 201);
  const replay = await call(
    svc.url,
    'POST',
    '/bookings',
    { seatId: 'gala-20', userId: 'counted' },
    key,
  );
  assert.equal(replay.status, 201);
  const taken = await call(svc.url, 'POST', '/bookings', { seatId: 'gala-20', userId: 'late' });
  assert.equal(taken.status, 409);
  const cancelled = await call(svc.url, 'POST', `/bookings/${booked.body.bookingId}/cancel`);
  assert.equal(cancelled.status, 200);
  const login = await call(svc.url, 'POST', '/sessions', { userId: 'counted' });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  assert.equal((await call(svc.url, 'GET', '/sessions/me', undefined, { cookie })).status, 200);
  const after = await scrape(svc.url);

  const p = 'faultline_booking_';
  assert.equal(grew(before, after, `${p}bookings_total`, { result: 'booked' }), 1);
  assert.equal(grew(before, after, `${p}bookings_total`, { result: 'seat_taken' }), 1);
  assert.equal(grew(before, after, `${p}bookings_total`, { result: 'fenced' }), 0);
  assert.equal(grew(before, after, `${p}idempotent_requests_total`, { result: 'replayed' }), 1);
  assert.equal(grew(before, after, `${p}cancellations_total`, { result: 'cancelled' }), 1);
  assert.equal(grew(before, after, `${p}session_lookups_total`, { result: 'hit' }), 1);
  assert.equal(grew(before, after, `${p}fencing_rejections_total`, { operation: 'book' }), 0);
  // The book, the seat-taken attempt and the cancel each took the seat lock once (the replay
  // is answered from the idempotency record, without the lock) and released it.
  const acquired = grew(before, after, `${p}lock_acquisitions_total`, { result: 'acquired' });
  assert.equal(acquired, 3);
  assert.equal(grew(before, after, `${p}lock_wait_seconds_count`, { result: 'acquired' }), 3);
  assert.equal(grew(before, after, `${p}lock_hold_seconds_count`), acquired);
  assert.equal(grew(before, after, `${p}lock_releases_total`, { result: 'released' }), acquired);
  assert.equal(sampleValue(after, 'faultline_breaker_state', { breaker: 'redis' }), 0, 'closed');
  assert.equal(
    grew(before, after, 'http_server_request_duration_seconds_count', {
      http_request_method: 'POST',
      http_route: '/bookings',
      http_response_status_code: '201',
    }),
    2,
    'the booking and its replay',
  );
});
