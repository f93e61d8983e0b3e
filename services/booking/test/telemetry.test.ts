// Telemetry of a real booking process: the lock acquire, ledger write and release spans reach
// an OTLP receiver inside the request's trace, carrying the fencing token; a fenced write's
// span says so; /metrics exposes the faultline_booking_* series.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis, type RedisServer } from '@faultline/kit/testing/redis-server';
import { startOtlpReceiver, type OtlpReceiver } from '@faultline/kit/testing/otlp-receiver';
import { waitFor } from '@faultline/kit/testing/child-process';
import type { NodeService } from '@faultline/kit/testing/node-service';
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

test('the domain metrics are exposed', async () => {
  const text = await scrape(svc.url);
  for (const name of [
    'faultline_booking_lock_acquisitions_total{result="acquired"}',
    'faultline_booking_lock_wait_seconds_bucket',
    'faultline_booking_lock_hold_seconds_bucket',
    'faultline_booking_lock_renewals_total{result="renewed"}',
    'faultline_booking_fencing_rejections_total{operation="book"}',
    'faultline_booking_bookings_total{result="booked"}',
    'faultline_booking_idempotent_requests_total{result="replayed"}',
    'faultline_booking_session_lookups_total{result="hit"}',
    'faultline_breaker_state{breaker="redis"}',
    'http_server_request_duration_seconds_bucket',
  ]) {
    assert.ok(text.includes(name), name);
  }
});
