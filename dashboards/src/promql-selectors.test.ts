import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPromqlSyntaxError, selectedMetrics } from './promql-selectors.js';

const cases: { expr: string; names: string[]; patterns?: string[] }[] = [
  { expr: 'up', names: ['up'] },
  {
    expr: 'sum by (job, le) (rate(http_server_request_duration_seconds_bucket{job=~"a|b"}[30s]))',
    names: ['http_server_request_duration_seconds_bucket'],
  },
  {
    expr: 'a_total / on (job) group_left () b or vector(0) * max by (pod) (c{x="y"})',
    names: ['a_total', 'b', 'c'],
  },
  { expr: '{__name__="exact"}', names: ['exact'] },
  {
    expr: 'label_replace({__name__=~"slo:sli_error:ratio_rate.+",sloth_id=~".+"}, "w", "$1", "__name__", "(.+)")',
    names: [],
    patterns: ['slo:sli_error:ratio_rate.+'],
  },
  { expr: 'slo:objective:ratio{sloth_id="x"}', names: ['slo:objective:ratio'] },
  // Labels in `by`, function names and string arguments are not metrics.
  { expr: 'histogram_quantile(0.5, sum by (le) (increase(g_bucket[60s])))', names: ['g_bucket'] },
];

for (const c of cases) {
  test(`selected metrics of ${c.expr}`, () => {
    assert.deepEqual(selectedMetrics(c.expr), { names: c.names, patterns: c.patterns ?? [] });
  });
}

test('a query that does not parse is an error saying where', () => {
  for (const bad of ['sum(rate(x[30s])', 'rate(x[$__rate_interval])', 'a +']) {
    assert.throws(
      () => selectedMetrics(bad),
      (e) => isPromqlSyntaxError(e) && /PromQL syntax error at offset \d+/.test(e.message),
      bad,
    );
  }
});
