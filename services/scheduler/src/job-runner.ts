/**
 * The leader's periodic work: every tick, if this replica may act, run the job and append
 * its record to the job log through the fence. Ticks never overlap; a write rejected by the
 * fence means we were deposed without noticing, so we step down at once.
 */
import { SpanStatusCode, type Tracer } from '@opentelemetry/api';
import type { Logger } from '@faultline/kit/logging';
import type { FencedJobLog } from './fenced-job-log.js';
import type { LeaderElector } from './leader-elector.js';
import type { SchedulerMetrics } from './scheduler-metrics.js';

export interface JobRunnerOptions {
  elector: LeaderElector;
  jobLog: FencedJobLog;
  tickMs: number;
  logger: Logger;
  metrics: SchedulerMetrics;
  tracer: Tracer;
}

export class JobRunner {
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  /** Epoch ms when the last fenced write was sent (shown on step-down). */
  private lastWriteAt: number | undefined;

  constructor(private readonly opts: JobRunnerOptions) {
    opts.elector.on({
      onElected: () => {
        opts.jobLog.reset();
        // First job right away: the gap a failover leaves should not include a tick.
        setImmediate(() => void this.tick());
      },
      onSteppedDown: (term, reason) => {
        opts.logger.warn(
          { term: term.term, reason, lastWriteAt: this.lastWriteAt },
          'leader work stopped',
        );
      },
    });
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.opts.tickMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One tick; exported for tests. */
  async tick(): Promise<void> {
    if (this.busy) return;
    const acting = this.opts.elector.actingTerm();
    if (!acting) return;
    this.busy = true;
    const { tracer, metrics, logger, jobLog, elector } = this.opts;
    const { term, deadlineMs } = acting;
    try {
      await tracer.startActiveSpan(
        'scheduler.job_tick',
        { attributes: { 'scheduler.term': term.term } },
        async (tickSpan) => {
          try {
            await tracer.startActiveSpan('scheduler.fenced_write', async (span) => {
              const at = new Date();
              this.lastWriteAt = at.getTime();
              try {
                const res = await jobLog.append(term, at, deadlineMs);
                metrics.fencedWrites.inc({ result: res.result });
                span.setAttribute('scheduler.write_result', res.result);
                if (res.result === 'accepted') {
                  span.setAttribute('scheduler.seq', res.record.seq);
                  logger.debug({ seq: res.record.seq, term: term.term }, 'job recorded');
                } else if (res.result === 'rejected-stale') {
                  span.setStatus({ code: SpanStatusCode.ERROR, message: 'fenced: stale term' });
                  logger.warn(
                    { term: term.term, leaderKeyRevision: res.leaderKeyRevision },
                    'fenced write rejected: our term is over',
                  );
                  if (elector.currentTerm === term) elector.stepDown('fence-rejected');
                }
              } catch (err) {
                metrics.fencedWrites.inc({ result: 'error' });
                span.recordException(err as Error);
                span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
                logger.warn(
                  { err: (err as Error).message, term: term.term },
                  'fenced write failed',
                );
              } finally {
                span.end();
              }
            });
          } finally {
            tickSpan.end();
          }
        },
      );
    } finally {
      this.busy = false;
    }
  }
}
