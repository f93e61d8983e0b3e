/**
 * A circuit breaker: after enough consecutive failures it stops calling a dependency for a
 * while (open), then lets a few probe calls through (half-open) and closes again once they
 * succeed. It reports through hooks and never logs; resilience-metrics.ts turns the hooks into
 * `faultline_breaker_*` series.
 */

export type BreakerState = 'closed' | 'open' | 'half-open';

/** Observation points, called synchronously; they must not throw. */
export interface BreakerHooks {
  onStateChange?(from: BreakerState, to: BreakerState): void;
  /** A call was refused without running (open, or half-open with all probe slots taken). */
  onReject?(): void;
  onSuccess?(): void;
  onFailure?(e: unknown): void;
}

export interface CircuitBreakerOptions {
  /** Name for errors and metrics labels. */
  name: string;
  /** Consecutive failures that open the circuit. Default 5. */
  failureThreshold?: number;
  /** How long the circuit stays open before probing, in ms. Default 5000. */
  openMs?: number;
  /** Probe calls allowed at once while half-open. Default 1. */
  halfOpenMaxCalls?: number;
  /** Successful probes that close the circuit again. Default 1. */
  successThreshold?: number;
  /**
   * Which errors count against the dependency. Default: all. Others (say, a 4xx the caller
   * caused) count as a success: the dependency answered.
   */
  isFailure?: (e: unknown) => boolean;
  /** Clock in ms; defaults to `Date.now`. */
  now?: () => number;
  hooks?: BreakerHooks;
}

/** Thrown instead of calling a dependency whose circuit is open. */
export class BrokenCircuitError extends Error {
  readonly isBrokenCircuitError = true;
  override readonly name = 'BrokenCircuitError';

  constructor(
    readonly breaker: string,
    /** When a call may be admitted again, in ms; 0 while a half-open probe is in flight. */
    readonly retryAfterMs: number,
  ) {
    super(`circuit ${breaker} is open`);
  }
}

/** Brand guard: works across copies of this package, where `instanceof` does not. */
export function isBrokenCircuitError(e: unknown): e is BrokenCircuitError {
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as { isBrokenCircuitError?: unknown }).isBrokenCircuitError === true
  );
}

/**
 * Consecutive-failure circuit breaker. Open turns into half-open lazily, on the first look at
 * the state after `openMs`, so it follows an injected or mocked clock and needs no timer.
 *
 * Use {@link execute} to wrap a call, or {@link tryAcquire} + {@link recordSuccess} /
 * {@link recordFailure} where the call cannot be wrapped (a streaming proxy).
 */
export class CircuitBreaker {
  readonly name: string;
  readonly #failureThreshold: number;
  readonly #openMs: number;
  readonly #halfOpenMaxCalls: number;
  readonly #successThreshold: number;
  readonly #isFailure: (e: unknown) => boolean;
  readonly #now: () => number;
  readonly #hooks: BreakerHooks;

  #state: BreakerState = 'closed';
  /** Bumped on every transition; results of calls admitted in an older state are ignored. */
  #generation = 0;
  #failures = 0;
  #openedAt = 0;
  #probes = 0;
  #probeSuccesses = 0;

  constructor(opts: CircuitBreakerOptions) {
    this.name = opts.name;
    this.#failureThreshold = opts.failureThreshold ?? 5;
    this.#openMs = opts.openMs ?? 5000;
    this.#halfOpenMaxCalls = opts.halfOpenMaxCalls ?? 1;
    this.#successThreshold = opts.successThreshold ?? 1;
    this.#isFailure = opts.isFailure ?? (() => true);
    this.#now = opts.now ?? (() => Date.now());
    this.#hooks = opts.hooks ?? {};
  }

  get state(): BreakerState {
    if (this.#state === 'open' && this.#now() - this.#openedAt >= this.#openMs) {
      this.#transition('half-open');
    }
    return this.#state;
  }

  /** Runs `fn` if the circuit admits a call, else rejects with a {@link BrokenCircuitError}. */
  async execute<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.tryAcquire()) throw this.#rejection();
    const generation = this.#generation;
    let result: T;
    try {
      result = await fn();
    } catch (e) {
      if (generation === this.#generation) {
        if (this.#isFailure(e)) this.recordFailure(e);
        else this.recordSuccess();
      }
      throw e;
    }
    if (generation === this.#generation) this.recordSuccess();
    return result;
  }

  /**
   * Admits one call, or refuses it (calling `onReject`). Every admitted call must be followed
   * by exactly one {@link recordSuccess} or {@link recordFailure}.
   */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'half-open' && this.#probes < this.#halfOpenMaxCalls) {
      this.#probes++;
      return true;
    }
    this.#hooks.onReject?.();
    return false;
  }

  /** The error {@link execute} would throw now; for callers of {@link tryAcquire} to throw. */
  rejection(): BrokenCircuitError {
    return this.#rejection();
  }

  recordSuccess(): void {
    this.#hooks.onSuccess?.();
    const state = this.state;
    if (state === 'closed') {
      this.#failures = 0;
    } else if (state === 'half-open') {
      this.#probes = Math.max(0, this.#probes - 1);
      if (++this.#probeSuccesses >= this.#successThreshold) this.#transition('closed');
    }
    // While open: a late answer to a call admitted before opening changes nothing.
  }

  recordFailure(e?: unknown): void {
    this.#hooks.onFailure?.(e);
    const state = this.state;
    if (state === 'closed') {
      if (++this.#failures >= this.#failureThreshold) this.#transition('open');
    } else if (state === 'half-open') {
      this.#transition('open');
    }
  }

  #rejection(): BrokenCircuitError {
    const retryAfterMs =
      this.#state === 'open' ? Math.max(0, this.#openedAt + this.#openMs - this.#now()) : 0;
    return new BrokenCircuitError(this.name, retryAfterMs);
  }

  #transition(to: BreakerState): void {
    const from = this.#state;
    this.#state = to;
    this.#generation++;
    this.#failures = 0;
    this.#probes = 0;
    this.#probeSuccesses = 0;
    if (to === 'open') this.#openedAt = this.#now();
    this.#hooks.onStateChange?.(from, to);
  }
}
