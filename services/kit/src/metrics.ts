/**
 * Prometheus metrics with a per-app Registry (tests build fresh apps; nothing global).
 * RED under OpenTelemetry HTTP semantic-convention names, USE for the process, exemplars
 * carrying `trace_id` so Grafana can jump from a latency bucket to the trace.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { trace, context, TraceFlags } from '@opentelemetry/api';
import client, { Registry, type Histogram, type OpenMetricsContentType } from 'prom-client';

/** OTel's recommended HTTP duration buckets, plus 1 ms and 2.5 ms for a fast proxy hop. */
export const HTTP_DURATION_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

export interface Metrics {
  readonly registry: Registry<OpenMetricsContentType>;
  readonly httpServerDuration: Histogram<
    'http_request_method' | 'http_route' | 'http_response_status_code'
  >;
  readonly httpServerActive: client.Gauge<'http_request_method'>;
  readonly httpClientDuration: Histogram<
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
  const httpServerDuration = new client.Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'Duration of HTTP server requests.',
    labelNames: ['http_request_method', 'http_route', 'http_response_status_code'] as const,
    buckets: HTTP_DURATION_BUCKETS,
    enableExemplars: true,
    registers: [registry],
  });
  const httpServerActive = new client.Gauge({
    name: 'http_server_active_requests',
    help: 'HTTP server requests in flight.',
    labelNames: ['http_request_method'] as const,
    registers: [registry],
  });
  const httpClientDuration = new client.Histogram({
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
    enableExemplars: true,
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

/** The active span's trace id, when it is sampled (only sampled traces reach Jaeger). */
export function sampledTraceId(): string | undefined {
  const span = trace.getSpan(context.active());
  if (!span) return undefined;
  const sc = span.spanContext();
  return sc.traceFlags & TraceFlags.SAMPLED ? sc.traceId : undefined;
}

/** Observes `seconds`, attaching the current trace as an exemplar when there is one. */
export function observeWithExemplar<L extends string>(
  histogram: Histogram<L>,
  labels: Partial<Record<L, string | number>>,
  seconds: number,
  traceId: string | undefined = sampledTraceId(),
): void {
  // Exemplar-enabled histograms take only the object form; no labels = no exemplar.
  histogram.observe({
    labels,
    value: seconds,
    exemplarLabels: (traceId ? { trace_id: traceId } : {}) as Partial<Record<L, string>>,
  });
}
