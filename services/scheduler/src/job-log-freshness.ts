/**
 * Is the fenced job log advancing? Every replica (leader or not) checks, once per tick, how
 * long ago the newest job record appeared in its watch of the log, and counts the check as
 * `fresh` or `stale` (`faultline_scheduler_job_log_checks_total{result}`); the age itself is
 * `faultline_scheduler_job_log_age_seconds`. The ratio of stale checks is the scheduler's
 * freshness SLI (slos/scheduler-freshness.yaml): it rises while no leader writes, whether the
 * leader died, was partitioned or was fenced off, and a follower still counts when the leader
 * is gone. Nothing is counted before the first record is seen: a log that never started is the
 * playground starting, not the log falling behind.
 */
import type { SchedulerMetrics } from './scheduler-metrics.js';

export interface JobLogFreshnessOptions {
  /** performance.now() when the newest record appeared; undefined before the first. */
  lastRecordSeenAt: () => number | undefined;
  /** How often to check (the scheduler's tick). */
  intervalMs: number;
  /** Age beyond which the log counts as stale. */
  staleAfterMs: number;
  metrics: SchedulerMetrics;
}

/** Stale after three ticks: one missed tick and a slow fenced write are still fresh. */
export function staleAfterMsFor(tickMs: number): number {
  return 3 * tickMs;
}

export class JobLogFreshness {
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: JobLogFreshnessOptions) {
    // Both series exist from the start, so a rate over them reads 0 rather than "no data".
    opts.metrics.jobLogChecks.inc({ result: 'fresh' }, 0);
    opts.metrics.jobLogChecks.inc({ result: 'stale' }, 0);
  }

  start(): void {
    this.#timer = setInterval(() => this.check(), this.opts.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** One check; returns what it counted (exported for tests). */
  check(now = performance.now()): 'fresh' | 'stale' | 'not-started' {
    const seenAt = this.opts.lastRecordSeenAt();
    if (seenAt === undefined) return 'not-started';
    const ageMs = Math.max(0, now - seenAt);
    const result = ageMs > this.opts.staleAfterMs ? 'stale' : 'fresh';
    this.opts.metrics.jobLogAge.set(ageMs / 1000);
    this.opts.metrics.jobLogChecks.inc({ result });
    return result;
  }
}
