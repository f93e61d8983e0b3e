import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isConfigError } from '@faultline/kit/config';
import { parseSchedulerConfig } from './config.js';

test('defaults: TTL 3 s, keep-alive TTL/3, margin TTL/6, tick 1 s', () => {
  const c = parseSchedulerConfig({ SCHEDULER_INSTANCE: 'x' });
  assert.equal(c.leaseTtlS, 3);
  assert.equal(c.keepAliveMs, 1000);
  assert.equal(c.stepDownMarginMs, 500);
  assert.equal(c.tickMs, 1000);
  assert.equal(c.leaseGuard, true);
  assert.deepEqual(c.etcdEndpoints, ['http://127.0.0.1:2379']);
  assert.equal(c.host, '127.0.0.1');
});

test('SCHEDULER_HOST is the listen address (the chart sets 0.0.0.0 for probes on the pod IP)', () => {
  assert.equal(parseSchedulerConfig({ SCHEDULER_HOST: '0.0.0.0' }).host, '0.0.0.0');
});

const bad: [string, NodeJS.ProcessEnv, RegExp][] = [
  [
    'keep-alive equal to the TTL',
    { SCHEDULER_LEASE_TTL_S: '2', SCHEDULER_KEEPALIVE_MS: '2000' },
    /SCHEDULER_KEEPALIVE_MS \(2000\) must be less than/,
  ],
  [
    'keep-alive longer than the TTL',
    { SCHEDULER_LEASE_TTL_S: '1', SCHEDULER_KEEPALIVE_MS: '5000' },
    /must be less than SCHEDULER_LEASE_TTL_S/,
  ],
  ['zero tick', { SCHEDULER_TICK_MS: '0' }, /SCHEDULER_TICK_MS must be > 0/],
  [
    'margin eating the renewal window',
    { SCHEDULER_STEP_DOWN_MARGIN_MS: '2500' },
    /SCHEDULER_STEP_DOWN_MARGIN_MS \(2500\)/,
  ],
  ['no endpoints', { SCHEDULER_ETCD_ENDPOINTS: ' , ' }, /at least one etcd endpoint/],
  ['TTL zero', { SCHEDULER_LEASE_TTL_S: '0' }, /SCHEDULER_LEASE_TTL_S: expected an integer >= 1/],
];

for (const [name, env, message] of bad) {
  test(`rejected: ${name}`, () => {
    assert.throws(
      () => parseSchedulerConfig(env),
      (e: unknown) => isConfigError(e) && message.test(e.message),
    );
  });
}
