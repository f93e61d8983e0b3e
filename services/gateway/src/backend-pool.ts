/**
 * The backends of one upstream and the single health view that L7 and L4 share: discovery
 * (ready, terminating), the operator (drain), active checks, outlier ejection and the circuit
 * breaker all feed one `eligible()` list. Backends that leave keep serving what they already
 * have and are closed only once idle, so discovery changes never drop an in-flight request.
 */
import type { BreakerHooks, BreakerState } from '@faultline/kit/breaker';
import { Backend, RESULTS, type ResultClass } from './backend.js';
import { OutlierEjection, type OutlierEjectionOptions } from './outlier-ejection.js';
import { RETRY_REASONS, type RetryReason } from './retry-policy.js';

/** One endpoint as a discovery source reports it. */
export interface DiscoveredEndpoint {
  host: string;
  port: number;
  weight?: number | undefined;
  /** Ready for traffic (Kubernetes: conditions.ready, nil = true). */
  ready: boolean;
  /** Shutting down: no new requests, in-flight ones finish. */
  terminating?: boolean | undefined;
}

export interface PoolEvents {
  onEject?(backend: Backend, durationMs: number): void;
  onReturn?(backend: Backend): void;
  onBreakerChange?(backend: Backend, from: BreakerState, to: BreakerState): void;
  onAdded?(backend: Backend): void;
  onRemoved?(backend: Backend): void;
}

export interface BackendPoolOptions {
  upstream: string;
  maxSocketsPerBackend: number;
  breakerFailures: number;
  breakerOpenMs: number;
  outlier: Omit<OutlierEjectionOptions, 'onEject' | 'onReturn'>;
  /** Extra breaker hooks per backend (the kit's `faultline_breaker_*` metrics). */
  breakerHooks?: (name: string) => BreakerHooks;
  events?: PoolEvents;
}

export class BackendPool {
  readonly upstream: string;
  readonly outliers: OutlierEjection;
  readonly sticky = { hit: 0, miss: 0, restick: 0 };
  readonly retries = {
    made: 0,
    budgetExhausted: 0,
    byReason: Object.fromEntries(RETRY_REASONS.map((r) => [r, 0])) as Record<RetryReason, number>,
  };
  /** Results of backends that have left, so counters never go backwards. */
  readonly retiredResults = new Map<string, Record<ResultClass, number>>();

  readonly #opts: BackendPoolOptions;
  readonly #backends = new Map<string, Backend>();
  readonly #byToken = new Map<string, Backend>();
  #eligible: Backend[] | undefined;
  #closed = false;

  constructor(opts: BackendPoolOptions) {
    this.upstream = opts.upstream;
    this.#opts = opts;
    this.outliers = new OutlierEjection({
      ...opts.outlier,
      onEject: (b, ms) => {
        this.invalidate();
        opts.events?.onEject?.(b, ms);
      },
      onReturn: (b) => {
        this.invalidate();
        opts.events?.onReturn?.(b);
      },
    });
  }

  /** Every backend still known (including draining ones with requests in flight). */
  all(): Backend[] {
    return [...this.#backends.values()];
  }

  get(id: string): Backend | undefined {
    return this.#backends.get(id);
  }

  byStickyToken(token: string): Backend | undefined {
    return this.#byToken.get(token);
  }

  /** Backends that may take new requests now. Cached; rebuilt after any state change. */
  eligible(): readonly Backend[] {
    if (this.#eligible === undefined) {
      this.#eligible = [...this.#backends.values()].filter((b) => b.ineligibleReason === undefined);
    }
    return this.#eligible;
  }

  /** Marks the cached eligible list stale. */
  invalidate(): void {
    this.#eligible = undefined;
  }

  /** Applies a full snapshot from discovery. */
  update(endpoints: readonly DiscoveredEndpoint[]): void {
    if (this.#closed) return;
    const seen = new Set<string>();
    for (const e of endpoints) {
      let b = [...this.#backends.values()].find((x) => x.host === e.host && x.port === e.port);
      if (!b) {
        b = this.#create(e);
        this.#backends.set(b.id, b);
        this.#byToken.set(b.stickyToken, b);
        this.#opts.events?.onAdded?.(b);
      }
      b.discovered = true;
      b.discoveryReady = e.ready;
      b.terminating = e.terminating ?? false;
      b.weight = e.weight ?? 1;
      seen.add(b.id);
    }
    for (const b of this.#backends.values()) {
      if (seen.has(b.id)) continue;
      b.discovered = false;
      this.#removeIfIdle(b);
    }
    this.invalidate();
  }

  /** Operator drain: no new requests or connections; in-flight ones finish. */
  setDrained(id: string, drained: boolean): Backend | undefined {
    const b = this.#backends.get(id);
    if (!b) return undefined;
    b.adminDrained = drained;
    this.invalidate();
    return b;
  }

  acquire(b: Backend): void {
    b.inFlight++;
  }

  release(b: Backend): void {
    b.inFlight--;
    if (!b.discovered) this.#removeIfIdle(b);
  }

  acquireTcp(b: Backend): void {
    b.tcpConnections++;
    b.tcpConnectionsTotal++;
  }

  releaseTcp(b: Backend): void {
    b.tcpConnections--;
    if (!b.discovered) this.#removeIfIdle(b);
  }

  /** Records the outcome of one attempt (breaker, outlier detection, counters). */
  recordResult(b: Backend, result: ResultClass): void {
    b.results[result]++;
    if (result === 'cancelled') {
      // The client left: that says nothing about the backend, but the breaker admitted this
      // call and must hear back, or a half-open probe slot would leak.
      b.breaker.recordSuccess();
      return;
    }
    const failed =
      result === '5xx' || result === 'connect_error' || result === 'timeout' || result === 'reset';
    if (failed) {
      b.breaker.recordFailure();
      this.outliers.recordFailure(b, this.all());
    } else {
      b.breaker.recordSuccess();
      this.outliers.recordSuccess(b);
    }
  }

  /** Stops timers and closes every pooled connection. */
  close(): void {
    this.#closed = true;
    this.outliers.stop();
    for (const b of this.#backends.values()) void b.dispatcher.destroy().catch(() => undefined);
  }

  #create(e: DiscoveredEndpoint): Backend {
    // The hooks need the backend, which needs the hooks: a holder breaks the cycle.
    const holder: { backend?: Backend } = {};
    const extra = this.#opts.breakerHooks?.(`${this.upstream}/${e.host}:${e.port}`) ?? {};
    const hooks: BreakerHooks = {
      ...extra,
      onStateChange: (from, to) => {
        extra.onStateChange?.(from, to);
        this.invalidate();
        // Open turns half-open lazily, on the next look: make sure somebody looks.
        if (to === 'open')
          setTimeout(() => this.invalidate(), this.#opts.breakerOpenMs + 1).unref();
        if (holder.backend) this.#opts.events?.onBreakerChange?.(holder.backend, from, to);
      },
    };
    const backend = new Backend({
      upstream: this.upstream,
      host: e.host,
      port: e.port,
      weight: e.weight ?? 1,
      maxSockets: this.#opts.maxSocketsPerBackend,
      breaker: {
        failureThreshold: this.#opts.breakerFailures,
        openMs: this.#opts.breakerOpenMs,
        hooks,
      },
    });
    holder.backend = backend;
    return backend;
  }

  #removeIfIdle(b: Backend): void {
    if (b.inFlight > 0 || b.tcpConnections > 0 || this.#backends.get(b.id) !== b) return;
    this.#backends.delete(b.id);
    this.#byToken.delete(b.stickyToken);
    this.outliers.forget(b);
    const retired =
      this.retiredResults.get(b.id) ??
      (Object.fromEntries(RESULTS.map((r) => [r, 0])) as Record<ResultClass, number>);
    for (const r of RESULTS) retired[r] += b.results[r];
    this.retiredResults.set(b.id, retired);
    void b.dispatcher.destroy().catch(() => undefined);
    this.invalidate();
    this.#opts.events?.onRemoved?.(b);
  }
}
