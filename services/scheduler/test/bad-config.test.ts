// Bad configuration stops the process at start, with every problem named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startProcess } from '@faultline/kit/testing/child-process';
import { SCHEDULER_ENTRY } from './harness.js';

async function run(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const proc = startProcess(process.execPath, [SCHEDULER_ENTRY], {
    env: {
      ...process.env,
      SCHEDULER_PORT: '0',
      SCHEDULER_ETCD_ENDPOINTS: 'http://127.0.0.1:1',
      ...env,
    },
  });
  const exit = await proc.exited;
  return { code: exit.code, output: proc.output() };
}

test('keep-alive not shorter than the TTL: exit 78 naming both variables', async () => {
  const { code, output } = await run({
    SCHEDULER_LEASE_TTL_S: '2',
    SCHEDULER_KEEPALIVE_MS: '2000',
  });
  assert.equal(code, 78, output);
  assert.match(
    output,
    /SCHEDULER_KEEPALIVE_MS \(2000\) must be less than SCHEDULER_LEASE_TTL_S \(2 s = 2000 ms\)/,
  );
});

test('zero tick and a non-numeric TTL: exit 78 listing each', async () => {
  const zero = await run({ SCHEDULER_TICK_MS: '0' });
  assert.equal(zero.code, 78, zero.output);
  assert.match(zero.output, /SCHEDULER_TICK_MS must be > 0/);
  const nan = await run({ SCHEDULER_LEASE_TTL_S: 'soon', SCHEDULER_TICK_MS: '-5' });
  assert.equal(nan.code, 78);
  assert.match(nan.output, /SCHEDULER_LEASE_TTL_S: expected a number/);
  assert.match(nan.output, /SCHEDULER_TICK_MS: expected an integer >= 0/);
});

test('margin leaving no room for a renewal is rejected', async () => {
  const { code, output } = await run({
    SCHEDULER_LEASE_TTL_S: '3',
    SCHEDULER_KEEPALIVE_MS: '1000',
    SCHEDULER_STEP_DOWN_MARGIN_MS: '2000',
  });
  assert.equal(code, 78);
  assert.match(output, /SCHEDULER_STEP_DOWN_MARGIN_MS \(2000\) must be less than/);
});
