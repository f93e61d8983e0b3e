import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Probes } from './probes.js';

test('readiness: starting, ready, a failing and a hanging check named, shutting down', async () => {
  const p = new Probes(50);
  let redisUp = true;
  p.addCheck('redis', () =>
    redisUp ? Promise.resolve() : Promise.reject(new Error('ECONNREFUSED')),
  );
  p.addCheck(
    'etcd',
    (signal) =>
      new Promise((_, reject) =>
        signal.addEventListener('abort', () => reject(new Error('aborted'))),
      ),
    30,
  );
  assert.equal((await p.readiness()).status, 'starting');
  p.markStarted();
  let r = await p.readiness();
  assert.equal(r.status, 'not-ready');
  assert.deepEqual(r.failed, ['etcd']);
  assert.match(r.checks.etcd?.error ?? '', /timed out after 30 ms/);
  assert.equal(r.checks.redis?.ok, true);
  redisUp = false;
  r = await p.readiness();
  assert.deepEqual(r.failed.sort(), ['etcd', 'redis']);
  assert.equal(r.checks.redis?.error, 'ECONNREFUSED');
  p.markShuttingDown();
  assert.equal((await p.readiness()).status, 'shutting-down');
});

test('all checks passing is ready', async () => {
  const p = new Probes();
  p.addCheck('a', () => Promise.resolve());
  p.markStarted();
  assert.deepEqual(await p.readiness(), {
    status: 'ready',
    checks: { a: { ok: true, ms: (await p.readiness()).checks.a?.ms } },
    failed: [],
  });
});
