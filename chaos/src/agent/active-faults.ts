/**
 * The agent's active faults, each with its TTL timer, its span and its recovery. A fault
 * leaves this table in exactly one way — removed, expired or replaced — and every way runs
 * its recovery, ends its span and counts it, so a dead controller never leaves a fault behind.
 */
import { SpanStatusCode, type Span, type Tracer } from '@opentelemetry/api';
import type { Logger } from '@faultline/kit/logging';
import type { AgentMetrics, RemovalReason } from './agent-metrics.js';
import type { ActiveFaultView, AppliedFault } from './fault-spec.js';

interface Entry {
  record: AppliedFault;
  expiresAtMs: number;
  timer: NodeJS.Timeout;
  span: Span;
  recover: () => void;
}

/** How a fault that is no longer active ended; `done` = a one-shot fault, done when applied. */
export type EndReason = RemovalReason | 'done';

/** Ended faults remembered (most recent), so a late remove or renew hears 410, not 404. */
const ENDED_REMEMBERED = 1000;

/** The `link` label of a fault: its link, or `app` for process faults. */
export function faultTarget(f: AppliedFault): string {
  return f.link ?? 'app';
}

export class ActiveFaults {
  private readonly entries = new Map<string, Entry>();
  private readonly endedFaults = new Map<string, { reason: EndReason; at: string }>();

  constructor(
    private readonly metrics: AgentMetrics,
    private readonly tracer: Tracer,
    private readonly logger: Logger,
  ) {}

  /** Opens the fault's span; call before applying so the span covers the whole fault. */
  startSpan(record: AppliedFault): Span {
    return this.tracer.startSpan(`fault ${record.type}`, {
      startTime: Date.parse(record.appliedAt),
      attributes: {
        'faultline.fault.id': record.id,
        'faultline.fault.type': record.type,
        'faultline.fault.target': faultTarget(record),
        'faultline.fault.params': JSON.stringify(record.params),
        'faultline.fault.ttl_ms': record.ttlMs,
        'faultline.experiment': record.experiment,
        ...(record.pid !== undefined ? { 'process.pid': record.pid } : {}),
      },
    });
  }

  /** Records an applied fault; `recover` undoes it when it ends. */
  add(record: AppliedFault, span: Span, recover: () => void): void {
    const labels = this.labels(record);
    this.metrics.faultApplied.inc(labels);
    this.endedFaults.delete(record.id);
    if (record.oneShot) {
      this.rememberEnded(record.id, 'done');
      span.setAttribute('faultline.fault.one_shot', true);
      span.end();
      this.logger.info({ fault: record }, 'one-shot fault applied');
      return;
    }
    const expiresAtMs = Date.parse(record.expiresAt);
    const entry: Entry = {
      record,
      expiresAtMs,
      span,
      recover,
      timer: this.timer(record.id, expiresAtMs),
    };
    this.entries.set(record.id, entry);
    this.metrics.faultActive.set(labels, 1);
    this.logger.info({ fault: record }, 'fault applied');
  }

  get(id: string): AppliedFault | undefined {
    return this.entries.get(id)?.record;
  }

  /** How and when a recently active fault ended; undefined for one never seen (or long gone). */
  ended(id: string): { reason: EndReason; at: string } | undefined {
    return this.endedFaults.get(id);
  }

  private rememberEnded(id: string, reason: EndReason): void {
    this.endedFaults.set(id, { reason, at: new Date().toISOString() });
    if (this.endedFaults.size > ENDED_REMEMBERED)
      this.endedFaults.delete(this.endedFaults.keys().next().value!);
  }

  /** Active faults, each with its remaining TTL. */
  list(now = Date.now()): ActiveFaultView[] {
    return [...this.entries.values()].map((e) => ({
      ...e.record,
      remainingMs: Math.max(0, e.expiresAtMs - now),
    }));
  }

  /** Faults matching `pred`, for replacement. */
  find(pred: (f: AppliedFault) => boolean): AppliedFault[] {
    return [...this.entries.values()].map((e) => e.record).filter(pred);
  }

  /** Moves the expiry to now + ttlMs; undefined when no such fault is active. */
  renew(id: string, ttlMs: number): ActiveFaultView | undefined {
    const e = this.entries.get(id);
    if (!e) return undefined;
    clearTimeout(e.timer);
    const now = Date.now();
    e.expiresAtMs = now + ttlMs;
    e.record = { ...e.record, ttlMs, expiresAt: new Date(e.expiresAtMs).toISOString() };
    e.timer = this.timer(id, e.expiresAtMs);
    e.span.addEvent('renewed', { 'faultline.fault.ttl_ms': ttlMs });
    this.logger.info({ fault: e.record }, 'fault renewed');
    return { ...e.record, remainingMs: ttlMs };
  }

  /** Ends a fault: recovers it, ends its span, counts it. False when it was not active. */
  remove(id: string, reason: RemovalReason): AppliedFault | undefined {
    const e = this.entries.get(id);
    if (!e) return undefined;
    this.entries.delete(id);
    this.rememberEnded(id, reason);
    clearTimeout(e.timer);
    const labels = this.labels(e.record);
    try {
      e.recover();
    } catch (err) {
      this.logger.error({ err, fault: e.record }, 'fault recovery failed');
      e.span.setStatus({ code: SpanStatusCode.ERROR, message: 'recovery failed' });
    }
    this.metrics.faultActive.remove(labels);
    this.metrics.faultRemoved.inc({ ...labels, reason });
    e.span.setAttribute('faultline.fault.end_reason', reason);
    e.span.end();
    this.logger.info({ fault: e.record, reason }, 'fault ended');
    return e.record;
  }

  /** Ends every fault (agent shutdown). */
  clear(reason: RemovalReason): void {
    for (const id of [...this.entries.keys()]) this.remove(id, reason);
  }

  private timer(id: string, expiresAtMs: number): NodeJS.Timeout {
    const t = setTimeout(() => this.remove(id, 'expired'), Math.max(0, expiresAtMs - Date.now()));
    t.unref(); // a TTL must never keep a stopping process alive
    return t;
  }

  private labels(f: AppliedFault) {
    return { fault: f.type, link: faultTarget(f), experiment: f.experiment };
  }
}
