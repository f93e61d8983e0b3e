/**
 * Prometheus metrics with a per-app Registry (tests build fresh apps; nothing global).
 * RED under OpenTelemetry HTTP semantic-convention names, USE for the process, exemplars
 * carrying `trace_id` so Grafana can jump from a latency bucket to the trace.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { trace, context, TraceFlags, type Context } from '@opentelemetry/api';
import client, { Registry, type OpenMetricsContentType } from 'prom-client';
import { DurationHistogram } from './duration-histogram.js';

/** OTel's recommended HTTP duration buckets, plus 1 ms and 2.5 ms for a fast proxy hop. */
export const HTTP_DURATION_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

export interface Metrics {
  readonly registry: Registry<OpenMetricsContentType>;
  readonly httpServerDuration: DurationHistogram<
    'http_request_method' | 'http_route' | 'http_response_status_code'
  >;
  /** `http_server_active_requests` by method. */
  readonly httpServerActive: ActiveRequests;
  readonly httpClientDuration: DurationHistogram<
    | 'http_request_method'
    | 'server_address'
    | 'server_port'
    | 'http_response_status_code'
    | 'error_type'
  >;
  /** USE saturation of named queues (bulkheads, pools, work queues). */
  readonly queueLength: client.Gauge<'queue'>;
}

export interface MetricsOptions {
  /** Collect process/runtime USE metrics (CPU, memory, heap, event loop). */
  runtime?: boolean;
}

export function createMetrics(opts: MetricsOptions = {}): Metrics {
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const httpServerDuration = new DurationHistogram({
    name: 'http_server_request_duration_seconds',
    help: 'Duration of HTTP server requests.',
    labelNames: ['http_request_method', 'http_route', 'http_response_status_code'] as const,
    buckets: HTTP_DURATION_BUCKETS,
    registers: [registry],
  });
  const httpServerActive = new ActiveRequests();
  new client.Gauge({
    name: 'http_server_active_requests',
    help: 'HTTP server requests in flight.',
    labelNames: ['http_request_method'] as const,
    registers: [registry],
    collect() {
      for (const [method, n] of httpServerActive.byMethod())
        this.set({ http_request_method: method }, n);
    },
  });
  const httpClientDuration = new DurationHistogram({
    name: 'http_client_request_duration_seconds',
    help: 'Duration of HTTP client requests.',
    labelNames: [
      'http_request_method',
      'server_address',
      'server_port',
      'http_response_status_code',
      'error_type',
    ] as const,
    buckets: HTTP_DURATION_BUCKETS,
    registers: [registry],
  });
  const queueLength = new client.Gauge({
    name: 'faultline_queue_length',
    help: 'Items waiting in a named queue.',
    labelNames: ['queue'] as const,
    registers: [registry],
  });
  if (opts.runtime !== false) registerRuntimeMetrics(registry);
  return { registry, httpServerDuration, httpServerActive, httpClientDuration, queueLength };
}

/** CPU, RSS, heap, GC, event-loop lag (prom-client defaults) plus event-loop utilization. */
function registerRuntimeMetrics(registry: Registry<OpenMetricsContentType>): void {
  client.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
  let last = performance.eventLoopUtilization();
  new client.Gauge({
    name: 'nodejs_eventloop_utilization_ratio',
    help: 'Share of time the event loop was busy since the previous scrape.',
    registers: [registry],
    collect() {
      const now = performance.eventLoopUtilization();
      this.set(performance.eventLoopUtilization(now, last).utilization);
      last = now;
    },
  });
  // A max-lag gauge that resets per scrape shows stalls (e.g. a SIGSTOP) that a mean hides.
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  new client.Gauge({
    name: 'nodejs_eventloop_lag_max_since_scrape_seconds',
    help: 'Largest event-loop delay observed since the previous scrape.',
    registers: [registry],
    collect() {
      this.set(lag.max / 1e9);
      lag.reset();
    },
  });
}

/**
 * Requests in flight per method, kept in plain numbers and read by the gauge at scrape time:
 * prom-client's `inc`/`dec` with labels hash the label object on every call, and the server
 * path calls them twice per request.
 */
export class ActiveRequests {
  readonly #byMethod = new Map<string, number>();

  inc(method: string): void {
    this.#byMethod.set(method, (this.#byMethod.get(method) ?? 0) + 1);
  }

  dec(method: string): void {
    this.#byMethod.set(method, (this.#byMethod.get(method) ?? 0) - 1);
  }

  byMethod(): IterableIterator<[string, number]> {
    return this.#byMethod.entries();
  }
}

/** The trace id of `ctx`'s span when it is sampled (only sampled traces reach Jaeger). */
export function sampledTraceId(ctx: Context = context.active()): string | undefined {
  const sc = trace.getSpanContext(ctx);
  return sc !== undefined && sc.traceFlags & TraceFlags.SAMPLED ? sc.traceId : undefined;
}
