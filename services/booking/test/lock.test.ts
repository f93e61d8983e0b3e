// SeatLock, LeaseKeeper and the fenced ledger against a real Redis, below the HTTP layer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { startRedis, type RedisServer } from '@faultline/kit/testing/redis-server';
import { waitFor } from '@faultline/kit/testing/child-process';
import { SeatLock } from '../src/seat-lock.js';
import { LeaseKeeper } from '../src/lease-keeper.js';
import { Ledger } from '../src/ledger.js';
import { checkLedger } from '../src/ledger-check.js';
import { keys } from '../src/keys.js';
import { inspector } from './helpers.js';

let server: RedisServer;
let redis: Redis;

before(async () => {
  server = await startRedis();
  redis = await inspector(server.url);
});
after(async () => {
  redis?.disconnect();
  await server?.stop();
});

test('one holder at a time; every grant gets a larger token', async () => {
  const a = new SeatLock(redis, 'a', 5000);
  const b = new SeatLock(redis, 'b', 5000);
  const first = await a.tryAcquire('t1-1');
  assert.ok(first);
  assert.equal(await b.tryAcquire('t1-1'), undefined, 'second acquire must fail while held');
  assert.equal(await redis.get(keys.lock('t1-1')), first.owner);
  assert.ok(await a.release(first));
  const second = await b.tryAcquire('t1-1');
  assert.ok(second);
  assert.ok(second.token > first.token, `${second.token} > ${first.token}`);
});

test('release and renew are refused to a holder whose lease expired', async () => {
  const a = new SeatLock(redis, 'a', 100);
  const b = new SeatLock(redis, 'b', 5000);
  const old = await a.tryAcquire('t2-1');
  assert.ok(old);
  await waitFor(
    async () => (await redis.exists(keys.lock('t2-1'))) === 0,
    'lease expiry',
    5000,
    10,
  );
  const fresh = await b.tryAcquire('t2-1');
  assert.ok(fresh);
  assert.equal(await a.renew(old), false, 'stale renew');
  assert.equal(await a.release(old), false, 'stale release');
  assert.equal(await redis.get(keys.lock('t2-1')), fresh.owner, "b's lock untouched");
});

test('a bounded wait gets the lock when it frees, or gives up', async () => {
  const a = new SeatLock(redis, 'a', 5000);
  const held = await a.tryAcquire('t3-1');
  assert.ok(held);
  assert.equal(await a.acquire('t3-1', { waitMs: 60, retryMs: 10 }), undefined);
  setTimeout(() => void a.release(held), 50);
  const later = await a.acquire('t3-1', { waitMs: 3000, retryMs: 10 });
  assert.ok(later, 'granted once released');
});

test('the lease keeper holds a lock past its TTL; suspended, it loses it', async () => {
  // The TTL is Redis's own clock, so no mock timers here; instead of sleeping a fixed time the
  // test waits for renewals (observable) and a TTL long enough that one late renewal on a
  // loaded machine does not lose the lease.
  const ttlMs = 600;
  const lock = new SeatLock(redis, 'k', ttlMs);
  const grant = await lock.tryAcquire('t4-1');
  assert.ok(grant);
  const grantedAt = Date.now();
  let renewed = 0;
  let lost = 0;
  const keeper = new LeaseKeeper(lock, grant, { onRenewed: () => renewed++, onLost: () => lost++ });
  await waitFor(
    () => renewed >= 3 && Date.now() - grantedAt > 2 * ttlMs,
    'three renewals and two TTLs',
    10_000,
    10,
  );
  assert.equal(await redis.get(keys.lock('t4-1')), grant.owner, 'still held after two TTLs');
  assert.equal(lost, 0);
  keeper.suspend();
  await waitFor(
    async () => (await redis.exists(keys.lock('t4-1'))) === 0,
    'expiry while suspended',
    5000,
    10,
  );
  const other = await new SeatLock(redis, 'o', 5000).tryAcquire('t4-1');
  assert.ok(other);
  keeper.resume();
  await waitFor(() => keeper.lost, 'keeper notices the loss', 5000, 10);
  keeper.stop();
  assert.equal(lost, 1);
  assert.equal(await redis.get(keys.lock('t4-1')), other.owner);
});

test('fenced ledger: a stale token is rejected even on a free seat; unfenced it double-books', async () => {
  const lock = new SeatLock(redis, 'l', 5000);
  const fenced = new Ledger(redis, true);
  const stale = await lock.tryAcquire('t5-1');
  assert.ok(stale);
  await lock.release(stale);
  const fresh = await lock.tryAcquire('t5-1');
  assert.ok(fresh);
  assert.equal((await fenced.book(fresh, 'b-fresh', 'u1')).accepted, true);
  const rejected = await fenced.book(stale, 'b-stale', 'u2');
  assert.deepEqual(rejected, {
    accepted: false,
    reason: 'stale_token',
    lastToken: fresh.token,
    holderBookingId: 'b-fresh',
  });
  // Cancelled, the seat is free again; the stale holder is still refused: the token decides.
  await lock.release(fresh);
  const canceller = await lock.tryAcquire('t5-1');
  assert.ok(canceller);
  assert.equal((await fenced.cancel(canceller, 'b-fresh')).accepted, true);
  assert.equal((await fenced.seat('t5-1')).status, 'free');
  const staleOnFree = await fenced.book(stale, 'b-stale', 'u2');
  assert.equal(staleOnFree.accepted, false);
  assert.equal(!staleOnFree.accepted && staleOnFree.reason, 'stale_token');
  await lock.release(canceller);
  const last = await lock.tryAcquire('t5-1');
  assert.ok(last);
  assert.equal((await fenced.book(last, 'b-last', 'u3')).accepted, true);
  assert.equal((await checkLedger(redis)).violations.length, 0);

  const unfenced = new Ledger(redis, false);
  const blind = await unfenced.book(stale, 'b-blind', 'u4');
  assert.equal(blind.accepted, true);
  const report = await checkLedger(redis);
  assert.ok(
    report.violations.some((v) => v.kind === 'double-booking' && v.seatId === 't5-1'),
    JSON.stringify(report),
  );
});
