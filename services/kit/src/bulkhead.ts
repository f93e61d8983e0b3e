/**
 * A bulkhead: at most `maxConcurrent` calls run at once, at most `maxQueue` wait, the rest are
 * refused at once. A slow dependency then ties up a bounded share of the process instead of
 * every request, and the queue length is the saturation signal (USE) to watch.
 */

export type BulkheadRejectReason = 'queue-full' | 'queue-timeout';

/** Observation points, called synchronously; they must not throw. */
export interface BulkheadHooks {
  onReject?(reason: BulkheadRejectReason): void;
  /** After every change of the counts; `saturation` is {@link Bulkhead.saturation}. */
  onChange?(active: number, queued: number, saturation: number): void;
}

export interface BulkheadOptions {
  /** Name for errors and metrics labels. */
  name: string;
  /** Calls running at once; at least 1. */
  maxConcurrent: number;
  /** Calls waiting for a slot; 0 refuses whatever cannot run at once. */
  maxQueue: number;
  /** Longest wait in the queue, in ms. Default: no limit. */
  queueTimeoutMs?: number;
  hooks?: BulkheadHooks;
}

/** Thrown instead of running a call the bulkhead has no room for. */
export class BulkheadRejectedError extends Error {
  readonly isBulkheadRejectedError = true;
  override readonly name = 'BulkheadRejectedError';

  constructor(
    readonly bulkhead: string,
    readonly reason: BulkheadRejectReason,
  ) {
    super(`bulkhead ${bulkhead} rejected the call: ${reason}`);
  }
}

/** Brand guard: works across copies of this package, where `instanceof` does not. */
export function isBulkheadRejectedError(e: unknown): e is BulkheadRejectedError {
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as { isBulkheadRejectedError?: unknown }).isBulkheadRejectedError === true
  );
}

interface Waiter {
  /** Called with the slot already counted as active: it is handed over, not re-acquired. */
  admit(): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** Concurrency limit with a bounded FIFO queue. */
export class Bulkhead {
  readonly name: string;
  readonly #maxConcurrent: number;
  readonly #maxQueue: number;
  readonly #queueTimeoutMs: number | undefined;
  readonly #hooks: BulkheadHooks;
  #active = 0;
  readonly #queue: Waiter[] = [];

  constructor(opts: BulkheadOptions) {
    if (!(opts.maxConcurrent >= 1)) throw new RangeError('Bulkhead: maxConcurrent must be >= 1');
    if (!(opts.maxQueue >= 0)) throw new RangeError('Bulkhead: maxQueue must be >= 0');
    this.name = opts.name;
    this.#maxConcurrent = opts.maxConcurrent;
    this.#maxQueue = opts.maxQueue;
    this.#queueTimeoutMs = opts.queueTimeoutMs;
    this.#hooks = opts.hooks ?? {};
  }

  get active(): number {
    return this.#active;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Share of the room in use, 0..1: (active + queued) / (maxConcurrent + maxQueue). */
  get saturation(): number {
    return (this.#active + this.#queue.length) / (this.#maxConcurrent + this.#maxQueue);
  }

  /**
   * Runs `fn` when a slot is free. Rejects with a {@link BulkheadRejectedError} when the queue
   * is full or the wait times out, and with `signal`'s reason if it aborts while queued (a
   * request whose deadline passed should not hold a place in line).
   */
  async execute<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    if (this.#active < this.#maxConcurrent) {
      this.#active++;
      this.#changed();
    } else {
      await this.#enqueue(signal);
    }
    try {
      return await fn();
    } finally {
      this.#release();
    }
  }

  #enqueue(signal: AbortSignal | undefined): Promise<void> {
    if (this.#queue.length >= this.#maxQueue) return Promise.reject(this.#reject('queue-full'));
    return new Promise<void>((resolve, reject) => {
      const leave = () => {
        const i = this.#queue.indexOf(waiter);
        if (i >= 0) this.#queue.splice(i, 1);
        clearTimeout(waiter.timer);
        signal?.removeEventListener('abort', onAbort);
        this.#changed();
      };
      const onAbort = () => {
        leave();
        reject(signal?.reason as Error);
      };
      const waiter: Waiter = {
        admit: () => {
          clearTimeout(waiter.timer);
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        timer:
          this.#queueTimeoutMs === undefined
            ? undefined
            : setTimeout(() => {
                leave();
                reject(this.#reject('queue-timeout'));
              }, this.#queueTimeoutMs),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(waiter);
      this.#changed();
    });
  }

  #release(): void {
    const next = this.#queue.shift();
    // Hand the slot straight to the next waiter so a newcomer cannot jump the queue.
    if (next) next.admit();
    else this.#active--;
    this.#changed();
  }

  #reject(reason: BulkheadRejectReason): BulkheadRejectedError {
    this.#hooks.onReject?.(reason);
    return new BulkheadRejectedError(this.name, reason);
  }

  #changed(): void {
    this.#hooks.onChange?.(this.#active, this.#queue.length, this.saturation);
  }
}
