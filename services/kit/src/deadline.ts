/**
 * Timeouts with deadline propagation: a request carries its remaining budget in a header, so
 * every hop below it gives up no later than the caller will. The budget is relative (ms left,
 * like gRPC's `grpc-timeout`) rather than an absolute time, so clock skew between hosts does
 * not matter.
 */
import type { RequestHandler, Response } from 'express';

/** Header carrying the remaining budget of a request in whole milliseconds. */
export const DEADLINE_HEADER = 'x-faultline-deadline-ms';

/** A point in time after which nobody is waiting for the result any more. */
export class Deadline {
  #signal: AbortSignal | undefined;

  private constructor(
    /** Absolute expiry on the `now` clock. */
    private readonly at: number,
    private readonly now: () => number,
  ) {}

  /**
   * A deadline `ms` from now.
   * @param now clock in ms; defaults to `Date.now` (looked up per call, so mock timers work)
   */
  static after(ms: number, now: () => number = () => Date.now()): Deadline {
    return new Deadline(now() + Math.max(0, ms), now);
  }

  /**
   * The deadline of an incoming request: the smaller of the header's budget and `fallbackMs`
   * (a caller may shrink our budget, never grow it). An absent or invalid header is ignored.
   */
  static fromHeader(
    value: string | string[] | undefined,
    fallbackMs: number,
    now?: () => number,
  ): Deadline {
    const budget = parseBudget(value);
    return Deadline.after(budget === undefined ? fallbackMs : Math.min(budget, fallbackMs), now);
  }

  /** Milliseconds left, never negative. */
  remainingMs(): number {
    return Math.max(0, this.at - this.now());
  }

  get expired(): boolean {
    return this.remainingMs() <= 0;
  }

  /** The timeout to use for an outgoing call that would normally get `ms`. */
  timeoutFor(ms: number): number {
    return Math.min(ms, this.remainingMs());
  }

  /** Value for {@link DEADLINE_HEADER} on an outgoing request. */
  headerValue(): string {
    // Rounded down: the callee should give up no later than we do.
    return String(Math.floor(this.remainingMs()));
  }

  /**
   * A signal that aborts, with a {@link TimeoutError}, when the deadline passes. One timer per
   * deadline, shared by every caller, and unref'd so it never keeps the process alive.
   */
  signal(): AbortSignal {
    if (this.#signal) return this.#signal;
    const controller = new AbortController();
    const remaining = this.remainingMs();
    const reason = () => new TimeoutError(`deadline exceeded`, remaining);
    if (remaining <= 0) {
      controller.abort(reason());
    } else {
      // setTimeout rather than AbortSignal.timeout: node:test mock timers only fake the former.
      setTimeout(() => controller.abort(reason()), remaining).unref();
    }
    this.#signal = controller.signal;
    return this.#signal;
  }
}

/** Parses a budget header; several values (repeated header) mean the tightest one wins. */
function parseBudget(value: string | string[] | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parts = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(','));
  let best: number | undefined;
  for (const part of parts) {
    const text = part.trim();
    if (!/^\d{1,15}$/.test(text)) continue;
    const ms = Number(text);
    if (best === undefined || ms < best) best = ms;
  }
  return best;
}

/**
 * Sets `res.locals.deadline` from the incoming {@link DEADLINE_HEADER}, capped at `defaultMs`.
 * Read it back with {@link requestDeadline}.
 */
export function deadlineMiddleware(defaultMs: number): RequestHandler {
  return (req, res, next) => {
    res.locals.deadline = Deadline.fromHeader(req.headers[DEADLINE_HEADER], defaultMs);
    next();
  };
}

/**
 * The deadline {@link deadlineMiddleware} attached to this response.
 * @throws Error when the middleware is not installed (a wiring bug, so fail loudly)
 */
export function requestDeadline(res: Response): Deadline {
  const deadline: unknown = res.locals.deadline;
  if (!(deadline instanceof Deadline)) {
    throw new Error('requestDeadline: deadlineMiddleware is not installed on this route');
  }
  return deadline;
}

/** An operation ran out of time. Recognise it with {@link isTimeoutError}. */
export class TimeoutError extends Error {
  readonly isTimeoutError = true;
  override readonly name = 'TimeoutError';

  constructor(
    message = 'timed out',
    /** The budget that was exceeded, in ms, when known. */
    readonly timeoutMs?: number,
  ) {
    super(message);
  }
}

/** Brand guard: works across copies of this package, where `instanceof` does not. */
export function isTimeoutError(e: unknown): e is TimeoutError {
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as { isTimeoutError?: unknown }).isTimeoutError === true
  );
}

/**
 * Runs `fn` with a signal that aborts after `ms`; rejects with a {@link TimeoutError} at that
 * point even if `fn` ignores the signal. An optional parent `signal` (say, a request deadline)
 * aborts it early, rejecting with the parent's reason.
 */
export async function withTimeout<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  ms: number,
  opts: { signal?: AbortSignal } = {},
): Promise<T> {
  const controller = new AbortController();
  const parent = opts.signal;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onParentAbort: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    const fail = (reason: Error) => {
      // Reject first: aborting may make `fn` reject synchronously, and our reason must win.
      reject(reason);
      controller.abort(reason);
    };
    if (parent?.aborted) {
      fail(parent.reason as Error);
      return;
    }
    timer = setTimeout(() => fail(new TimeoutError(`timed out after ${ms} ms`, ms)), ms);
    if (parent) {
      onParentAbort = () => fail(parent.reason as Error);
      parent.addEventListener('abort', onParentAbort, { once: true });
    }
  });
  try {
    if (controller.signal.aborted) return await stopped;
    return await Promise.race([fn(controller.signal), stopped]);
  } finally {
    clearTimeout(timer);
    if (onParentAbort) parent?.removeEventListener('abort', onParentAbort);
  }
}
