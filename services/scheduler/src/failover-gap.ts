/**
 * The failover gap as a follower sees it: time from the last job record of one term to the
 * first record of the next, observed through a watch on the job log. It is the time the
 * cluster went without a working leader (plus at most one tick).
 */
import type { Etcd3, Watcher } from 'etcd3';
import type { Logger } from '@faultline/kit/logging';
import type { JobRecord } from './job-record.js';
import type { SchedulerMetrics } from './scheduler-metrics.js';

export class FailoverGapMeter {
  private watcher: Watcher | undefined;
  private last: { term: number; seenAt: number } | undefined;

  constructor(
    private readonly client: Etcd3,
    private readonly jobsPrefix: string,
    private readonly opts: { instance: string; logger: Logger; metrics: SchedulerMetrics },
  ) {}

  private stopped = false;

  /** Starts watching, retrying until etcd answers; resolves once the watch is established. */
  start(): Promise<void> {
    return this.watchUntilStopped();
  }

  private async watchUntilStopped(): Promise<void> {
    while (!this.stopped && !this.watcher) {
      try {
        this.watcher = await this.client.watch().prefix(this.jobsPrefix).create();
      } catch (err) {
        this.opts.logger.debug({ err: String(err) }, 'cannot watch the job log yet');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    if (!this.watcher) return;
    this.watcher.on('put', (kv) => {
      let record: JobRecord;
      try {
        record = JSON.parse(kv.value.toString()) as JobRecord;
      } catch {
        return;
      }
      const now = performance.now();
      const last = this.last;
      this.last = { term: record.term, seenAt: now };
      // Followers only: the new leader saw no gap, it caused the end of one.
      if (last && record.term !== last.term && record.leader !== this.opts.instance) {
        const gapS = (now - last.seenAt) / 1000;
        this.opts.metrics.failoverGap.observe(gapS);
        this.opts.logger.info(
          { fromTerm: last.term, toTerm: record.term, gapS },
          'failover observed',
        );
      }
    });
    this.watcher.on('error', (err) =>
      this.opts.logger.warn({ err: err.message }, 'job log watch failed'),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.watcher?.cancel().catch(() => undefined);
  }
}
