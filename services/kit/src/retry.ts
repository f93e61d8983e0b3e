/**
 * Retries with exponential back-off and full jitter, bounded by a retry budget so that a
 * struggling dependency sees at most a fixed share of extra load instead of a retry storm.
 */

/** Buckets per window: the window slides in steps of a tenth of its length. */
const BUCKETS = 10;

export interface RetryBudgetOptions {
  /** Retries allowed per first attempt in the window. Default 0.2 (20 % extra load). */
  ratio?: number;
  /** Retries always allowed per second, so low traffic can still retry. Default 10. */
  minRetriesPerSecond?: number;
  /** Length of the sliding window in ms. Default 10 000. */
  windowMs?: number;
  /** Clock in ms; defaults to `Date.now`. */
  now?: () => number;
}

/**
 * A sliding-window retry budget (as in Finagle and Envoy): retries in the window must stay
 * below `minRetriesPerSecond × windowSeconds + ratio × requests in the window`.
 */
export class RetryBudget {
  readonly #ratio: number;
  readonly #floor: number;
  readonly #bucketMs: number;
  readonly #now: () => number;
  /** Ring of buckets; `epoch` says which time slice a slot currently holds. */
  readonly #buckets = Array.from({ length: BUCKETS }, () => ({
    epoch: -Infinity,
    requests: 0,
    retries: 0,
  }));

  constructor(opts: RetryBudgetOptions = {}) {
    const windowMs = opts.windowMs ?? 10_000;
    this.#ratio = opts.ratio ?? 0.2;
    this.#floor = (opts.minRetriesPerSecond ?? 10) * (windowMs / 1000);
    this.#bucketMs = windowMs / BUCKETS;
    this.#now = opts.now ?? (() => Date.now());
  }

  /** Counts one first attempt (not a retry); each one earns `ratio` retries. */
  recordRequest(): void {
    this.#current().requests++;
  }

  /** Takes one retry from the budget; false (and nothing taken) when it is exhausted. */
  tryAcquireRetry(): boolean {
    const current = this.#current();
    let requests = 0;
    let retries = 0;
    const oldest = current.epoch - BUCKETS + 1;
    for (const b of this.#buckets) {
      if (b.epoch < oldest) continue;
      requests += b.requests;
      retries += b.retries;
    }
    if (retries >= this.#floor + this.#ratio * requests) return false;
    current.retries++;
    return true;
  }

  #current() {
    const epoch = Math.floor(this.#now() / this.#bucketMs);
    const slot = this.#buckets[((epoch % BUCKETS) + BUCKETS) % BUCKETS]!;
    if (slot.epoch !== epoch) {
      slot.epoch = epoch;
      slot.requests = 0;
      slot.retries = 0;
    }
    return slot;
  }
}

/**
 * Full-jitter back-off: uniform in `[0, min(capMs, baseMs × 2^attempt))`. Jitter spreads the
 * retries of many clients that failed together, so they do not come back together.
 * @param attempt 0 for the delay before the first retry
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  if (baseMs <= 0 || capMs <= 0) return 0;
  return random() * Math.min(capMs, baseMs * 2 ** attempt);
}

export interface RetryOptions {
  /** Attempts in total, the first included (1 = no retries). */
  maxAttempts: number;
  /** Back-off base in ms. Default 50. */
  baseMs?: number;
  /** Back-off ceiling in ms. Default 2000. */
  capMs?: number;
  /** Shared budget; without one, only `maxAttempts` bounds the retries. */
  budget?: RetryBudget;
  /** Which errors are worth another attempt. Default: all. */
  isRetryable?: (e: unknown) => boolean;
  /** Source of randomness in [0, 1), for tests. Default `Math.random`. */
  random?: () => number;
  /** Stops retrying (and waiting) when aborted; passed on to `fn`. */
  signal?: AbortSignal;
  /** Called before waiting for a retry; `attempt` is the coming attempt (1 = first retry). */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  /** Called when the budget refused a retry that was otherwise allowed. */
  onBudgetExhausted?: () => void;
}

/**
 * Runs `fn` until it succeeds, the error is not retryable, `maxAttempts` is reached, the budget
 * refuses a retry or `signal` aborts. Rejects with the last error of `fn`, or with the signal's
 * reason when aborted while waiting.
 * @param fn receives the attempt number, 0 for the first
 */
export async function retry<T>(
  fn: (attempt: number, signal?: AbortSignal) => Promise<T>,
  opts: RetryOptions,
): Promise<T> {
  const { budget, signal } = opts;
  const baseMs = opts.baseMs ?? 50;
  const capMs = opts.capMs ?? 2000;
  const isRetryable = opts.isRetryable ?? (() => true);
  budget?.recordRequest();
  for (let attempt = 0; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await fn(attempt, signal);
    } catch (error) {
      if (attempt + 1 >= opts.maxAttempts || signal?.aborted || !isRetryable(error)) throw error;
      if (budget && !budget.tryAcquireRetry()) {
        opts.onBudgetExhausted?.();
        throw error;
      }
      const delayMs = backoffDelay(attempt, baseMs, capMs, opts.random);
      opts.onRetry?.({ attempt: attempt + 1, delayMs, error });
      if (delayMs > 0) await sleep(delayMs, signal);
    }
  }
}

/** setTimeout-based (not timers/promises) so node:test mock timers drive it. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
