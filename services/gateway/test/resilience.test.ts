// Passive health and retries against real processes: a backend SIGKILLed under load is
// ejected after at most the outlier threshold of failed attempts, and idempotent requests see
// no errors because they are retried elsewhere; a POST without Idempotency-Key is sent once
// and only once (the backend counts receipts), while the same POST with a key is retried.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { waitFor } from '@faultline/kit/testing/child-process';
import { sampleValue } from '@faultline/kit/testing/metric-samples';
import {
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

test('a backend killed under load is ejected within the threshold; idempotent requests see no errors', async () => {
  const backends = await startBackends('a', 'b', 'c');
  started.push(...backends);
  const threshold = 3;
  const gw = await startGateway({
    GATEWAY_UPSTREAMS: staticUpstream(backends),
    GATEWAY_HEALTH_INTERVAL_MS: '0', // passive detection only: that is what is under test
    GATEWAY_OUTLIER_CONSECUTIVE_FAILURES: String(threshold),
    GATEWAY_OUTLIER_BASE_EJECTION_MS: '60000',
    GATEWAY_BREAKER_FAILURES: '1000',
    GATEWAY_MAX_ATTEMPTS: '3',
  });
  started.push(gw);

  const agent = new Agent({ keepAlive: true, maxSockets: 6 });
  const statuses = new Map<number, number>();
  let stop = false;
  const worker = async () => {
    for (let i = 0; i < 5000 && !stop; i++) {
      const r = await send(`${gw.url}/whoami`, { agent }).catch(() => ({ status: -1 }));
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    }
  };
  const load = Promise.all(Array.from({ length: 6 }, worker));
  const victim = backends[1]!;
  const ok = () => statuses.get(200) ?? 0;
  try {
    // Under load first, then the kill; then wait for the ejection and for more load after it.
    await waitFor(() => ok() >= 50, 'the load to run', 10_000);
    await victim.kill();
    await waitFor(
      async () => (await gw.backends()).find((b) => b.id === victim.address)?.ejection.ejected,
      'the killed backend to be ejected',
      10_000,
      20,
    );
    const atEjection = ok();
    await waitFor(() => ok() >= atEjection + 100, 'load after the ejection', 10_000);
  } finally {
    stop = true;
    await load;
    agent.destroy();
  }

  const view = (await gw.backends()).find((b) => b.id === victim.address)!;
  const failed =
    (view.requests.connect_error ?? 0) + (view.requests.reset ?? 0) + (view.requests['5xx'] ?? 0);
  console.log(
    `statuses ${JSON.stringify(Object.fromEntries(statuses))}; failed attempts on victim ${failed}; view`,
    view.ejection,
  );
  assert.equal(view.ejection.ejected, true, 'the killed backend is ejected');
  assert.equal(view.state, 'ejected');
  assert.ok(
    view.ejection.failuresAtLastEjection <= threshold,
    'ejected at the threshold, not later',
  );
  // Attempts already on their way when it was ejected fail too; never more than the load's concurrency.
  assert.ok(failed >= 1 && failed <= threshold + 6, `failed attempts on the victim: ${failed}`);
  assert.deepEqual([...statuses.keys()], [200], 'with retries, no client saw an error');
  assert.ok((statuses.get(200) ?? 0) > 100, 'the load really ran');
  const metrics = await send(`${gw.adminUrl}/metrics`);
  assert.match(
    metrics.text,
    new RegExp(
      `faultline_gateway_backend_ejected\\{upstream="booking",backend="${victim.address}"\\} 1`,
    ),
  );
  // Summed over the reason label (connect-failure, reset, ...).
  const retries = sampleValue(metrics.text, 'faultline_gateway_retries_total', {
    upstream: 'booking',
  });
  assert.ok(retries >= 1, `retries ${retries}`);
});

test('a POST without Idempotency-Key is never retried; with a key it is (control)', async () => {
  const backends = await startBackends('p', 'q');
  started.push(...backends);
  const gw = await startGateway({
    GATEWAY_UPSTREAMS: staticUpstream(backends),
    GATEWAY_HEALTH_INTERVAL_MS: '0',
    GATEWAY_OUTLIER_CONSECUTIVE_FAILURES: '1000',
    GATEWAY_BREAKER_FAILURES: '1000',
    GATEWAY_MAX_ATTEMPTS: '2',
  });
  started.push(gw);
  const receipts = async () => {
    let n = 0;
    for (const b of backends) n += (await b.stats())['POST /reset'] ?? 0;
    return n;
  };

  for (let i = 0; i < 4; i++) {
    const r = await send(`${gw.url}/reset`, {
      method: 'POST',
      body: '{"seat":1}',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(r.status, 502);
    const body = r.json as { error: string; upstream: string; details: { path: string }[] };
    assert.equal(body.upstream, 'booking', 'the error names the upstream');
    assert.equal(body.error, 'upstream_reset');
  }
  assert.equal(await receipts(), 4, 'each non-idempotent POST reached a backend exactly once');

  for (let i = 0; i < 4; i++) {
    const r = await send(`${gw.url}/reset`, {
      method: 'POST',
      body: '{"seat":1}',
      headers: { 'content-type': 'application/json', 'idempotency-key': `k-${i}` },
    });
    assert.equal(r.status, 502);
  }
  assert.equal(
    await receipts(),
    4 + 8,
    'with Idempotency-Key every POST was tried on both backends',
  );
  const perBackend = await Promise.all(
    backends.map(async (b) => (await b.stats())['POST /reset'] ?? 0),
  );
  assert.ok(
    perBackend.every((n) => n >= 4),
    `a retry goes to a different backend: ${perBackend.join(', ')}`,
  );
});
