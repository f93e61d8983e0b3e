/**
 * One backend of an upstream: its address, connection pool, and every piece of state that
 * decides whether it may take new requests. Plain fields, read on the hot path.
 */
import { Pool } from 'undici';
import { CircuitBreaker, type BreakerHooks } from '@faultline/kit/breaker';
import type { Candidate } from './pickers/picker.js';
import { hash32 } from './pickers/hash.js';

/** Outcome classes counted per backend (`faultline_gateway_requests_total{result}`). */
export const RESULTS = [
  '2xx',
  '3xx',
  '4xx',
  '5xx',
  'connect_error',
  'timeout',
  'reset',
  'cancelled',
] as const;
export type ResultClass = (typeof RESULTS)[number];

export interface BackendOptions {
  upstream: string;
  host: string;
  port: number;
  weight: number;
  maxSockets: number;
  breaker: { failureThreshold: number; openMs: number; hooks: BreakerHooks };
}

export class Backend implements Candidate {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  weight: number;
  /** Opaque value of the sticky cookie that points here (no address leaks to clients). */
  readonly stickyToken: string;
  /** Keep-alive pool (undici) to this backend only: draining it never touches the others. */
  readonly dispatcher: Pool;
  readonly breaker: CircuitBreaker;

  inFlight = 0;
  tcpConnections = 0;
  tcpConnectionsTotal = 0;
  readonly results: Record<ResultClass, number> = Object.fromEntries(
    RESULTS.map((r) => [r, 0]),
  ) as Record<ResultClass, number>;
  /** Picks by picker name. */
  readonly picks = new Map<string, number>();

  // Discovery's view.
  discovered = true;
  discoveryReady = true;
  terminating = false;
  // The operator's view.
  adminDrained = false;
  // Active health checks.
  healthy = true;
  healthSuccesses = 0;
  healthFailures = 0;
  lastHealthError: string | undefined;
  // Passive outlier detection.
  consecutiveFailures = 0;
  ejectedUntil = 0;
  ejections = 0;
  lastEjectionFailures = 0;

  constructor(opts: BackendOptions) {
    this.host = opts.host;
    this.port = opts.port;
    this.weight = opts.weight;
    this.id = `${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${opts.port}`;
    this.stickyToken = hash32(`${opts.upstream}/${this.id}`).toString(36);
    this.dispatcher = new Pool(`http://${this.id}`, {
      connections: opts.maxSockets,
      // Idle connections close before the backends' own keep-alive timeouts (Node's default
      // 5 s; the kit's 65 s), to avoid reset races; a Keep-Alive hint from the backend wins.
      keepAliveTimeout: 4_000,
      // The attempt's own timer and the request's deadline govern instead.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    this.breaker = new CircuitBreaker({
      name: `${opts.upstream}/${this.id}`,
      failureThreshold: opts.breaker.failureThreshold,
      openMs: opts.breaker.openMs,
      hooks: opts.breaker.hooks,
    });
  }

  get ejected(): boolean {
    return this.ejectedUntil > 0;
  }

  /** Why this backend takes no new requests, or undefined when it does. */
  get ineligibleReason(): string | undefined {
    if (!this.discovered) return 'removed';
    if (this.terminating) return 'terminating';
    if (!this.discoveryReady) return 'not-ready';
    if (this.adminDrained) return 'drained';
    if (!this.healthy) return 'unhealthy';
    if (this.ejected) return 'ejected';
    if (this.breaker.state === 'open') return 'breaker-open';
    return undefined;
  }
}
