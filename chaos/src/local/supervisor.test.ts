import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_READY_TIMEOUT_MS, readyTimeoutFromEnv } from './supervisor.js';

test('FAULTLINE_READY_TIMEOUT_MS is read from the env it is given, and a bad value is named', () => {
  const saved = process.env.FAULTLINE_READY_TIMEOUT_MS;
  process.env.FAULTLINE_READY_TIMEOUT_MS = '1';
  try {
    // The process environment does not leak in: only the env passed counts.
    assert.equal(readyTimeoutFromEnv({}), DEFAULT_READY_TIMEOUT_MS);
  } finally {
    if (saved === undefined) delete process.env.FAULTLINE_READY_TIMEOUT_MS;
    else process.env.FAULTLINE_READY_TIMEOUT_MS = saved;
  }
  assert.equal(readyTimeoutFromEnv({ FAULTLINE_READY_TIMEOUT_MS: '' }), DEFAULT_READY_TIMEOUT_MS);
  assert.equal(readyTimeoutFromEnv({ FAULTLINE_READY_TIMEOUT_MS: '120000' }), 120_000);
  for (const bad of ['0', '-5', 'soon', '1e400']) {
    assert.throws(
      () => readyTimeoutFromEnv({ FAULTLINE_READY_TIMEOUT_MS: bad }),
      new RegExp(
        `FAULTLINE_READY_TIMEOUT_MS: expected a positive number of milliseconds \\(got "${bad}"\\)`,
      ),
    );
  }
});
