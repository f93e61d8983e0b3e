/**
 * Leadership for one replica: campaigns with etcd3's election API on a lease, learns its
 * term (the create revision of its campaign key), and keeps a {@link LeaseGuard} that proves
 * the lease from dated keep-alives. The replica acts only while the guard can prove the
 * lease (minus the margin); when it cannot, it steps down — resigning if etcd answers —
 * and campaigns again.
 */
import { Election, type Campaign, type Etcd3 } from 'etcd3';
import { SpanStatusCode, type Span, type Tracer } from '@opentelemetry/api';
import type { Logger } from '@faultline/kit/logging';
import { withTimeout } from '@faultline/kit/deadline';
import { etcdKeepAliveOnce } from './etcd-keepalive.js';
import type { Leadership } from './fenced-job-log.js';
import { LeaseGuard } from './lease-guard.js';
import type { SchedulerMetrics } from './scheduler-metrics.js';

export type StepDownReason =
  'lease-margin' | 'lease-lost' | 'fence-rejected' | 'campaign-error' | 'key-missing' | 'shutdown';

/** The term this replica holds, as the job runner sees it. */
export interface ActingTerm extends Leadership {
  since: Date;
}

export interface LeaderElectorOptions {
  client: Etcd3;
  election: string;
  instance: string;
  ttlS: number;
  keepAliveMs: number;
  marginMs: number;
  /** false = act on the fence alone (demo switch; see README). */
  leaseGuard: boolean;
  logger: Logger;
  metrics: SchedulerMetrics;
  tracer: Tracer;
  /** Timeout for etcd calls made here (term lookup, resign). */
  callTimeoutMs: number;
}

export interface LeaderElectorEvents {
  onElected?: (term: ActingTerm) => void;
  onSteppedDown?: (term: ActingTerm, reason: StepDownReason) => void;
}

const MAX_RETRY_DELAY_MS = 1000;

export class LeaderElector {
  private readonly electionHandle: Election;
  private readonly keyPrefix: string;
  private generation = 0;
  private campaign: Campaign | undefined;
  private guard: LeaseGuard | undefined;
  private term: ActingTerm | undefined;
  private stopped = false;
  private retryDelayMs = 100;
  /** Guard off only: etcd said our lease is gone, but the fence has not rejected us yet. */
  private leaseLostWhileActing = false;
  private readonly listeners: LeaderElectorEvents[] = [];

  constructor(private readonly opts: LeaderElectorOptions) {
    this.electionHandle = opts.client.election(opts.election, opts.ttlS);
    this.keyPrefix = `${Election.prefix}/${opts.election}/`;
  }

  /** The etcd election, for observers of the same election. */
  get election(): Election {
    return this.electionHandle;
  }

  /** Adds listeners for role changes (called synchronously, in registration order). */
  on(events: LeaderElectorEvents): void {
    this.listeners.push(events);
  }

  start(): void {
    void this.runCampaign();
  }

  /** True while this replica holds a term (it may still fail the guard at the next check). */
  get isLeader(): boolean {
    return this.term !== undefined;
  }

  get currentTerm(): ActingTerm | undefined {
    return this.term;
  }

  /**
   * The term to act in right now, with the epoch-ms deadline for the act, or undefined when
   * this replica must not act. With the guard on, a lapsed proof steps down here too.
   */
  actingTerm(): { term: ActingTerm; deadlineMs: number } | undefined {
    const term = this.term;
    if (!term) return undefined;
    if (!this.opts.leaseGuard) return { term, deadlineMs: Date.now() + this.opts.ttlS * 1000 };
    const remaining = this.guard?.remainingMs() ?? 0;
    if (remaining <= 0) {
      this.stepDown('lease-margin');
      return undefined;
    }
    return { term, deadlineMs: Date.now() + remaining };
  }

  /** Stops acting now and campaigns again (used when the fence rejected a write). */
  stepDown(reason: StepDownReason): void {
    this.restart(this.generation, reason);
  }

  /** Shutdown: stop campaigning and delete our key so a follower takes over at once. */
  async resign(): Promise<void> {
    this.stopped = true;
    this.generation++;
    const campaign = this.relinquish('shutdown');
    if (!campaign) return;
    await withTimeout(() => campaign.resign(), this.opts.callTimeoutMs).then(
      () => this.opts.logger.info('resigned: leader key deleted'),
      (err: unknown) =>
        this.opts.logger.warn({ err }, 'resign failed; the lease will expire by itself'),
    );
  }

  private async runCampaign(): Promise<void> {
    if (this.stopped) return;
    const gen = ++this.generation;
    const { logger, tracer, instance } = this.opts;
    const span = tracer.startSpan('scheduler.campaign', {
      attributes: { 'scheduler.instance': instance, 'scheduler.election': this.opts.election },
    });
    const grantSentAt = performance.now();
    const campaign = this.electionHandle.campaign(instance);
    this.campaign = campaign;
    let keyReady: (key: string | undefined) => void = () => undefined;
    const key = new Promise<string | undefined>((resolve) => (keyReady = resolve));
    campaign.on('error', (err: Error) => {
      if (gen !== this.generation) return;
      logger.warn({ err: err.message }, 'campaign failed');
      endSpan(span, err);
      keyReady(undefined);
      this.restart(gen, this.term ? 'lease-lost' : 'campaign-error');
    });
    campaign.once('elected', () => void this.onElected(gen, key, span));
    try {
      const campaignKey = await campaign.getCampaignKey();
      if (gen !== this.generation) return;
      this.retryDelayMs = 100;
      const leaseId = campaignKey.slice(this.keyPrefix.length);
      const guard = new LeaseGuard({
        ttlMs: this.opts.ttlS * 1000,
        intervalMs: this.opts.keepAliveMs,
        marginMs: this.opts.marginMs,
        keepAliveOnce: etcdKeepAliveOnce(this.opts.client, leaseId, this.opts.ttlS * 1000),
        onUnprovable: () => {
          if (gen !== this.generation || !this.term) return;
          logger.warn({ term: this.term.term }, 'lease no longer provable within the margin');
          if (this.opts.leaseGuard) this.restart(gen, 'lease-margin');
        },
        onLost: () => {
          if (gen !== this.generation) return;
          logger.warn({ leaseId }, 'etcd says our lease is gone');
          this.restart(gen, 'lease-lost');
        },
        onKeepAliveFailed: (err) => {
          this.opts.metrics.keepAliveFailures.inc();
          logger.debug(
            { err: err instanceof Error ? err.message : String(err) },
            'keep-alive failed',
          );
        },
      });
      this.guard = guard;
      guard.start(grantSentAt);
      span.setAttribute('scheduler.leader_key', campaignKey);
      keyReady(campaignKey);
    } catch {
      keyReady(undefined); // the 'error' event restarts the campaign
    }
  }

  private async onElected(
    gen: number,
    keyPromise: Promise<string | undefined>,
    span: Span,
  ): Promise<void> {
    const key = await keyPromise;
    if (gen !== this.generation || key === undefined) return;
    const { client, logger, metrics } = this.opts;
    try {
      const res = await client
        .get(key)
        .options({ deadline: Date.now() + this.opts.callTimeoutMs })
        .exec();
      if (gen !== this.generation) return;
      const kv = res.kvs[0];
      if (!kv) {
        endSpan(span, new Error('campaign key vanished before we could act'));
        return this.restart(gen, 'key-missing');
      }
      if (this.opts.leaseGuard && !this.guard?.isProvablyHeld()) {
        endSpan(span, new Error('elected on a lease we cannot prove'));
        return this.restart(gen, 'lease-margin');
      }
      const term: ActingTerm = {
        leaderKey: key,
        term: Number(kv.create_revision),
        leader: this.opts.instance,
        since: new Date(),
      };
      this.term = term;
      metrics.isLeader.set(1);
      metrics.transitions.inc({ transition: 'elected', reason: 'campaign-won' });
      span.setAttribute('scheduler.term', term.term);
      endSpan(span);
      logger.info({ term: term.term, leaderKey: key }, 'elected leader');
      for (const l of this.listeners) l.onElected?.(term);
    } catch (err) {
      if (gen !== this.generation) return;
      endSpan(span, err);
      logger.warn(
        { err: err instanceof Error ? err.message : String(err) },
        'could not read our term',
      );
      this.restart(gen, 'campaign-error');
    }
  }

  /** Drops leadership and the campaign of generation `gen`, then campaigns again. */
  private restart(gen: number, reason: StepDownReason): void {
    if (gen !== this.generation || this.stopped) return;
    if (!this.opts.leaseGuard && this.term && reason === 'lease-lost') {
      // Guard off (the demo switch): only the fence ends a term. Otherwise whether a resumed
      // leader's overdue write reaches etcd would be a race against its lease keep-alive.
      if (!this.leaseLostWhileActing) {
        this.leaseLostWhileActing = true;
        this.opts.logger.warn(
          { term: this.term.term },
          'lease lost; lease guard off, so acting until the fence rejects a write',
        );
      }
      return;
    }
    this.generation++;
    const campaign = this.relinquish(reason);
    if (campaign) {
      // Best effort: if etcd answers, a follower takes over now instead of after the TTL.
      void withTimeout(() => campaign.resign(), this.opts.callTimeoutMs).catch((err: unknown) =>
        this.opts.logger.debug(
          { err: err instanceof Error ? err.message : String(err) },
          'resign after step-down failed',
        ),
      );
    }
    const delay = this.retryDelayMs;
    this.retryDelayMs = Math.min(MAX_RETRY_DELAY_MS, this.retryDelayMs * 2);
    setTimeout(() => void this.runCampaign(), delay);
  }

  /** Stops acting and renewing; returns the campaign to resign. */
  private relinquish(reason: StepDownReason): Campaign | undefined {
    this.leaseLostWhileActing = false;
    this.guard?.stop();
    this.guard = undefined;
    const term = this.term;
    if (term) {
      this.term = undefined;
      this.opts.metrics.isLeader.set(0);
      this.opts.metrics.transitions.inc({ transition: 'stepped-down', reason });
      this.opts.logger.warn({ term: term.term, reason }, 'stepped down');
      for (const l of this.listeners) l.onSteppedDown?.(term, reason);
    }
    const campaign = this.campaign;
    this.campaign = undefined;
    campaign?.removeAllListeners('elected');
    return campaign;
  }
}

const ended = new WeakSet<Span>();

/** Ends `span` once (a campaign can fail after it was won), marking it failed on `err`. */
function endSpan(span: Span, err?: unknown): void {
  if (ended.has(span)) return;
  ended.add(span);
  if (err !== undefined) {
    const e = err instanceof Error ? err : new Error(JSON.stringify(err));
    span.recordException(e);
    span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
  }
  span.end();
}
