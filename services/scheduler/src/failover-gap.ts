/**
 * The failover gap as a follower sees it: time from the last job record of one term to the
 * first record of the next, observed through a watch on the job log. It is the time the
 * cluster went without a working leader (plus at most one tick).
 *
 * The watch alone is not enough: a follower that starts (or re-watches) after the old
 * leader's last record would see only the new term and measure nothing. So each watch starts
 * with a read of the newest record (the baseline) and watches from the revision right after
 * that read: no record is missed, none is seen twice. This meter, not etcd3, also owns the
 * revision a watch resumes from after a disconnect (etcd3 resumes from the revision etcd
 * reported when the watch was re-created, which can lie past records not yet delivered).
 */
import type { Etcd3, IKeyValue, IWatchResponse, Watcher } from 'etcd3';
import type { Logger } from '@faultline/kit/logging';
import type { JobRecord } from './job-record.js';
import type { SchedulerMetrics } from './scheduler-metrics.js';

/** The newest record this meter knows of, and when it appeared (local monotonic ms). */
interface SeenRecord {
  term: number;
  seenAt: number;
}

export class FailoverGapMeter {
  private watcher: Watcher | undefined;
  private last: SeenRecord | undefined;
  /** Job-log revision up to which every record has been handled; undefined = read again. */
  private revision: number | undefined;
  private stopped = false;
  private wakeUp: (() => void) | undefined;
  private readonly established: Promise<void>;
  private markEstablished: () => void = () => undefined;

  constructor(
    private readonly client: Etcd3,
    private readonly jobsPrefix: string,
    private readonly opts: {
      instance: string;
      logger: Logger;
      metrics: SchedulerMetrics;
      /** Deadline of the baseline read. */
      callTimeoutMs: number;
    },
  ) {
    this.established = new Promise((resolve) => (this.markEstablished = resolve));
  }

  /**
   * Starts reading and watching the job log, retrying until etcd answers; resolves once the
   * first watch is established (it keeps re-watching after failures until {@link stop}).
   */
  start(): Promise<void> {
    void this.watchUntilStopped();
    return this.established;
  }

  /** performance.now() when the newest record appeared (estimated for the baseline); undefined before any. */
  get lastRecordSeenAt(): number | undefined {
    return this.last?.seenAt;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    await this.takeWatcher()
      ?.cancel()
      .catch(() => undefined);
  }

  /** Whoever takes the watcher cancels it (cancelling twice upsets etcd3's stream). */
  private takeWatcher(): Watcher | undefined {
    const watcher = this.watcher;
    this.watcher = undefined;
    return watcher;
  }

  private async watchUntilStopped(): Promise<void> {
    while (!this.stopped) {
      try {
        if (this.revision === undefined) await this.readBaseline();
        const from = (this.revision ?? 0) + 1;
        const watcher = await this.client
          .watch()
          .prefix(this.jobsPrefix)
          .startRevision(String(from))
          .create();
        this.watcher = watcher;
        if (this.stopped) break;
        this.markEstablished();
        const ended = await new Promise<'disconnected' | 'error'>((resolve) => {
          this.wakeUp = () => resolve('disconnected');
          watcher.on('data', (res: IWatchResponse) => this.onResponse(res));
          watcher.once('disconnected', () => resolve('disconnected'));
          watcher.once('error', (err: Error) => {
            this.opts.logger.warn({ err: err.message }, 'job log watch failed');
            resolve('error');
          });
        });
        await this.takeWatcher()
          ?.cancel()
          .catch(() => undefined);
        // A cancelled watch (e.g. its revision was compacted) cannot resume: read again.
        if (ended === 'error') this.revision = undefined;
        else if (!this.stopped)
          this.opts.logger.debug({ from: (this.revision ?? 0) + 1 }, 'job log watch resumes');
      } catch (err) {
        this.opts.logger.debug({ err: String(err) }, 'cannot watch the job log yet');
        this.revision = undefined;
      }
      if (!this.stopped) await new Promise((r) => setTimeout(r, 200));
    }
    await this.takeWatcher()
      ?.cancel()
      .catch(() => undefined);
  }

  /**
   * The newest record becomes the baseline. It was written before we looked, so when it
   * appeared is estimated from its own timestamp (the writer's clock; on one host, ours).
   */
  private async readBaseline(): Promise<void> {
    const res = await this.client
      .getAll()
      .prefix(this.jobsPrefix)
      .sort('Key', 'Descend')
      .limit(1)
      .options({ deadline: Date.now() + this.opts.callTimeoutMs })
      .exec();
    const kv = res.kvs[0];
    const record = kv ? parseRecord(kv) : undefined;
    if (record && (this.last === undefined || record.term !== this.last.term)) {
      const ageMs = Math.max(0, Date.now() - Date.parse(record.at)) || 0;
      this.last = { term: record.term, seenAt: performance.now() - ageMs };
    }
    this.revision = Number(res.header.revision);
  }

  private onResponse(res: IWatchResponse): void {
    for (const ev of res.events) {
      if (ev.type === 'Put') this.onRecord(ev.kv);
      this.revision = Math.max(this.revision ?? 0, Number(ev.kv.mod_revision));
    }
    // A progress notification: everything up to the header revision has been sent.
    if (res.events.length === 0)
      this.revision = Math.max(this.revision ?? 0, Number(res.header.revision));
  }

  private onRecord(kv: IKeyValue): void {
    const record = parseRecord(kv);
    if (!record) return;
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
  }
}

function parseRecord(kv: IKeyValue): JobRecord | undefined {
  try {
    const record = JSON.parse(kv.value.toString()) as Partial<JobRecord>;
    return typeof record.term === 'number' && typeof record.leader === 'string'
      ? (record as JobRecord)
      : undefined;
  } catch {
    return undefined;
  }
}
