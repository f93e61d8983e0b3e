// Sessions across real replicas: with the memory store a session is known only to the replica
// that created it (what sticky sessions exist for); with the redis store another replica finds
// it (a cache miss, then hits) and it survives the SIGKILL of the replica that created it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleValue } from '@faultline/kit/testing/metric-samples';
import { startRedis, type RedisServer } from '@faultline/kit/testing/redis-server';
import type { NodeService } from '@faultline/kit/testing/node-service';
import { call, scrape, startBooking } from './helpers.js';

let redisServer: RedisServer;
let mem1: NodeService, mem2: NodeService, red1: NodeService, red2: NodeService;
/** The instance name each replica was started with. */
const instanceOf = new Map<NodeService, string>();

before(async () => {
  redisServer = await startRedis();
  const start = (name: string, store: string) =>
    startBooking(redisServer.url, { BOOKING_INSTANCE: name, BOOKING_SESSION_STORE: store });
  [mem1, mem2, red1, red2] = await Promise.all([
    start('mem-1', 'memory'),
    start('mem-2', 'memory'),
    start('red-1', 'redis'),
    start('red-2', 'redis'),
  ]);
  for (const [svc, name] of [
    [mem1, 'mem-1'],
    [mem2, 'mem-2'],
    [red1, 'red-1'],
    [red2, 'red-2'],
  ] as const) {
    instanceOf.set(svc, name);
  }
});
after(async () => {
  await Promise.all([mem1, mem2, red1, red2].map((s) => s?.stop()));
  await redisServer?.stop();
});

interface Me {
  userId?: string;
  instance?: string;
  cache?: string;
  error?: string;
}

async function login(svc: NodeService, userId: string): Promise<string> {
  const r = await call<{ instance: string }>(svc.url, 'POST', '/sessions', { userId });
  assert.equal(r.status, 201);
  assert.equal(r.body.instance, instanceOf.get(svc), 'the replica that made the session says so');
  const cookie = r.headers.get('set-cookie') ?? '';
  assert.match(cookie, /booking_session=[^;]+;.*HttpOnly/i);
  return cookie.split(';')[0]!;
}

const me = (svc: NodeService, cookie: string) =>
  call<Me>(svc.url, 'GET', '/sessions/me', undefined, { cookie });

test('memory store: only the replica that made the session knows it', async () => {
  const cookie = await login(mem1, 'alice');
  const here = await me(mem1, cookie);
  assert.equal(here.status, 200);
  assert.deepEqual(
    { userId: here.body.userId, instance: here.body.instance, cache: here.body.cache },
    { userId: 'alice', instance: 'mem-1', cache: 'hit' },
  );
  const there = await me(mem2, cookie);
  assert.equal(there.status, 401);
  assert.equal(there.body.error, 'unknown_session');
  assert.equal(there.body.instance, 'mem-2', 'the answer says which replica answered');
  const text = await scrape(mem2.url);
  assert.equal(
    sampleValue(text, 'faultline_booking_session_lookups_total', { result: 'unknown' }),
    1,
  );
});

test('redis store: another replica finds the session (miss, then hit), also after the first dies', async () => {
  const cookie = await login(red1, 'bob');
  assert.equal((await me(red1, cookie)).body.cache, 'hit');
  red1.child.kill('SIGKILL');
  await red1.exited;
  const first = await me(red2, cookie);
  assert.equal(first.status, 200);
  assert.deepEqual(
    { userId: first.body.userId, instance: first.body.instance, cache: first.body.cache },
    { userId: 'bob', instance: 'red-2', cache: 'miss' },
  );
  const second = await me(red2, cookie);
  assert.equal(second.body.cache, 'hit', 'cached on this replica now');
  const text = await scrape(red2.url);
  assert.equal(sampleValue(text, 'faultline_booking_session_lookups_total', { result: 'miss' }), 1);
  assert.equal(sampleValue(text, 'faultline_booking_session_lookups_total', { result: 'hit' }), 1);
});
