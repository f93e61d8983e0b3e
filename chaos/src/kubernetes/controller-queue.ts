/**
 * The controller's work queue: at most one reconcile per object at a time; a change seen while
 * one runs makes it run once more. A reconcile returns when to look again (requeued after that
 * delay; the earliest request wins) or throws (requeued with exponential back-off, reported
 * through `onReconcileError`). `stop` cancels pending requeues and waits for running ones.
 */
import type { Logger } from '@faultline/kit/logging';

export interface ReconcileQueueOptions {
  /** Brings one object a step closer to what it asks; returns when to look again. */
  reconcile: (name: string) => Promise<number | undefined>;
  /** The requeue delay after `failures` consecutive failures. */
  backoff: (failures: number) => number;
  logger: Logger;
  onReconcileError?: (name: string, error: unknown, retryInMs: number) => void;
}

interface QueueEntry {
  running: boolean;
  dirty: boolean;
  timer?: NodeJS.Timeout;
  due?: number;
  failures: number;
}

/** `base` doubled per failure after the first, at most `max`. */
export function backoffMs(failures: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** Math.max(0, failures - 1));
}

export class ReconcileQueue {
  readonly #o: ReconcileQueueOptions;
  readonly #entries = new Map<string, QueueEntry>();
  readonly #inFlight = new Set<Promise<void>>();
  #stopped = false;

  constructor(options: ReconcileQueueOptions) {
    this.#o = options;
  }

  /** Queues a reconcile of `name` now, or after `delayMs` (the earliest request wins). */
  enqueue(name: string, delayMs = 0): void {
    if (this.#stopped || name === '') return;
    let e = this.#entries.get(name);
    if (!e) {
      e = { running: false, dirty: false, failures: 0 };
      this.#entries.set(name, e);
    }
    const entry = e;
    if (delayMs > 0) {
      const due = Date.now() + delayMs;
      if (entry.timer && entry.due !== undefined && entry.due <= due) return;
      clearTimeout(entry.timer);
      entry.due = due;
      entry.timer = setTimeout(() => {
        entry.timer = undefined;
        entry.due = undefined;
        this.enqueue(name);
      }, delayMs);
      return;
    }
    if (entry.running) {
      entry.dirty = true;
      return;
    }
    entry.running = true;
    const run = this.#drain(name, entry).finally(() => this.#inFlight.delete(run));
    this.#inFlight.add(run);
  }

  /** Drops a pending requeue of `name` (the object is gone). */
  forget(name: string): void {
    const e = this.#entries.get(name);
    if (e) clearTimeout(e.timer);
    if (e && !e.running) this.#entries.delete(name);
  }

  /** Cancels pending requeues and waits for the reconciles in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const e of this.#entries.values()) clearTimeout(e.timer);
    await Promise.allSettled([...this.#inFlight]);
  }

  /** One reconcile at a time per object; changes seen meanwhile run it once more. */
  async #drain(name: string, entry: QueueEntry): Promise<void> {
    do {
      entry.dirty = false;
      try {
        const requeueMs = await this.#o.reconcile(name);
        entry.failures = 0;
        if (requeueMs !== undefined) this.enqueue(name, Math.max(1, requeueMs));
      } catch (error) {
        const retryInMs = this.#o.backoff(++entry.failures);
        this.#o.logger.warn(
          { err: error, experiment: name, retryInMs },
          'reconcile failed; requeued',
        );
        this.#o.onReconcileError?.(name, error, retryInMs);
        this.enqueue(name, retryInMs);
      }
    } while (entry.dirty && !this.#stopped);
    entry.running = false;
  }
}
