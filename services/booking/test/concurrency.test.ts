// Mutual exclusion under contention: 1,000 concurrent booking attempts from 1,000 users over
// 10 seats, split across two real replicas sharing one real Redis. Exactly one attempt per
// seat may win; every other answer must be a clean 409 (seat taken) or 423 (lock busy), and
// the ledger's history and state must agree.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { startRedis, type RedisServer } from '@faultline/kit/testing/redis-server';
import { waitFor } from '@faultline/kit/testing/child-process';
import type { NodeService } from '@faultline/kit/testing/node-service';
import { checkLedger } from '../src/ledger-check.js';
import { keys } from '../src/keys.js';
import { call, inspector, startBooking } from './helpers.js';

let redisServer: RedisServer;
let redis: Redis;
let replicas: NodeService[] = [];

before(async () => {
  redisServer = await startRedis();
  redis = await inspector(redisServer.url);
  replicas = await Promise.all(
    ['r1', 'r2'].map((name) =>
      startBooking(redisServer.url, {
        BOOKING_INSTANCE: name,
        BOOKING_SHOWS: 'arena:10',
        // This test is about mutual exclusion, not latency: on a loaded CI machine 1,000
        // requests at once can take Redis replies past the 1 s default and trip the breaker
        // (a correct 503, but not what is asserted here).
        BOOKING_REDIS_COMMAND_TIMEOUT_MS: '10000',
        BOOKING_BREAKER_FAILURES: '1000',
      }),
    ),
  );
});
after(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  redis?.disconnect();
  await redisServer?.stop();
});

test('1,000 concurrent attempts over 10 seats: exactly 10 bookings, the rest 409/423', async () => {
  const seats = Array.from({ length: 10 }, (_, i) => `arena-${i + 1}`);
  const answers = await Promise.all(
    Array.from({ length: 1000 }, (_, i) =>
      call<{ bookingId?: string; seatId?: string; error?: string }>(
        replicas[i % replicas.length]!.url,
        'POST',
        '/bookings',
        { seatId: seats[i % seats.length], userId: `user-${i}` },
      ),
    ),
  );
  const byStatus = new Map<number, number>();
  for (const a of answers) byStatus.set(a.status, (byStatus.get(a.status) ?? 0) + 1);
  const summary = JSON.stringify([...byStatus]);
  const wins = answers.filter((a) => a.status === 201);
  assert.equal(wins.length, 10, `exactly one win per seat: ${summary}`);
  assert.deepEqual(
    new Set(wins.map((w) => w.body.seatId)),
    new Set(seats),
    'one win on every seat',
  );
  for (const a of answers) {
    if (a.status === 201) continue;
    assert.ok(a.status === 409 || a.status === 423, `clean refusal, got ${a.status}: ${summary}`);
    assert.equal(a.body.error, a.status === 409 ? 'seat_taken' : 'seat_locked');
  }

  // The ledger agrees with the answers: each seat is held by the booking that got its 201.
  for (const w of wins) {
    const seat = await redis.hget(keys.seat(w.body.seatId!), 'bookingId');
    assert.equal(seat, w.body.bookingId);
  }
  const report = await checkLedger(redis);
  assert.deepEqual(report.violations, []);
  assert.equal(report.writes, 10, 'ten accepted writes, nothing else');
  assert.equal(report.seatsHeld, 10);
  assert.equal(report.activeBookings, 10);
  // Every lock was released (or expired): nothing is left holding a seat.
  await waitFor(async () => (await redis.keys(keys.lock('*'))).length === 0, 'locks released');
});
