// Active health against real processes: a backend whose /readyz starts failing is taken out
// after the unhealthy threshold of checks (no request reaches it, the gauges say so), and is
// brought back after the healthy threshold once it passes again. Passive ejection and the
// breaker are out of the way; no request fails, so only the checks decide.
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

test('a backend failing its health checks is taken out, and brought back when it passes again', async () => {
  const [a, b] = await startBackends('a', 'b');
  started.push(a!, b!);
  const gw = await startGateway({
    GATEWAY_UPSTREAMS: staticUpstream([a!, b!]),
    GATEWAY_HEALTH_INTERVAL_MS: '100',
    GATEWAY_HEALTH_PATH: '/readyz',
    GATEWAY_UNHEALTHY_THRESHOLD: '2',
    GATEWAY_HEALTHY_THRESHOLD: '2',
    GATEWAY_OUTLIER_CONSECUTIVE_FAILURES: '1000',
    GATEWAY_BREAKER_FAILURES: '1000',
  });
  started.push(gw);
  const healthyGauge = async (t: TestBackend) =>
    sampleValue(await gw.metrics(), 'faultline_gateway_backend_healthy', { backend: t.address });
  const spread = async (n: number) => {
    const seen = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const r = await send(`${gw.url}/whoami`);
      assert.equal(r.status, 200, 'no request fails: the checks take the backend out first');
      seen.set(instanceOf(r), (seen.get(instanceOf(r)) ?? 0) + 1);
    }
    return Object.fromEntries(seen);
  };

  assert.deepEqual(await spread(4), { a: 2, b: 2 }, 'both in rotation at first');
  assert.equal(await healthyGauge(b!), 1);

  await b!.control('/unready');
  await waitFor(async () => !(await gw.view(b!)).health.healthy, 'b marked unhealthy', 10_000, 50);
  const out = await gw.view(b!);
  assert.equal(out.eligible, false);
  assert.equal(out.state, 'unhealthy');
  assert.equal(await healthyGauge(b!), 0);
  const before = await b!.received();
  assert.deepEqual(await spread(8), { a: 8 }, 'everything goes to a while b is unhealthy');
  assert.equal(await b!.received(), before, 'b received none of them');

  await b!.control('/ready');
  await waitFor(async () => (await gw.view(b!)).health.healthy, 'b healthy again', 10_000, 50);
  assert.equal((await gw.view(b!)).eligible, true);
  assert.equal(await healthyGauge(b!), 1);
  assert.deepEqual(await spread(4), { a: 2, b: 2 }, 'b takes its share again');
});
