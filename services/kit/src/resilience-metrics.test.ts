import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Gauge, Registry } from 'prom-client';
import { CircuitBreaker } from './breaker.js';
import { Bulkhead } from './bulkhead.js';
import { RetryBudget, retry } from './retry.js';
import { breakerMetrics, bulkheadMetrics, retryMetrics } from './resilience-metrics.js';

async function value(registry: Registry, name: string, labels: Record<string, string>) {
  const metric = registry.getSingleMetric(name);
  assert.ok(metric, `${name} is registered`);
  const { values } = await metric.get();
  const found = values.find((v) =>
    Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want),
  );
  return found?.value;
}

void test('breaker hooks become faultline_breaker_* series', async () => {
  const registry = new Registry();
  let now = 0;
  const breaker = new CircuitBreaker({
    name: 'redis',
    failureThreshold: 1,
    openMs: 100,
    now: () => now,
    hooks: breakerMetrics(registry).hooksFor('redis'),
  });
  assert.equal(await value(registry, 'faultline_breaker_state', { breaker: 'redis' }), 0);
  assert.equal(
    await value(registry, 'faultline_breaker_rejections_total', { breaker: 'redis' }),
    0,
  );

  await assert.rejects(breaker.execute(() => Promise.reject(new Error('down'))));
  assert.equal(await value(registry, 'faultline_breaker_state', { breaker: 'redis' }), 1);
  await assert.rejects(breaker.execute(() => Promise.resolve()));
  assert.equal(
    await value(registry, 'faultline_breaker_rejections_total', { breaker: 'redis' }),
    1,
  );

  now = 100;
  assert.equal(breaker.state, 'half-open');
  assert.equal(await value(registry, 'faultline_breaker_state', { breaker: 'redis' }), 2);
  await breaker.execute(() => Promise.resolve());
  assert.equal(await value(registry, 'faultline_breaker_state', { breaker: 'redis' }), 0);
  const t = (from: string, to: string) =>
    value(registry, 'faultline_breaker_transitions_total', { breaker: 'redis', from, to });
  assert.equal(await t('closed', 'open'), 1);
  assert.equal(await t('open', 'half-open'), 1);
  assert.equal(await t('half-open', 'closed'), 1);

  const text = await registry.metrics();
  assert.match(
    text,
    /^faultline_breaker_transitions_total\{breaker="redis",from="closed",to="open"\} 1$/m,
  );
});

void test('registration is idempotent per registry', () => {
  const registry = new Registry();
  const a = breakerMetrics(registry).hooksFor('a');
  const b = breakerMetrics(registry).hooksFor('b');
  bulkheadMetrics(registry).hooksFor('x');
  bulkheadMetrics(registry).hooksFor('y');
  retryMetrics(registry).hooksFor('op');
  retryMetrics(registry).hooksFor('op');
  a.onReject?.();
  b.onReject?.();
  assert.equal(registry.getMetricsAsArray().length, 9);
});

void test('a name taken by another metric type fails loudly', () => {
  const registry = new Registry();
  new Gauge({ name: 'faultline_retries_total', help: 'wrong type', registers: [registry] });
  assert.throws(() => retryMetrics(registry), /non-counter/);
});

void test('bulkhead hooks become faultline_bulkhead_* series', async () => {
  const registry = new Registry();
  const bulkhead = new Bulkhead({
    name: 'db',
    maxConcurrent: 1,
    maxQueue: 1,
    hooks: bulkheadMetrics(registry).hooksFor('db'),
  });
  let release!: () => void;
  const running = bulkhead.execute(() => new Promise<void>((r) => (release = r)));
  const queued = bulkhead.execute(() => Promise.resolve());
  await assert.rejects(bulkhead.execute(() => Promise.resolve()));
  assert.equal(await value(registry, 'faultline_bulkhead_active', { bulkhead: 'db' }), 1);
  assert.equal(await value(registry, 'faultline_bulkhead_queue_length', { bulkhead: 'db' }), 1);
  assert.equal(await value(registry, 'faultline_bulkhead_saturation_ratio', { bulkhead: 'db' }), 1);
  assert.equal(
    await value(registry, 'faultline_bulkhead_rejections_total', {
      bulkhead: 'db',
      reason: 'queue-full',
    }),
    1,
  );
  release();
  await Promise.all([running, queued]);
  assert.equal(await value(registry, 'faultline_bulkhead_active', { bulkhead: 'db' }), 0);
  assert.equal(await value(registry, 'faultline_bulkhead_saturation_ratio', { bulkhead: 'db' }), 0);
});

void test('retry hooks count retries and budget exhaustion', async () => {
  const registry = new Registry();
  const hooks = retryMetrics(registry).hooksFor('redis.get');
  const budget = new RetryBudget({ ratio: 0, minRetriesPerSecond: 0.1, windowMs: 10_000 });
  // floor = 1 retry: the first operation retries once, then the budget refuses.
  await assert.rejects(
    retry(() => Promise.reject(new Error('x')), {
      maxAttempts: 3,
      random: () => 0,
      budget,
      ...hooks,
    }),
  );
  assert.equal(await value(registry, 'faultline_retries_total', { operation: 'redis.get' }), 1);
  assert.equal(
    await value(registry, 'faultline_retry_budget_exhausted_total', { operation: 'redis.get' }),
    1,
  );
});
