import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandTemplate } from './template.js';

const t = {
  variables: { job: ['booking', 'gateway'], pod: ['booking-0'], backend: ['127.0.0.1:80'] },
  rateInterval: '30s',
  interval: '10s',
  range: '300s',
};

const cases: [string, string][] = [
  ['rate(x{job=~"$job"}[$__rate_interval])', 'rate(x{job=~"booking|gateway"}[30s])'],
  ['x{pod=~"${pod}"}[$__interval]', 'x{pod=~"booking-0"}[10s]'],
  ['increase(y[$__range])', 'increase(y[300s])'],
  [
    'label_replace(x, "w", "$1", "__name__", "(.+)")',
    'label_replace(x, "w", "$1", "__name__", "(.+)")',
  ],
  // Regex metacharacters in a value are escaped (two backslashes inside a PromQL string).
  ['z{backend=~"$backend"}', 'z{backend=~"127\\\\.0\\\\.0\\\\.1:80"}'],
];

for (const [input, want] of cases) {
  test(`expands ${input}`, () => assert.equal(expandTemplate(input, t), want));
}

test('an unknown or empty variable is an error naming it', () => {
  assert.throws(() => expandTemplate('x{a=~"$nope"}', t), /unknown template variable \$nope/);
  assert.throws(
    () => expandTemplate('x{a=~"$slo"}', { ...t, variables: { slo: [] } }),
    /template variable \$slo has no values/,
  );
});
