// The error-ratio PromQL per indicator kind (its behaviour on real series is tested by
// promtool in test/rules.test.ts and by the playground test in chaos/test).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sliErrorRatioExpr } from './promql.js';
import type { Slo } from './slo.js';

const base = {
  name: 'x',
  service: 'booking',
  description: '',
  objective: 0.99,
  window: '30d',
  file: '',
};
const routes = [
  { method: 'POST', route: '/bookings' },
  { method: 'GET', route: '/seats/:seatId' },
];

test('availability: 5xx of the listed routes (0 when none happened) over all of them', () => {
  const slo: Slo = { ...base, sli: { kind: 'availability', job: 'booking', routes } };
  const q = sliErrorRatioExpr(slo, '30s');
  const [errors, total] = q.split('\n/\n');
  assert.equal(
    total,
    'sum(rate(http_server_request_duration_seconds_count{job="booking",http_request_method="POST",http_route="/bookings"}[30s]) or rate(http_server_request_duration_seconds_count{job="booking",http_request_method="GET",http_route="/seats/:seatId"}[30s]))',
  );
  assert.match(
    errors!,
    /^\(sum\(.*http_response_status_code=~"5\.\."\}\[30s\]\).*\) or vector\(0\)\)$/,
  );
  assert.equal(errors!.match(/\[30s\]/g)?.length, 2, 'both routes');
});

test('latency: requests above the threshold bucket over all requests', () => {
  const slo: Slo = {
    ...base,
    sli: { kind: 'latency', job: 'booking', routes, thresholdSeconds: 0.25 },
  };
  const q = sliErrorRatioExpr(slo, '5m');
  assert.equal(q.match(/_bucket\{[^}]*le="0\.25"\}\[5m\]/g)?.length, 2);
  assert.equal(q.match(/_count\{/g)?.length, 4, 'total twice: minus good, and as the denominator');
});

test('ratio: $window replaced everywhere by the range', () => {
  const slo: Slo = {
    ...base,
    sli: {
      kind: 'ratio',
      errorQuery: 'sum(rate(e[$window]))',
      totalQuery: 'sum(rate(t[$window])) + 0*sum(rate(t[$window]))',
    },
  };
  assert.equal(
    sliErrorRatioExpr(slo, '1h'),
    '(sum(rate(e[1h])))\n/\n(sum(rate(t[1h])) + 0*sum(rate(t[1h])))',
  );
});
