/**
 * Every finished request's duration (from its scheduled start), step and failure flag, kept in
 * memory for exact percentiles: a 10-minute game day at 200 req/s is 120 000 numbers. Metric
 * selections (`http_req_duration{route:/bookings}`) are sets of steps, since tags are per step.
 */
import type { CompiledStep } from './compiled-scenario.js';

/** Trend statistics in ms, k6's names (`p(99)` and any other percentile on demand). */
export interface TrendStats {
  count: number;
  avg: number;
  min: number;
  med: number;
  max: number;
  percentile(p: number): number;
}

export class RunStats {
  readonly durations: number[] = [];
  readonly stepOf: number[] = [];
  readonly failedFlags: boolean[] = [];
  readonly droppedByStep: number[];
  /** Requests that got an HTTP response with status < 500 (the `status < 500` check passes). */
  checksPassed = 0;

  constructor(readonly steps: readonly CompiledStep[]) {
    this.droppedByStep = steps.map(() => 0);
  }

  done(step: number, durationMs: number, failed: boolean): void {
    this.durations.push(durationMs);
    this.stepOf.push(step);
    this.failedFlags.push(failed);
    if (!failed) this.checksPassed++;
  }

  drop(step: number): void {
    this.droppedByStep[step]!++;
  }

  get completed(): number {
    return this.durations.length;
  }

  get dropped(): number {
    return this.droppedByStep.reduce((a, b) => a + b, 0);
  }

  /** Steps whose tags carry every `tag:value` of `filter` (all steps for `{}`). */
  stepsMatching(filter: Readonly<Record<string, string>>): Set<number> {
    const out = new Set<number>();
    this.steps.forEach((s, i) => {
      if (
        Object.entries(filter).every(
          ([k, v]) => s.tags[k] === v || (k === 'method' && s.method === v),
        )
      )
        out.add(i);
    });
    return out;
  }

  /** Durations (ms) of completed requests of `steps`, from index `from` on (for live windows). */
  durationsOf(steps: Set<number>, from = 0): number[] {
    const out: number[] = [];
    for (let i = from; i < this.durations.length; i++)
      if (steps.has(this.stepOf[i]!)) out.push(this.durations[i]!);
    return out;
  }

  /** Failed and total completed requests of `steps`, from index `from` on. */
  failures(steps: Set<number>, from = 0): { failed: number; total: number } {
    let failed = 0;
    let total = 0;
    for (let i = from; i < this.durations.length; i++) {
      if (!steps.has(this.stepOf[i]!)) continue;
      total++;
      if (this.failedFlags[i]) failed++;
    }
    return { failed, total };
  }

  droppedOf(steps: Set<number>): number {
    let n = 0;
    for (const s of steps) n += this.droppedByStep[s]!;
    return n;
  }
}

/** Trend statistics over `values` (ms); empty input gives zeros, as k6 reports. */
export function trendStats(values: readonly number[]): TrendStats {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const percentile = (p: number) => {
    if (n === 0) return 0;
    // k6's percentile: linear interpolation between closest ranks.
    const rank = (p / 100) * (n - 1);
    const lo = Math.floor(rank);
    const hi = Math.min(n - 1, lo + 1);
    return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
  };
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: n,
    avg: n === 0 ? 0 : sum / n,
    min: n === 0 ? 0 : sorted[0]!,
    med: percentile(50),
    max: n === 0 ? 0 : sorted[n - 1]!,
    percentile,
  };
}
