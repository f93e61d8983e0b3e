// The per-backend circuit breaker with a real threshold, against real processes: a backend
// that answers 500 gets exactly `threshold` requests before its breaker opens, then none while
// it is open; after the open time one probe goes through, and once the backend has recovered
// the breaker closes and it takes its share again. Outlier ejection and active health are
// turned off, and there is one attempt per request, so only the breaker decides.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@faultline/kit/testing/child-process';
import { sampleValue } from '@faultline/kit/testing/metric-samples';
import {
  instanceOf,
  send,
  startBackends,
  startGateway,
  staticUpstream,
  stopAll,
  type TestBackend,
  type TestGateway,
} from './helpers.js';

const started: (TestBackend | TestGateway)[] = [];
after(() => stopAll(started));

test('a failing backend trips its breaker at the threshold, is skipped while open, and is let back after a probe', async () => {
  const [good, sick] = await startBackends('good', 'sick');
  started.push(good!, sick!);
  const threshold = 3;
  const openMs = 1500;
  const gw = await startGateway({
    GATEWAY_UPSTREAMS: staticUpstream([good!, sick!]),
    GATEWAY_HEALTH_INTERVAL_MS: '0',
    GATEWAY_OUTLIER_CONSECUTIVE_FAILURES: '1000',
    GATEWAY_BREAKER_FAILURES: String(threshold),
    GATEWAY_BREAKER_OPEN_MS: String(openMs),
    GATEWAY_MAX_ATTEMPTS: '1',
  });
  started.push(gw);

  await sick!.control('/fail');
  const statuses: number[] = [];
  // The breaker opened after the last 500's request was sent: the earliest it can close again.
  let lastFailureSentAt = 0;
  for (let i = 0; i < 4 * threshold; i++) {
    const sentAt = Date.now();
    const status = (await send(`${gw.url}/whoami`)).status;
    statuses.push(status);
    if (status === 500) lastFailureSentAt = sentAt;
  }
  // Round robin sends every other request to the sick backend until its breaker opens.
  assert.equal(await sick!.received(), threshold, `statuses ${statuses.join(',')}`);
  assert.equal(statuses.filter((s) => s === 500).length, threshold);
  assert.equal((await gw.view(sick!)).breaker, 'open');
  assert.equal((await gw.view(sick!)).eligible, false);
  assert.equal(
    sampleValue(await gw.metrics(), 'faultline_gateway_breaker_state', { backend: sick!.address }),
    1,
    'open = 1',
  );

  // While open: everything goes to the good backend, the sick one hears nothing.
  for (let i = 0; i < 10; i++) {
    const r = await send(`${gw.url}/whoami`);
    assert.equal(r.status, 200);
    assert.equal(instanceOf(r), 'good');
  }
  assert.equal(await sick!.received(), threshold, 'no request reached the backend while open');

  // Recovered: after the open time a probe goes through and closes the breaker.
  await sick!.control('/recover');
  const back = await waitFor(
    async () => {
      const r = await send(`${gw.url}/whoami`);
      return instanceOf(r) === 'sick' ? Date.now() : undefined;
    },
    'a request answered by the recovered backend',
    openMs + 10_000,
    50,
  );
  // A lower bound only: it stayed out at least the open time (a few ms for clock rounding).
  const out = back - lastFailureSentAt;
  assert.ok(out >= openMs - 5, `back after ${out} ms`);
  assert.equal((await gw.view(sick!)).breaker, 'closed');
  const spread = new Map<string, number>();
  for (let i = 0; i < 6; i++) {
    const who = instanceOf(await send(`${gw.url}/whoami`));
    spread.set(who, (spread.get(who) ?? 0) + 1);
  }
  assert.deepEqual(Object.fromEntries(spread), { good: 3, sick: 3 }, 'both take their share again');
});
