/**
 * Every scheduled request appears in the history with an outcome — also when the booking
 * replica serving the load is SIGKILLed mid-run: requests in flight at the kill end `unknown`,
 * later ones are refused (`error`), none is missing. Real Redis, the real booking service.
 */
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { startNodeService, type NodeService } from '@faultline/kit/testing/node-service';
import { startRedis, type RedisServer } from '@faultline/kit/testing/redis-server';
import type { HistoryRecord } from '../src/history.js';
import { packageRoot } from '../src/paths.js';
import { runLoad } from '../src/run-load.js';
import { scenarioFrom } from './fixtures.js';

const BOOKING_ENTRY = resolve(packageRoot, '..', 'services', 'booking', 'dist', 'src', 'main.js');

let redis: RedisServer;
let booking: NodeService;

before(async () => {
  redis = await startRedis();
  booking = await startNodeService({
    entry: BOOKING_ENTRY,
    prefix: 'BOOKING',
    noTelemetry: true,
    env: {
      BOOKING_REDIS_URL: redis.url,
      // Requests take a while, so some are in flight when the replica dies.
      BOOKING_TEST_STALL_MS: '200',
      BOOKING_RATE_LIMIT_PER_SECOND: '1000',
      LOG_LEVEL: 'warn',
    },
  });
});
after(async () => {
  await booking?.stop(0);
  await redis?.stop();
});

test('SIGKILL of the booking replica mid-run: every scheduled request has a record and an outcome', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-load-'));
  const historyFile = join(dir, 'history.jsonl');
  const compiled = scenarioFrom(`name: kill-test
description: bookings while the replica dies
arrival: { executor: constant-arrival-rate, rate: 100, duration: 4s }
maxInFlight: 200
timeout: 2s
seats: { show: gala, from: 1, count: 100 }
journey:
  - { op: book, weight: 3, idempotencyKeyShare: 0.5, retries: 1 }
  - { op: read-seat, weight: 1 }
`);
  let killedAt = 0;
  const killer = setTimeout(() => {
    killedAt = Date.now();
    booking.child.kill('SIGKILL');
  }, 2000);
  const summary = await runLoad({
    scenario: 'kill-test',
    compiled,
    target: booking.url,
    historyFile,
  });
  clearTimeout(killer);
  assert.ok(killedAt > 0, 'the replica was killed during the run');

  const records = readFileSync(historyFile, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as HistoryRecord);
  assert.equal(records.length, summary.faultline.scheduled, 'one record per scheduled request');
  assert.deepEqual(
    records.map((r) => r.seq).sort((a, b) => a - b),
    Array.from({ length: records.length }, (_, i) => i),
    'every seq exactly once',
  );
  for (const r of records)
    assert.ok(['ok', 'error', 'unknown', 'dropped'].includes(r.outcome), JSON.stringify(r));

  const before = records.filter((r) => r.endedAt !== undefined && r.endedAt < killedAt);
  const afterKill = records.filter((r) => r.scheduledAt > killedAt + 100);
  assert.ok(
    before.some(
      (r) =>
        r.outcome === 'ok' &&
        r.op === 'book' &&
        r.status === 201 &&
        r.bookingId &&
        typeof r.fencingToken === 'number',
    ),
    'bookings before the kill carry booking id and fencing token',
  );
  assert.ok(afterKill.length > 0);
  assert.ok(
    afterKill.every((r) => r.outcome === 'error' || r.outcome === 'unknown'),
    `after the kill nothing succeeds: ${JSON.stringify(afterKill.find((r) => r.outcome === 'ok'))}`,
  );
  const inFlightAtKill = records.filter(
    (r) => r.startedAt !== undefined && r.startedAt < killedAt && r.endedAt! > killedAt,
  );
  assert.ok(
    inFlightAtKill.some((r) => r.outcome === 'unknown'),
    `requests in flight at the kill end unknown: ${inFlightAtKill.map((r) => r.outcome).join(',')}`,
  );
  const retried = records.filter((r) => r.idempotencyKey !== undefined && (r.attempt ?? 1) > 1);
  assert.ok(
    retried.length > 0,
    'keyed bookings were retried with their key after the network error',
  );
});
