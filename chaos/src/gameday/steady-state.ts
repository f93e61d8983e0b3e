/**
 * Steady-state checks: each a PromQL number compared with its tolerance (`>= 2`). Evaluated
 * repeatedly through the baseline (all must hold, or nothing is injected) and once after
 * recovery. No data is a failure to hold: an empty query proves nothing.
 */
import type { SteadyStateResult } from './journal.js';
import type { PrometheusClient } from './prometheus.js';
import { parseTolerance } from './spec.js';

export interface SteadyStateCheck {
  name: string;
  promql: string;
  tolerance: string;
}

export function holds(value: number | null, tolerance: string): boolean {
  const t = parseTolerance(tolerance);
  if (!t || value === null) return false;
  switch (t.op) {
    case '>=':
      return value >= t.value;
    case '<=':
      return value <= t.value;
    case '>':
      return value > t.value;
    case '<':
      return value < t.value;
    default:
      return value === t.value;
  }
}

/** Adds one evaluation of every check to `results` (created on first use). */
export async function evaluateSteadyState(
  prom: PrometheusClient,
  checks: readonly SteadyStateCheck[],
  when: 'before' | 'after',
  results: SteadyStateResult[],
): Promise<void> {
  await Promise.all(
    checks.map(async (c) => {
      let r = results.find((x) => x.name === c.name && x.when === when);
      if (!r) {
        r = {
          name: c.name,
          query: c.promql,
          tolerance: c.tolerance,
          when,
          ok: true,
          samples: [],
          detail: '',
        };
        results.push(r);
      }
      const at = Date.now();
      let value: number | null = null;
      let error: string | undefined;
      try {
        value = await prom.scalar(c.promql);
      } catch (e) {
        error = (e as Error).message;
      }
      r.samples.push({ at, value });
      const seen = `${value === null ? (error ?? 'no data') : value} at ${new Date(at).toISOString()}, expected ${c.tolerance}`;
      if (!holds(value, c.tolerance)) {
        // The first failure is the one to report: it is when the steady state broke.
        if (r.ok) r.detail = seen;
        r.ok = false;
      } else if (r.ok) {
        r.detail = `held in ${r.samples.length} evaluation${r.samples.length === 1 ? '' : 's'} (last ${value})`;
      }
    }),
  );
}
