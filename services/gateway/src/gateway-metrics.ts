/**
 * `faultline_gateway_*` series. The hot path only bumps plain numbers on backends and pools;
 * these collectors turn them into Prometheus series at scrape time, so metrics cost nothing
 * per request beyond an increment.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { BREAKER_STATE_VALUE } from '@faultline/kit/resilience-metrics';
import { RESULTS, type Backend } from './backend.js';
import type { Upstream } from './http-proxy.js';
import { RETRY_REASONS } from './retry-policy.js';

export function registerGatewayMetrics(
  registry: Registry,
  upstreams: () => readonly Upstream[],
): void {
  const registers = [registry];
  new Counter({
    name: 'faultline_gateway_requests_total',
    help: 'Attempts sent to a backend, by result (status class or error).',
    labelNames: ['upstream', 'backend', 'result'] as const,
    registers,
    collect() {
      this.reset();
      for (const u of upstreams()) {
        const totals = new Map<string, Record<string, number>>();
        for (const [id, r] of u.pool.retiredResults) totals.set(id, { ...r });
        for (const b of u.pool.all()) {
          const t = totals.get(b.id) ?? {};
          for (const r of RESULTS) t[r] = (t[r] ?? 0) + b.results[r];
          totals.set(b.id, t);
        }
        for (const [backend, t] of totals) {
          for (const r of RESULTS)
            if (t[r]) this.inc({ upstream: u.name, backend, result: r }, t[r]);
        }
      }
    },
  });
  new Counter({
    name: 'faultline_gateway_picker_decisions_total',
    help: 'Backends chosen by a picker (sticky hits are not picker decisions).',
    labelNames: ['upstream', 'picker', 'backend'] as const,
    registers,
    collect() {
      this.reset();
      for (const u of upstreams()) {
        for (const b of u.pool.all()) {
          for (const [picker, n] of b.picks)
            this.inc({ upstream: u.name, picker, backend: b.id }, n);
        }
      }
    },
  });
  new Counter({
    name: 'faultline_gateway_sticky_total',
    help: 'Sticky-session outcomes: hit (cookie honoured), miss (no cookie), restick (moved).',
    labelNames: ['upstream', 'outcome'] as const,
    registers,
    collect() {
      this.reset();
      for (const u of upstreams()) {
        if (!u.sticky) continue;
        for (const [outcome, n] of Object.entries(u.pool.sticky))
          this.inc({ upstream: u.name, outcome }, n);
      }
    },
  });
  const perUpstreamCounter = (name: string, help: string, value: (u: Upstream) => number) =>
    new Counter({
      name,
      help,
      labelNames: ['upstream'] as const,
      registers,
      collect() {
        this.reset();
        for (const u of upstreams()) this.inc({ upstream: u.name }, value(u));
      },
    });
  /** A counter or gauge per backend, read from the backends at scrape time. */
  const perBackend = (
    type: 'counter' | 'gauge',
    name: string,
    help: string,
    value: (b: Backend) => number,
  ) => {
    const config = {
      name,
      help,
      labelNames: ['upstream', 'backend'] as const,
      registers,
      collect(this: {
        reset(): void;
        inc(labels: Record<'upstream' | 'backend', string>, value: number): void;
      }) {
        this.reset();
        for (const u of upstreams())
          for (const b of u.pool.all()) this.inc({ upstream: u.name, backend: b.id }, value(b));
      },
    };
    return type === 'counter' ? new Counter(config) : new Gauge(config);
  };
  new Counter({
    name: 'faultline_gateway_retries_total',
    help: 'Retries sent to another backend, by why the attempt before failed (connect-failure and reset-before-request never reached the backend).',
    labelNames: ['upstream', 'reason'] as const,
    registers,
    collect() {
      this.reset();
      for (const u of upstreams()) {
        for (const reason of RETRY_REASONS)
          this.inc({ upstream: u.name, reason }, u.pool.retries.byReason[reason]);
      }
    },
  });
  perUpstreamCounter(
    'faultline_gateway_retry_budget_exhausted_total',
    'Retries refused because the upstream retry budget was exhausted.',
    (u) => u.pool.retries.budgetExhausted,
  );
  perBackend(
    'counter',
    'faultline_gateway_ejections_total',
    'Outlier ejections of a backend.',
    (b) => b.ejections,
  );
  perBackend(
    'counter',
    'faultline_gateway_tcp_connections_total',
    'L4 connections opened to a backend.',
    (b) => b.tcpConnectionsTotal,
  );
  perBackend(
    'gauge',
    'faultline_gateway_backend_in_flight',
    'Requests in flight to a backend.',
    (b) => b.inFlight,
  );
  perBackend(
    'gauge',
    'faultline_gateway_tcp_connections',
    'Open L4 connections to a backend.',
    (b) => b.tcpConnections,
  );
  perBackend(
    'gauge',
    'faultline_gateway_backend_healthy',
    'Active health: 1 healthy, 0 unhealthy.',
    (b) => (b.healthy ? 1 : 0),
  );
  perBackend('gauge', 'faultline_gateway_backend_ejected', '1 while a backend is ejected.', (b) =>
    b.ejected ? 1 : 0,
  );
  perBackend(
    'gauge',
    'faultline_gateway_backend_eligible',
    '1 while a backend takes new requests.',
    (b) => (b.ineligibleReason === undefined ? 1 : 0),
  );
  perBackend(
    'gauge',
    'faultline_gateway_breaker_state',
    'Per-backend circuit breaker: 0 closed, 1 open, 2 half-open.',
    (b) => BREAKER_STATE_VALUE[b.breaker.state],
  );
}
