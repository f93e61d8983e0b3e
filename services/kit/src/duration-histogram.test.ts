import { test } from 'node:test';
import assert from 'node:assert/strict';
import client, { Registry, type RegistryContentType } from 'prom-client';
import { DurationHistogram } from './duration-histogram.js';
import { seededRandom } from './seeded-random.js';

const BUCKETS = [0.001, 0.005, 0.01, 0.1, 1];
const LABELS = ['method', 'route', 'status'] as const;

test('renders exactly what a prom-client Histogram renders for the same observations', async () => {
  const ours = new Registry();
  const theirs = new Registry();
  const h = new DurationHistogram({
    name: 'd_seconds',
    help: 'd',
    labelNames: LABELS,
    buckets: BUCKETS,
    registers: [ours],
  });
  const ref = new client.Histogram({
    name: 'd_seconds',
    help: 'd',
    labelNames: LABELS,
    buckets: BUCKETS,
    registers: [theirs],
  });
  const rnd = seededRandom(7);
  const routes = ['/a', '/b/:id', ''];
  // Bounds themselves included: a value equal to `le` belongs to that bucket.
  const values = [...BUCKETS, 0, 2, ...Array.from({ length: 500 }, () => rnd() ** 3 * 1.5)];
  for (const [i, v] of values.entries()) {
    const labels = { method: i % 2 ? 'GET' : 'POST', route: routes[i % 3]!, status: 200 + (i % 4) };
    h.observe(labels, v);
    ref.observe(labels, v);
  }
  const sortLines = (s: string) => s.split('\n').sort().join('\n');
  assert.equal(sortLines(await ours.metrics()), sortLines(await theirs.metrics()));
});

test('the latest sampled trace of a bucket is its exemplar (OpenMetrics only)', async () => {
  const registry = new Registry<RegistryContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const h = new DurationHistogram({
    name: 'd_seconds',
    help: 'd',
    labelNames: ['route'] as const,
    buckets: BUCKETS,
    registers: [registry],
  });
  const s = h.series({ route: '/x' });
  s.observe(0.003, 'a'.repeat(32));
  s.observe(0.004, 'b'.repeat(32));
  s.observe(0.004); // unsampled: keeps the exemplar
  s.observe(5, 'c'.repeat(32));
  const om = await registry.metrics();
  assert.match(
    om,
    /^d_seconds_bucket\{le="0.005",route="\/x"\} 3 # \{trace_id="b{32}"\} 0.004 \d+/m,
  );
  assert.match(om, /^d_seconds_bucket\{le="0.001",route="\/x"\} 0$/m);
  assert.match(om, /^d_seconds_bucket\{le="\+Inf",route="\/x"\} 4 # \{trace_id="c{32}"\} 5 /m);
  assert.match(om, /^d_seconds_count\{route="\/x"\} 4$/m);
  registry.setContentType(Registry.PROMETHEUS_CONTENT_TYPE);
  assert.doesNotMatch(await registry.metrics(), /trace_id/);
});

test('the same label values reach the same series; reset forgets them', async () => {
  const registry = new Registry();
  const h = new DurationHistogram({
    name: 'd_seconds',
    help: 'd',
    labelNames: LABELS,
    buckets: BUCKETS,
    registers: [registry],
  });
  const a = h.series({ method: 'GET', route: '/a', status: 200 });
  assert.equal(h.series({ status: 200, route: '/a', method: 'GET' }), a);
  assert.notEqual(h.series({ method: 'GET', route: '/a', status: 500 }), a);
  h.reset();
  assert.doesNotMatch(await registry.metrics(), /d_seconds_count/);
});

test('bad input is named: a missing label, a non-finite duration, unsorted buckets', () => {
  const h = new DurationHistogram({
    name: 'd_seconds',
    help: 'd',
    labelNames: LABELS,
    buckets: BUCKETS,
    registers: [],
  });
  assert.throws(
    () => h.observe({ method: 'GET', route: '/a' } as never, 0.1),
    /d_seconds: label status missing/,
  );
  assert.throws(() => h.observe({ method: 'GET', route: '/a', status: 200 }, NaN), /finite/);
  assert.throws(
    () =>
      new DurationHistogram({
        name: 'x',
        help: 'x',
        labelNames: [],
        buckets: [1, 0.5],
        registers: [],
      }),
    /x: buckets must be ascending/,
  );
});
