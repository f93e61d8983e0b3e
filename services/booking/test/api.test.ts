// The rest of the API against a real Redis: cancel (fenced too) and re-book, paging, the
// per-user rate limit, and the breaker's 503 with Retry-After.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleValue } from '@faultline/kit/testing/metric-samples';
import { startRedis, type RedisServer } from '@faultline/kit/testing/redis-server';
import { call, scrape, startInProcess, type InProcessBooking } from './helpers.js';

let redisServer: RedisServer;
let svc: InProcessBooking;

const ENV = {
  BOOKING_SHOWS: 'gala:120,tiny:3',
  BOOKING_RATE_LIMIT_BURST: '3',
  BOOKING_RATE_LIMIT_PER_SECOND: '0.01',
  BOOKING_BREAKER_FAILURES: '2',
  BOOKING_BREAKER_OPEN_MS: '60000',
};

// Shared by the tests that leave the app usable; each uses seats and users of its own.
before(async () => {
  redisServer = await startRedis();
  svc = await startInProcess(redisServer.url, ENV);
});
after(async () => {
  await svc?.close();
  await redisServer?.stop();
});

interface Receipt {
  bookingId: string;
  seatId: string;
  fencingToken: number;
  status?: string;
  error?: string;
}

test('book, read, cancel, re-book: every write carries a newer fencing token', async () => {
  const first = await call<Receipt>(svc.url, 'POST', '/bookings', {
    seatId: 'tiny-1',
    userId: 'u1',
  });
  assert.equal(first.status, 201);
  assert.equal(first.headers.get('location'), `/bookings/${first.body.bookingId}`);
  assert.match(first.headers.get('server-timing') ?? '', /^lock;dur=[\d.]+, ledger;dur=[\d.]+$/);
  const seat = await call<Receipt & { status: string }>(svc.url, 'GET', '/seats/tiny-1');
  assert.equal(seat.body.status, 'booked');
  assert.equal(seat.body.bookingId, first.body.bookingId);
  const got = await call<Receipt & { status: string }>(
    svc.url,
    'GET',
    `/bookings/${first.body.bookingId}`,
  );
  assert.equal(got.body.status, 'booked');

  const cancel = `/bookings/${first.body.bookingId}/cancel`;
  const cancelled = await call<Receipt>(svc.url, 'POST', cancel);
  assert.equal(cancelled.status, 200);
  assert.equal(cancelled.body.status, 'cancelled');
  assert.ok(cancelled.body.fencingToken > first.body.fencingToken);
  assert.equal((await call(svc.url, 'POST', cancel)).status, 409);
  // Cancelled, not deleted: the booking stays readable as the seat's history.
  const history = await call<Receipt>(svc.url, 'GET', `/bookings/${first.body.bookingId}`);
  assert.equal(history.status, 200);
  assert.equal(history.body.status, 'cancelled');
  // And a DELETE, which would promise a 404 afterwards, is not offered.
  const del = await call(svc.url, 'DELETE', `/bookings/${first.body.bookingId}`);
  assert.equal(del.status, 405);
  assert.equal(del.headers.get('allow'), 'GET, HEAD');
  assert.equal((await call<Receipt>(svc.url, 'GET', '/seats/tiny-1')).body.status, 'free');

  const again = await call<Receipt>(svc.url, 'POST', '/bookings', {
    seatId: 'tiny-1',
    userId: 'u2',
  });
  assert.equal(again.status, 201);
  assert.ok(again.body.fencingToken > cancelled.body.fencingToken);
});

test('seats of a show are paged', async () => {
  const seen: string[] = [];
  let offset: number | null = 0;
  for (let pages = 0; offset !== null && pages < 10; pages++) {
    const page: {
      status: number;
      body: { seats: { seatId: string }[]; nextOffset: number | null; total: number };
    } = await call(svc.url, 'GET', `/shows/gala/seats?offset=${offset}&limit=50`);
    assert.equal(page.status, 200);
    assert.equal(page.body.total, 120);
    seen.push(...page.body.seats.map((s) => s.seatId));
    offset = page.body.nextOffset;
  }
  assert.equal(seen.length, 120);
  assert.equal(new Set(seen).size, 120);
  assert.equal(seen[0], 'gala-1');
  assert.equal(seen[119], 'gala-120');
});

test('per-user rate limit: 429 with Retry-After for one user, others unaffected', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) {
    const r = await call(svc.url, 'POST', '/bookings', {
      seatId: `gala-${10 + i}`,
      userId: 'greedy',
    });
    statuses.push(r.status);
    if (r.status === 429) {
      assert.ok(Number(r.headers.get('retry-after')) >= 1);
      assert.equal((r.body as { error: string }).error, 'rate_limited');
    }
  }
  assert.deepEqual(statuses, [201, 201, 201, 429, 429]);
  assert.equal(
    (await call(svc.url, 'POST', '/bookings', { seatId: 'gala-20', userId: 'modest' })).status,
    201,
  );
  const text = await scrape(svc.url);
  assert.equal(
    sampleValue(text, 'faultline_booking_bookings_total', { result: 'rate_limited' }),
    2,
  );
});

// Its own Redis and app: it stops Redis for good, so it must not share them with the others.
test('Redis gone: 503 with Retry-After, then the breaker opens and answers without calling Redis', async (t) => {
  const ownRedis = await startRedis();
  const own = await startInProcess(ownRedis.url, ENV);
  t.after(async () => {
    await own.close();
    await ownRedis.stop();
  });
  assert.equal((await call(own.url, 'GET', '/seats/gala-1')).status, 200, 'up before the stop');
  await ownRedis.stop();
  const answers = [];
  for (let i = 0; i < 4; i++) {
    answers.push(await call(own.url, 'GET', '/seats/gala-1'));
  }
  for (const a of answers) {
    assert.equal(a.status, 503);
    assert.ok(Number(a.headers.get('retry-after')) >= 1);
  }
  assert.equal(own.breaker.state, 'open');
  // While open, Retry-After reflects the breaker's remaining open time (60 s here).
  assert.ok(
    Number(answers[3]!.headers.get('retry-after')) > 30,
    String(answers[3]!.headers.get('retry-after')),
  );
  const text = await scrape(own.url);
  assert.ok(sampleValue(text, 'faultline_breaker_rejections_total', { breaker: 'redis' }) >= 1);
});
