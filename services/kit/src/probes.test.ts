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
  // a check that takes a known time, so the reported duration has something to be measured against
  p.addCheck('a', () => new Promise((resolve) => setTimeout(resolve, 25)));
  p.markStarted();
  const r = await p.readiness();
  assert.equal(r.status, 'ready');
  assert.deepEqual(r.failed, []);
  assert.deepEqual(Object.keys(r.checks), ['a']);
  assert.equal(r.checks.a?.ok, true);
  assert.equal(r.checks.a?.error, undefined);
  // measured by the probe around the check: at least the check's own 25 ms (a lower bound only)
  assert.ok((r.checks.a?.ms ?? -1) >= 24, `ms ${r.checks.a?.ms}`);
});
