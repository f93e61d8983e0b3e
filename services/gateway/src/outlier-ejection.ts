/**
 * Passive health: a backend that fails `consecutiveFailures` requests in a row (5xx, connect
 * error, reset, timeout) is ejected for `baseEjectionMs × times ejected` (capped), unless that
 * would eject more than `maxEjectedPercent` of the pool — ejecting everything would turn a
 * partial outage into a total one (Envoy's rule; at least one backend may always be ejected).
 */
import type { Backend } from './backend.js';

export interface OutlierEjectionOptions {
  consecutiveFailures: number;
  baseEjectionMs: number;
  maxEjectionMs: number;
  maxEjectedPercent: number;
  /** Clock in ms; defaults to Date.now. */
  now?: () => number;
  onEject?: (backend: Backend, durationMs: number) => void;
  onReturn?: (backend: Backend) => void;
}

export class OutlierEjection {
  readonly #opts: OutlierEjectionOptions;
  readonly #now: () => number;
  readonly #timers = new Map<Backend, NodeJS.Timeout>();

  constructor(opts: OutlierEjectionOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? (() => Date.now());
  }

  recordSuccess(backend: Backend): void {
    backend.consecutiveFailures = 0;
  }

  /** Counts a failure; returns true when it ejected the backend. */
  recordFailure(backend: Backend, pool: readonly Backend[]): boolean {
    backend.consecutiveFailures++;
    if (backend.ejected || backend.consecutiveFailures < this.#opts.consecutiveFailures)
      return false;
    const members = pool.filter((b) => b.discovered);
    const ejected = members.filter((b) => b.ejected).length;
    const cap = Math.max(1, Math.floor((members.length * this.#opts.maxEjectedPercent) / 100));
    if (ejected + 1 > cap) return false;
    backend.ejections++;
    backend.lastEjectionFailures = backend.consecutiveFailures;
    const durationMs = Math.min(
      this.#opts.maxEjectionMs,
      this.#opts.baseEjectionMs * backend.ejections,
    );
    backend.ejectedUntil = this.#now() + durationMs;
    const timer = setTimeout(() => this.#return(backend), durationMs);
    timer.unref();
    this.#timers.set(backend, timer);
    this.#opts.onEject?.(backend, durationMs);
    return true;
  }

  /** Forgets a backend that left the pool. */
  forget(backend: Backend): void {
    clearTimeout(this.#timers.get(backend));
    this.#timers.delete(backend);
  }

  stop(): void {
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }

  #return(backend: Backend): void {
    this.#timers.delete(backend);
    backend.ejectedUntil = 0;
    // A fresh start: it must fail the whole threshold again to be ejected again.
    backend.consecutiveFailures = 0;
    this.#opts.onReturn?.(backend);
  }
}
