/**
 * Evaluates k6 threshold expressions (`rate<=0.005`, `p(99)<=300`, `count>0`) on metric
 * selections (`http_req_failed{sli_availability:booking-availability}`) against the run so far,
 * as k6 does: trends in ms, `http_req_failed` as a rate, counters with count and rate.
 */
import { parseDuration } from './duration.js';
import { type RunStats, trendStats } from './run-stats.js';
import type { Threshold } from './slo-thresholds.js';

export interface ThresholdResult {
  /** The metric selection, e.g. `http_req_duration{route:/bookings}`. */
  metric: string;
  expression: string;
  abortOnFail: boolean;
  /** Milliseconds into the run before an abort may happen. */
  delayAbortEvalMs: number;
  /** The aggregate's value (ms for trends, 0..1 for rates). */
  value: number;
  ok: boolean;
}

const METRIC = /^([a-z_]+)(?:\{(.*)\})?$/;
const EXPRESSION =
  /^\s*(avg|min|max|med|count|rate|value|p\((\d+(?:\.\d+)?)\))\s*(<=|>=|==|===|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/;
const KINDS: Record<string, 'trend' | 'rate' | 'counter'> = {
  http_req_duration: 'trend',
  http_req_failed: 'rate',
  checks: 'rate',
  http_reqs: 'counter',
  iterations: 'counter',
  dropped_iterations: 'counter',
};

/** A threshold that cannot be evaluated names itself; scenario compilation never makes one. */
export function parseMetricKey(key: string): { name: string; filter: Record<string, string> } {
  const m = METRIC.exec(key);
  if (!m || !KINDS[m[1]!])
    throw new Error(
      `threshold metric ${JSON.stringify(key)}: allowed: ${Object.keys(KINDS).join(', ')}`,
    );
  const filter: Record<string, string> = {};
  for (const part of (m[2] ?? '').split(',').filter(Boolean)) {
    const i = part.indexOf(':');
    if (i <= 0) throw new Error(`threshold metric ${JSON.stringify(key)}: expected {tag:value}`);
    filter[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return { name: m[1]!, filter };
}

/** Evaluates every threshold; `elapsedMs` gives counter rates. */
export function evaluateThresholds(
  thresholds: Readonly<Record<string, readonly Threshold[]>>,
  stats: RunStats,
  elapsedMs: number,
): ThresholdResult[] {
  const out: ThresholdResult[] = [];
  for (const [metric, list] of Object.entries(thresholds)) {
    const { name, filter } = parseMetricKey(metric);
    const steps = stats.stepsMatching(filter);
    const trend = KINDS[name] === 'trend' ? trendStats(stats.durationsOf(steps)) : undefined;
    for (const t of list) {
      const expression = typeof t === 'string' ? t : t.threshold;
      const m = EXPRESSION.exec(expression);
      if (!m) throw new Error(`threshold ${metric}: cannot read ${JSON.stringify(expression)}`);
      const [, agg, p, op, limit] = m as unknown as [
        string,
        string,
        string | undefined,
        string,
        string,
      ];
      const value = aggregate(name, agg, p, steps, stats, trend, elapsedMs);
      out.push({
        metric,
        expression,
        abortOnFail: typeof t !== 'string' && t.abortOnFail,
        delayAbortEvalMs: typeof t === 'string' ? 0 : (parseDuration(t.delayAbortEval) ?? 0),
        value,
        ok: compare(value, op, Number(limit)),
      });
    }
  }
  return out;
}

function aggregate(
  name: string,
  agg: string,
  p: string | undefined,
  steps: Set<number>,
  stats: RunStats,
  trend: ReturnType<typeof trendStats> | undefined,
  elapsedMs: number,
): number {
  if (trend) {
    if (p !== undefined) return trend.percentile(Number(p));
    if (agg === 'avg' || agg === 'min' || agg === 'max' || agg === 'med' || agg === 'count')
      return trend[agg];
  } else if (name === 'http_req_failed' || name === 'checks') {
    const f = stats.failures(steps);
    const share = f.total === 0 ? 0 : f.failed / f.total;
    if (agg === 'rate' || agg === 'value') return name === 'checks' ? 1 - share : share;
  } else {
    const count =
      name === 'dropped_iterations' ? stats.droppedOf(steps) : stats.failures(steps).total;
    if (agg === 'count') return count;
    if (agg === 'rate') return elapsedMs > 0 ? count / (elapsedMs / 1000) : 0;
  }
  throw new Error(`threshold on ${name}: ${agg} is not one of its aggregates`);
}

function compare(v: number, op: string, limit: number): boolean {
  switch (op) {
    case '<':
      return v < limit;
    case '<=':
      return v <= limit;
    case '>':
      return v > limit;
    case '>=':
      return v >= limit;
    case '!=':
      return v !== limit;
    default:
      return v === limit;
  }
}
