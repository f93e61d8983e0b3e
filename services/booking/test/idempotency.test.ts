// Idempotency-Key against a real Redis: the same key and body replays the original answer
// (201 and the same booking id) without booking again; the same key with another body is 409;
// a refusal is replayed too; after the window the key is forgotten.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleValue } from '@faultline/kit/testing/metric-samples';
import type { Redis } from 'ioredis';
import { startRedis, type RedisServer } from '@faultline/kit/testing/redis-server';
import { waitFor } from '@faultline/kit/testing/child-process';
import { checkLedger } from '../src/ledger-check.js';
import { keys } from '../src/keys.js';
import { SeatLock } from '../src/seat-lock.js';
import { call, inspector, scrape, startInProcess, type InProcessBooking } from './helpers.js';

let redisServer: RedisServer;
let redis: Redis;
let svc: InProcessBooking;

before(async () => {
  redisServer = await startRedis();
  redis = await inspector(redisServer.url);
  svc = await startInProcess(redisServer.url, { BOOKING_IDEMPOTENCY_TTL_MS: '800' });
});
after(async () => {
  await svc?.close();
  redis?.disconnect();
  await redisServer?.stop();
});

interface Receipt {
  bookingId: string;
  seatId: string;
  fencingToken: number;
  error?: string;
}

const book = (seatId: string, userId: string, key?: string) =>
  call<Receipt>(
    svc.url,
    'POST',
    '/bookings',
    { seatId, userId },
    key ? { 'idempotency-key': key } : {},
  );

test('replay: same key, same body → the original 201 and booking id, booked once', async () => {
  const first = await book('gala-1', 'alice', 'key-replay');
  assert.equal(first.status, 201);
  assert.equal(first.headers.get('idempotent-replayed'), null);
  // Key order does not make it another request.
  const again = await call<Receipt>(
    svc.url,
    'POST',
    '/bookings',
    { userId: 'alice', seatId: 'gala-1' },
    { 'idempotency-key': 'key-replay' },
  );
  assert.equal(again.status, 201);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.deepEqual(again.body, first.body);
  const report = await checkLedger(redis);
  assert.equal(report.writes, 1, 'booked once');
  // Without the key the same body is a new request, and the seat is taken.
  assert.equal((await book('gala-1', 'alice')).status, 409);
  const text = await scrape(svc.url);
  assert.equal(
    sampleValue(text, 'faultline_booking_idempotent_requests_total', { result: 'replayed' }),
    1,
  );
});

test('conflict: same key, different body → 409 naming the header, nothing booked', async () => {
  assert.equal((await book('gala-2', 'bob', 'key-conflict')).status, 201);
  const other = await book('gala-3', 'bob', 'key-conflict');
  assert.equal(other.status, 409);
  assert.equal(other.body.error, 'idempotency_key_reused');
  assert.equal(
    (other.body as unknown as { details: { path: string }[] }).details[0]?.path,
    'headers.idempotency-key',
  );
  assert.equal(await redis.hget(keys.seat('gala-3'), 'bookingId'), null, 'gala-3 untouched');
});

test('a refusal is remembered too: 409 replayed even after the seat frees up', async () => {
  const winner = await book('gala-4', 'carol');
  assert.equal(winner.status, 201);
  const refused = await book('gala-4', 'dave', 'key-refused');
  assert.equal(refused.status, 409);
  assert.equal(
    (await call(svc.url, 'POST', `/bookings/${winner.body.bookingId}/cancel`)).status,
    200,
  );
  const replay = await book('gala-4', 'dave', 'key-refused');
  assert.equal(replay.status, 409, 'the original answer, not a new attempt');
  assert.equal(replay.headers.get('idempotent-replayed'), 'true');
});

test('expiry: after the window the key is forgotten and may carry a new request', async () => {
  const first = await book('gala-5', 'erin', 'key-expiry');
  assert.equal(first.status, 201);
  await waitFor(
    async () => (await redis.exists(keys.idempotency('key-expiry'))) === 0,
    'key expiry',
    5000,
    20,
  );
  // Same body again: no replay, a real attempt, which finds the seat taken.
  const same = await book('gala-5', 'erin', 'key-expiry');
  assert.equal(same.status, 409);
  assert.equal(same.body.error, 'seat_taken');
  assert.equal(same.headers.get('idempotent-replayed'), null);
  // That answer is now remembered under the key; once it expires, a different body is fine.
  await waitFor(
    async () => (await redis.exists(keys.idempotency('key-expiry'))) === 0,
    'key expiry',
    5000,
    20,
  );
  const different = await book('gala-6', 'erin', 'key-expiry');
  assert.equal(different.status, 201, 'not 409: the old request is forgotten');
});

test('bad keys are 400 naming the header', async () => {
  for (const key of [' ', 'x'.repeat(201), 'naïve']) {
    const r = await call(
      svc.url,
      'POST',
      '/bookings',
      { seatId: 'gala-7', userId: 'f' },
      { 'idempotency-key': key },
    );
    assert.equal(r.status, 400, JSON.stringify(key));
    assert.equal(
      (r.body as { details: { path: string }[] }).details[0]?.path,
      'headers.idempotency-key',
    );
  }
});

test('a 423 (seat locked) frees the key: the same key books once the lock is gone', async () => {
  // Another holder's lock on the seat (a real grant in Redis), so the booking finds it busy.
  const other = new SeatLock(redis, 'someone-else', 5000);
  const held = await other.tryAcquire('gala-40');
  assert.ok(held);
  const busy = await book('gala-40', 'erin', 'key-busy');
  assert.equal(busy.status, 423, JSON.stringify(busy.body));
  assert.equal(busy.headers.get('retry-after'), '1');
  await other.release(held);
  // Nothing happened, so the key must not be left "in progress" (409) or replay the 423.
  const retried = await book('gala-40', 'erin', 'key-busy');
  assert.equal(retried.status, 201, JSON.stringify(retried.body));
  assert.equal(retried.headers.get('idempotent-replayed'), null);
});
