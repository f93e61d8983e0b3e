/**
 * Who leads, as this replica sees it: etcd3's election observer tells us when the leader
 * changes; a range read gives the leader's key and term (its create revision).
 */
import type { Election, ElectionObserver, Etcd3 } from 'etcd3';
import { Election as ElectionClass } from 'etcd3';
import type { Logger } from '@faultline/kit/logging';
import type { SchedulerMetrics } from './scheduler-metrics.js';

export interface LeaderSnapshot {
  leader: string | null;
  term: number | null;
  /** When this replica first saw this leader in this term. */
  since: Date | null;
}

export class LeaderView {
  private snapshot: LeaderSnapshot = { leader: null, term: null, since: null };
  private observer: ElectionObserver | undefined;
  private stopped = false;
  private readonly prefix: string;

  constructor(
    private readonly client: Etcd3,
    private readonly election: Election,
    private readonly opts: { logger: Logger; metrics: SchedulerMetrics; callTimeoutMs: number },
  ) {
    this.prefix = `${ElectionClass.prefix}/${election.name}/`;
  }

  get current(): LeaderSnapshot {
    return this.snapshot;
  }

  start(): void {
    void this.observe();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.observer?.cancel().catch(() => undefined);
  }

  /** Re-reads the leader key (on every observed change, and when our own role changes). */
  async refresh(): Promise<void> {
    const res = await this.client
      .getAll()
      .prefix(this.prefix)
      .sort('Create', 'Ascend')
      .limit(1)
      .options({ deadline: Date.now() + this.opts.callTimeoutMs })
      .exec();
    const kv = res.kvs[0];
    const leader = kv ? kv.value.toString() : null;
    const term = kv ? Number(kv.create_revision) : null;
    if (term !== this.snapshot.term || leader !== this.snapshot.leader) {
      this.snapshot = { leader, term, since: term === null ? null : new Date() };
      if (term !== null) this.opts.metrics.term.set(term);
      this.opts.logger.info({ leader, term }, 'leader changed');
    }
  }

  private async observe(): Promise<void> {
    while (!this.stopped) {
      try {
        const observer = await this.election.observe();
        this.observer = observer;
        const refresh = () =>
          void this.refresh().catch((err: unknown) =>
            this.opts.logger.debug({ err: String(err) }, 'leader refresh failed'),
          );
        refresh();
        observer.on('change', refresh);
        await new Promise<void>((resolve) => observer.once('error', () => resolve()));
        this.opts.logger.warn('leader observer failed; observing again');
      } catch (err) {
        this.opts.logger.debug({ err: String(err) }, 'cannot observe the election yet');
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
