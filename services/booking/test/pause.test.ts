// The paused-client scenario on real processes and a real Redis: client A takes the seat lock
// and pauses past its lease; B takes the lock and books; A wakes and writes. With fencing on,
// A's write is rejected and the seat keeps B's booking. With fencing off the same scenario
// double-books, and the safety checker says so — proof that the scenario is real.
// The pause is first the test stall (BOOKING_TEST_STALL_MS, renewal frozen), then a real
// SIGSTOP/SIGCONT of the process.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleValue } from '@faultline/kit/testing/metric-samples';
import type { Redis } from 'ioredis';
import { startRedis, type RedisServer } from '@faultline/kit/testing/redis-server';
import { waitFor } from '@faultline/kit/testing/child-process';
import type { NodeService } from '@faultline/kit/testing/node-service';
import { checkLedger } from '../src/ledger-check.js';
import { keys } from '../src/keys.js';
import { call, inspector, scrape, startBooking } from './helpers.js';

interface Receipt {
  bookingId: string;
  fencingToken: number;
  error?: string;
  holderBookingId?: string;
}

let redisServer: RedisServer;
let redis: Redis;

before(async () => {
  redisServer = await startRedis();
  redis = await inspector(redisServer.url);
});
after(async () => {
  redis?.disconnect();
  await redisServer?.stop();
});

/** Waits until replica `instance` holds the seat's lock; returns its owner id. */
function lockHeldBy(seatId: string, instance: string): Promise<string> {
  return waitFor(
    async () => {
      const owner = await redis.get(keys.lock(seatId));
      return owner?.startsWith(`${instance}:`) ? owner : undefined;
    },
    `${instance} to hold the lock on ${seatId}`,
    10_000,
    2,
  );
}

for (const fencing of ['on', 'off'] as const) {
  describe(`fencing ${fencing}`, () => {
    let stallA: NodeService;
    let sigA: NodeService;
    let b: NodeService;

    before(async () => {
      const common = { BOOKING_FENCING: fencing, BOOKING_RATE_LIMIT_BURST: '1000' };
      [stallA, sigA, b] = await Promise.all([
        // Stalls 1500 ms with renewal frozen: a "GC pause" well past its 400 ms lease.
        startBooking(redisServer.url, {
          ...common,
          BOOKING_INSTANCE: `stall-a-${fencing}`,
          BOOKING_LOCK_TTL_MS: '400',
          BOOKING_TEST_STALL_MS: '1500',
        }),
        // Stalls 500 ms, inside its 1000 ms lease: only the SIGSTOP can make it outlive the lease.
        startBooking(redisServer.url, {
          ...common,
          BOOKING_INSTANCE: `sig-a-${fencing}`,
          BOOKING_LOCK_TTL_MS: '1000',
          BOOKING_TEST_STALL_MS: '500',
        }),
        startBooking(redisServer.url, {
          ...common,
          BOOKING_INSTANCE: `b-${fencing}`,
          BOOKING_LOCK_TTL_MS: '1000',
          BOOKING_LOCK_WAIT_MS: '5000',
        }),
      ]);
    });
    after(async () => {
      await Promise.all([stallA?.stop(), sigA?.stop(), b?.stop()]);
    });

    const expectOutcome = async (
      seatId: string,
      a: NodeService,
      answerA: { status: number; body: Receipt },
      answerB: { status: number; body: Receipt },
    ) => {
      assert.equal(answerB.status, 201, `B books: ${JSON.stringify(answerB.body)}`);
      const report = await checkLedger(redis);
      const seat = await call<{ bookingId: string }>(b.url, 'GET', `/seats/${seatId}`);
      if (fencing === 'on') {
        assert.equal(
          answerA.status,
          409,
          `A's late write is refused: ${JSON.stringify(answerA.body)}`,
        );
        assert.equal(answerA.body.error, 'fenced');
        assert.equal(answerA.body.holderBookingId, answerB.body.bookingId);
        assert.equal(seat.body.bookingId, answerB.body.bookingId, "the seat holds B's booking");
        assert.deepEqual(
          report.violations.filter((v) => v.seatId === seatId),
          [],
          'no violation on this seat',
        );
        const fenced = sampleValue(
          await scrape(a.url),
          'faultline_booking_fencing_rejections_total',
          { operation: 'book' },
        );
        assert.equal(fenced, 1, 'A counted the fencing rejection');
      } else {
        assert.equal(
          answerA.status,
          201,
          `unfenced, A's late write lands: ${JSON.stringify(answerA.body)}`,
        );
        assert.ok(
          answerA.body.fencingToken < answerB.body.fencingToken,
          'A wrote with the older token',
        );
        const doubles = report.violations.filter(
          (v) => v.seatId === seatId && v.kind === 'double-booking',
        );
        assert.ok(
          doubles.length > 0,
          `the checker must catch the double booking: ${JSON.stringify(report)}`,
        );
        assert.ok(
          doubles.some(
            (v) =>
              v.bookingIds.includes(answerA.body.bookingId) &&
              v.bookingIds.includes(answerB.body.bookingId),
          ),
          JSON.stringify(doubles),
        );
      }
    };

    test('test stall past the lease', async () => {
      const seatId = fencing === 'on' ? 'gala-1' : 'gala-2';
      const answerA = call<Receipt>(stallA.url, 'POST', '/bookings', { seatId, userId: 'alice' });
      await lockHeldBy(seatId, `stall-a-${fencing}`);
      // B waits for the lock, gets it once A's lease lapses, and books while A is still stalled.
      const answerB = await call<Receipt>(b.url, 'POST', '/bookings', { seatId, userId: 'bob' });
      await expectOutcome(seatId, stallA, await answerA, answerB);
    });

    test('real SIGSTOP/SIGCONT of the lock holder', async () => {
      const seatId = fencing === 'on' ? 'gala-3' : 'gala-4';
      const answerA = call<Receipt>(sigA.url, 'POST', '/bookings', { seatId, userId: 'alice' });
      await lockHeldBy(seatId, `sig-a-${fencing}`);
      // Stop A inside its stall, i.e. after its read under the lock and before its write. (Stopped
      // earlier, A would on waking see B's booking in its read, or time out a pending command.)
      await waitFor(
        () => sigA.output().includes('"msg":"test stall"') && sigA.output().includes(seatId),
        'A to log its stall',
        10_000,
        2,
      );
      sigA.child.kill('SIGSTOP');
      try {
        assert.equal(
          await redis.hget(keys.seat(seatId), 'bookingId'),
          null,
          'A was stopped between taking the lock and writing (inside its 500 ms stall)',
        );
        // A cannot renew while stopped: the lease lapses for real.
        await waitFor(
          async () => (await redis.exists(keys.lock(seatId))) === 0,
          "A's lease to lapse while it is stopped",
          10_000,
          10,
        );
        const answerB = await call<Receipt>(b.url, 'POST', '/bookings', { seatId, userId: 'bob' });
        sigA.child.kill('SIGCONT');
        await expectOutcome(seatId, sigA, await answerA, answerB);
      } finally {
        sigA.child.kill('SIGCONT');
      }
    });
  });
}
