import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import express from 'express';
import { Redis, type RedisOptions } from 'ioredis';
import {
  RedisTokenBucket,
  rateLimitMiddleware,
  type RateLimitMiddlewareOptions,
} from './rate-limit.js';
import { startRedis, type RedisServer } from './testing/redis-server.js';
import { freePort } from './testing/free-port.js';

let redis: RedisServer;
const clients: Redis[] = [];
const servers: Server[] = [];

function client(url = redis.url, options: RedisOptions = {}): Redis {
  const c = new Redis(url, options);
  c.on('error', () => {}); // connection errors surface as rejected commands, which tests check
  clients.push(c);
  return c;
}

/** An express app with only the rate limiter in front of one route, listening on a free port. */
async function app(limiter: RedisTokenBucket, opts?: RateLimitMiddlewareOptions): Promise<string> {
  const a = express();
  a.use(rateLimitMiddleware(limiter, (req) => req.get('x-user'), opts));
  a.get('/', (_req, res) => {
    res.json({ ok: true });
  });
  // Quiet error handler: Express's default one prints the stack of the fail-closed test.
  a.use(
    (
      err: { status?: number },
      _req: express.Request,
      res: express.Response,
      _next: express.NextFunction,
    ) => {
      res.status(err.status ?? 500).json({ error: 'unavailable' });
    },
  );
  const server = a.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

let keys = 0;
/** A fresh bucket key per test so tests do not share tokens. */
const freshKey = () => `user-${++keys}-${process.pid}`;

before(async () => {
  redis = await startRedis();
});

after(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
  for (const c of clients) c.disconnect();
  await redis?.stop();
});

void test('a burst of `capacity` is allowed, then refused with a retry-after', async () => {
  const limiter = new RedisTokenBucket(client(), { capacity: 5, refillPerSecond: 1 });
  const key = freshKey();
  const results = [];
  for (let i = 0; i < 5; i++) results.push(await limiter.take(key));
  assert.deepEqual(
    results.map((r) => [r.allowed, r.remaining, r.retryAfterMs]),
    [
      [true, 4, 0],
      [true, 3, 0],
      [true, 2, 0],
      [true, 1, 0],
      [true, 0, 0],
    ],
  );
  const refused = await limiter.take(key);
  assert.equal(refused.allowed, false);
  assert.equal(refused.remaining, 0);
  assert.ok(refused.retryAfterMs > 0 && refused.retryAfterMs <= 1000, `${refused.retryAfterMs}`);

  const other = await limiter.take(freshKey());
  assert.equal(other.allowed, true, 'buckets are per key');
});

void test('after the burst, tokens come back at the steady rate', async () => {
  const limiter = new RedisTokenBucket(client(), { capacity: 5, refillPerSecond: 20 });
  const key = freshKey();
  while ((await limiter.take(key)).allowed);
  const started = Date.now();
  await sleep(300);
  let allowed = 0;
  while ((await limiter.take(key)).allowed) allowed++;
  const elapsed = Date.now() - started;
  // 20/s over ~300 ms is 6 tokens; bound by what the measured wait allows.
  assert.ok(allowed >= 5, `allowed ${allowed} after ${elapsed} ms`);
  assert.ok(
    allowed <= Math.ceil((elapsed * 20) / 1000) + 1,
    `too many: ${allowed} after ${elapsed} ms`,
  );
});

void test('idle buckets expire and costs are validated', async () => {
  const c = client();
  const limiter = new RedisTokenBucket(c, {
    keyPrefix: 'rl-test:',
    capacity: 10,
    refillPerSecond: 5,
  });
  const key = freshKey();
  assert.equal((await limiter.take(key, 4)).remaining, 6);
  const ttl = await c.pttl(`rl-test:${key}`);
  // Full again after capacity / rate = 2 s; the key may go then (plus a margin).
  assert.ok(ttl > 0 && ttl <= 3000, `pttl ${ttl}`);
  await assert.rejects(limiter.take(key, 11), RangeError);
  await assert.rejects(limiter.take(key, 0), RangeError);
  assert.throws(() => new RedisTokenBucket(c, { capacity: 0, refillPerSecond: 1 }), RangeError);
});

void test('two app instances with their own Redis clients share one bucket; 429 has Retry-After', async () => {
  const opts = { keyPrefix: 'shared:', capacity: 10, refillPerSecond: 0.5 };
  const limited: string[] = [];
  const urls = [
    await app(new RedisTokenBucket(client(), opts), { onLimited: (k) => limited.push(k) }),
    await app(new RedisTokenBucket(client(), opts), { onLimited: (k) => limited.push(k) }),
  ];
  const user = freshKey();
  const statuses: number[] = [];
  let refused: Response | undefined;
  for (let i = 0; i < 20; i++) {
    const res = await fetch(urls[i % 2]!, { headers: { 'x-user': user } });
    statuses.push(res.status);
    if (res.status === 429) refused ??= res;
    else await res.arrayBuffer();
  }
  const ok = statuses.filter((s) => s === 200).length;
  // 10 from the burst, perhaps one refilled if the run is slow (0.5 tokens/s).
  assert.ok(ok >= 10 && ok <= 11, `allowed ${ok} of 20 across both instances: ${statuses.join()}`);
  assert.deepEqual(new Set(statuses), new Set([200, 429]));
  assert.equal(limited.length, 20 - ok);
  assert.ok(limited.every((k) => k === user));

  assert.ok(refused);
  const retryAfter = Number(refused.headers.get('retry-after'));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 2, `${retryAfter}`);
  const body = (await refused.json()) as {
    error: string;
    details: { path: string; message: string }[];
    retryAfterSeconds: number;
  };
  assert.equal(body.error, 'rate_limited');
  assert.equal(body.retryAfterSeconds, retryAfter);
  assert.equal(body.details[0]?.path, user);
  assert.match(body.details[0]?.message ?? '', /rate limit/);

  const anonymous = await fetch(urls[0]!);
  assert.equal(anonymous.status, 200, 'requests without a key are not limited');
  await anonymous.arrayBuffer();
});

void test('Retry-After rounds a sub-second wait up to 1 s', async () => {
  // 2 tokens/s: the next token is at most 500 ms away, which must not read as "0 s".
  const url = await app(new RedisTokenBucket(client(), { capacity: 1, refillPerSecond: 2 }));
  const user = freshKey();
  const first = await fetch(url, { headers: { 'x-user': user } });
  assert.equal(first.status, 200);
  await first.arrayBuffer();
  const second = await fetch(url, { headers: { 'x-user': user } });
  assert.equal(second.status, 429);
  assert.equal(second.headers.get('retry-after'), '1');
  assert.equal(((await second.json()) as { retryAfterSeconds: number }).retryAfterSeconds, 1);
});

void test('when Redis is unreachable the limiter fails open (or closed, if asked)', async () => {
  const dead = `redis://127.0.0.1:${await freePort()}`;
  const deadClient = () =>
    client(dead, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
  const errors: unknown[] = [];
  const open = await app(new RedisTokenBucket(deadClient(), { capacity: 1, refillPerSecond: 1 }), {
    onError: (e) => errors.push(e),
  });
  const closed = await app(
    new RedisTokenBucket(deadClient(), { capacity: 1, refillPerSecond: 1 }),
    {
      failOpen: false,
    },
  );
  for (let i = 0; i < 3; i++) {
    const res = await fetch(open, { headers: { 'x-user': 'u' } });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
  }
  assert.equal(errors.length, 3);
  const res = await fetch(closed, { headers: { 'x-user': 'u' } });
  assert.equal(res.status, 503);
  await res.arrayBuffer();
});

void test('a hung Redis (paused process) does not hang requests: the timeout fails open', async (t) => {
  const errors: unknown[] = [];
  const limiter = new RedisTokenBucket(client(), { capacity: 1, refillPerSecond: 1 });
  const url = await app(limiter, { timeoutMs: 100, onError: (e) => errors.push(e) });
  redis.process.child.kill('SIGSTOP');
  t.after(() => redis.process.child.kill('SIGCONT'));
  // A hang would make this fetch abort (and the test fail) instead of answering.
  const res = await fetch(url, {
    headers: { 'x-user': freshKey() },
    signal: AbortSignal.timeout(10_000),
  });
  assert.equal(res.status, 200);
  await res.arrayBuffer();
  assert.equal(errors.length, 1);
  assert.match(String(errors[0]), /timed out/);
});
