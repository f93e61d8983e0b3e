/**
 * The PromQL of an SLO's error ratio over a range. Both kinds over the RED histogram
 * (`http_server_request_duration_seconds`) sum every replica of `job` and every listed route:
 * - availability: 5xx requests ÷ all requests;
 * - latency: (all requests − requests within the threshold bucket) ÷ all requests.
 * A histogram has a series per status code, and a 5xx series exists only once a 5xx happened:
 * the error count falls back to 0 (`or vector(0)`) so a healthy service reads 0, not "no data",
 * while no traffic at all still reads "no data" (the ratio of nothing is not 0).
 */
import type { RouteRef, Slo, SliSpec } from './slo.js';

const HISTOGRAM = 'http_server_request_duration_seconds';

/** A PromQL string literal (double-quoted, escaped). */
export function promString(s: string): string {
  return JSON.stringify(s);
}

/** `{job="…",http_request_method="…",http_route="…",…extra}` for one route. */
function selector(job: string, route: RouteRef, extra: readonly string[]): string {
  const matchers = [
    `job=${promString(job)}`,
    `http_request_method=${promString(route.method)}`,
    `http_route=${promString(route.route)}`,
    ...extra,
  ];
  return `{${matchers.join(',')}}`;
}

/** sum over routes of rate(metric{route}[range]); routes are distinct series, so `or` unions them. */
function sumRate(
  metric: string,
  job: string,
  routes: readonly RouteRef[],
  range: string,
  extra: readonly string[] = [],
): string {
  const rates = routes.map((r) => `rate(${metric}${selector(job, r, extra)}[${range}])`);
  return `sum(${rates.join(' or ')})`;
}

/** The latency threshold as the exposition writes the `le` label (prom-client: JS number text). */
function leLabel(thresholdSeconds: number): string {
  return String(thresholdSeconds);
}

/** Error-ratio PromQL for `sli` over `range`. */
export function sliErrorRatioExprOf(sli: SliSpec, range: string): string {
  switch (sli.kind) {
    case 'availability': {
      const total = sumRate(`${HISTOGRAM}_count`, sli.job, sli.routes, range);
      const errors = sumRate(`${HISTOGRAM}_count`, sli.job, sli.routes, range, [
        `http_response_status_code=~"5.."`,
      ]);
      return `(${errors} or vector(0))\n/\n${total}`;
    }
    case 'latency': {
      const total = sumRate(`${HISTOGRAM}_count`, sli.job, sli.routes, range);
      const good = sumRate(`${HISTOGRAM}_bucket`, sli.job, sli.routes, range, [
        `le=${promString(leLabel(sli.thresholdSeconds))}`,
      ]);
      return `(${total} - ${good})\n/\n${total}`;
    }
    case 'ratio':
      return `(${sli.errorQuery.replaceAll('$window', range)})\n/\n(${sli.totalQuery.replaceAll('$window', range)})`;
  }
}

/**
 * PromQL of `slo`'s error ratio over any range (`30s`, `10m`, `1h`): what the
 * `slo:sli_error:ratio_rate<W>` recording rules record, for callers that need another range
 * (the game-day verdict over the run, k6 thresholds).
 */
export function sliErrorRatioExpr(slo: Slo, range: string): string {
  return sliErrorRatioExprOf(slo.sli, range);
}
