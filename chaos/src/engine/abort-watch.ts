/**
 * Abort conditions: every `spec.safety.abortWhen` PromQL expression is queried about once a
 * second; one that returns at least one sample (for `for`, when given) trips the watch.
 */
import type { AbortCondition } from '../experiment/spec.js';
import { abortableSleep } from './abortable-sleep.js';

export interface AbortTrip {
  promql: string;
  /** Why it tripped, in words (the samples seen, how long it held). */
  reason: string;
}

/** Evaluates a PromQL instant query; true when it returns at least one sample. */
async function promqlHolds(
  prometheusUrl: string,
  promql: string,
): Promise<{ holds: boolean; samples: number }> {
  const url = new URL('/api/v1/query', prometheusUrl);
  url.searchParams.set('query', promql);
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  const body = (await res.json()) as {
    status: string;
    error?: string;
    data?: { resultType: string; result: unknown };
  };
  if (body.status !== 'success') throw new Error(`PromQL ${promql}: ${body.error ?? res.status}`);
  const r = body.data?.result;
  // Scalars/strings are a pair [time, value]; vectors and matrices a list of series.
  const samples =
    body.data?.resultType === 'scalar' || body.data?.resultType === 'string'
      ? 1
      : Array.isArray(r)
        ? r.length
        : 0;
  return { holds: samples > 0, samples };
}

/**
 * One pass over the conditions: the first that has held for its `for` (tracked in `since`,
 * condition index → first time seen holding, kept by the caller between passes) trips.
 * Query errors are returned, never trips.
 */
export async function checkAbortConditions(
  prometheusUrl: string,
  conditions: readonly AbortCondition[],
  since: Map<number, number>,
): Promise<{ trip?: AbortTrip; errors: string[] }> {
  const errors: string[] = [];
  for (const [i, c] of conditions.entries()) {
    try {
      const { holds, samples } = await promqlHolds(prometheusUrl, c.promql);
      if (!holds) {
        since.delete(i);
        continue;
      }
      const first = since.get(i) ?? Date.now();
      since.set(i, first);
      const heldMs = Date.now() - first;
      if (heldMs >= (c.for ?? 0))
        return {
          trip: {
            promql: c.promql,
            reason: `abort condition holds (${samples} sample${samples === 1 ? '' : 's'}${c.for ? `, for ${Math.round(heldMs / 1000)} s` : ''}): ${c.promql}`,
          },
          errors,
        };
    } catch (e) {
      errors.push(`abort condition could not be evaluated: ${(e as Error).message}`);
    }
  }
  return { errors };
}

/**
 * Polls every condition every `intervalMs` until `signal` aborts; calls `onTrip` once with
 * the first condition that held long enough. Query errors are reported, never trips.
 */
export function watchAbortConditions(opts: {
  prometheusUrl: string;
  conditions: readonly AbortCondition[];
  intervalMs: number;
  signal: AbortSignal;
  onTrip: (trip: AbortTrip) => void;
  onError: (message: string) => void;
}): void {
  const since = new Map<number, number>();
  let tripped = false;
  let lastError = '';
  const tick = async () => {
    if (tripped || opts.signal.aborted) return;
    const { trip, errors } = await checkAbortConditions(opts.prometheusUrl, opts.conditions, since);
    for (const message of errors) {
      if (message !== lastError) opts.onError(message);
      lastError = message;
    }
    if (trip && !opts.signal.aborted) {
      tripped = true;
      opts.onTrip(trip);
    }
  };
  const loop = async () => {
    while (!tripped && !opts.signal.aborted) {
      await tick();
      await abortableSleep(opts.intervalMs, opts.signal);
    }
  };
  void loop();
}
