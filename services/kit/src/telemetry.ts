/**
 * OpenTelemetry tracing for a faultline process: W3C trace context, parent-based ratio
 * sampling, OTLP/HTTP export to OTEL_EXPORTER_OTLP_ENDPOINT, and only the instrumentations
 * faultline uses — outgoing http and fetch, ioredis, grpc (the etcd3 client's transport); express
 * on request — because start-up time and per-request cost are budgets. Incoming requests get
 * their SERVER span from the kit's own middleware (server-tracing.ts). Start it from the
 * preload file (`--import @faultline/kit/telemetry-preload`), so modules are patched first.
 */
import { context, propagation, SamplingDecision, trace, type Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SamplingResult,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations, type Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { hostname } from 'node:os';
import { setCurrentTelemetry } from './current-telemetry.js';
import { SAMPLED_BY_KIT } from './server-sampling.js';

/** Loaded unless disabled: outgoing HTTP (node:http, fetch), Redis, and gRPC (etcd). */
export const DEFAULT_INSTRUMENTATIONS = ['http', 'undici', 'ioredis', 'grpc'] as const;

const words = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** The documented default: one trace in ten; override with OTEL_TRACES_SAMPLER_ARG. */
export const DEFAULT_SAMPLING_RATIO = 0.1;

export interface TelemetryOptions {
  serviceName: string;
  serviceVersion: string;
  /** `service.instance.id`; the pod name when there is one. */
  instanceId: string;
  /** OTLP/HTTP base URL (`…/v1/traces` is appended); none = no export, no errors. */
  endpoint: string | undefined;
  /** Root sampling ratio in [0, 1]; children follow their parent's decision. */
  samplingRatio: number;
  /** Extra instrumentations to load (OTEL_NODE_ENABLED_INSTRUMENTATIONS; `express`). */
  enabledInstrumentations?: string[];
  /** Instrumentations not to load (OTEL_NODE_DISABLED_INSTRUMENTATIONS: http, ioredis, grpc, undici). */
  disabledInstrumentations?: string[];
  /** Test hook: export here instead of (or besides) OTLP. */
  extraExporter?: SpanExporter;
}

export interface Telemetry {
  readonly options: TelemetryOptions;
  readonly exporting: boolean;
  /** Export what is buffered (shutdown calls this). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** Reads the standard OTEL_* variables (plus FAULTLINE_INSTANCE for the pod name). */
export function telemetryOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): TelemetryOptions {
  const raw = env.OTEL_TRACES_SAMPLER_ARG;
  const ratio = raw === undefined || raw === '' ? DEFAULT_SAMPLING_RATIO : Number(raw);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw new Error(
      `OTEL_TRACES_SAMPLER_ARG: expected a ratio in [0, 1] (got ${JSON.stringify(raw)})`,
    );
  }
  return {
    serviceName: env.OTEL_SERVICE_NAME || 'faultline',
    serviceVersion: env.FAULTLINE_VERSION || '0.1.0',
    instanceId: env.FAULTLINE_INSTANCE || `${hostname()}-${process.pid}`,
    endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined,
    samplingRatio: ratio,
    enabledInstrumentations: words(env.OTEL_NODE_ENABLED_INSTRUMENTATIONS),
    disabledInstrumentations: words(env.OTEL_NODE_DISABLED_INSTRUMENTATIONS),
  };
}

export function startTelemetry(options: TelemetryOptions): Telemetry {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(
    new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    }),
  );

  const spanProcessors: SpanProcessor[] = [];
  if (options.endpoint) {
    const url = `${options.endpoint.replace(/\/+$/, '')}/v1/traces`;
    spanProcessors.push(
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url }),
        scheduledDelayMillis: 1000,
      }),
    );
  }
  if (options.extraExporter)
    spanProcessors.push(
      new BatchSpanProcessor({ exporter: options.extraExporter, scheduledDelayMillis: 100 }),
    );

  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      'service.name': options.serviceName,
      'service.version': options.serviceVersion,
      'service.instance.id': options.instanceId,
    }),
    sampler: new ParentBasedSampler({ root: new RootSampler(options.samplingRatio) }),
    spanProcessors,
  });
  trace.setGlobalTracerProvider(provider);

  const factories: Record<string, () => Instrumentation> = {
    // Outgoing node:http only: incoming requests get their span from the kit's
    // serverTracingMiddleware, at a fraction of the cost (see server-tracing.ts).
    http: () => new HttpInstrumentation({ disableIncomingRequestInstrumentation: true }),
    // Opt-in (OTEL_NODE_ENABLED_INSTRUMENTATIONS=express): the kit's server span already
    // carries http.route, and wrapping every layer measured at a third of a hello route's
    // throughput.
    express: () => new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] }),
    ioredis: () => new IORedisInstrumentation({ requireParentSpan: true }),
    grpc: () => new GrpcInstrumentation(),
    // fetch() is Node's standard HTTP client; it does not go through node:http.
    undici: () => new UndiciInstrumentation(),
  };
  const disabled = new Set(options.disabledInstrumentations ?? []);
  const enabled = new Set([
    ...DEFAULT_INSTRUMENTATIONS,
    ...(options.enabledInstrumentations ?? []),
  ]);
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: Object.entries(factories)
      .filter(([name]) => enabled.has(name) && !disabled.has(name))
      .map(([, make]) => make()),
  });

  const telemetry: Telemetry = {
    options,
    exporting: spanProcessors.length > 0,
    flush: () => provider.forceFlush(),
    shutdown: async () => {
      setCurrentTelemetry(undefined);
      await provider.shutdown();
      contextManager.disable();
    },
  };
  setCurrentTelemetry(telemetry);
  return telemetry;
}

/**
 * Root spans are sampled at the ratio (by trace id, as OTel's TraceIdRatioBased), except an
 * incoming request's SERVER span that the kit has already chosen to sample at the same ratio
 * (server-sampling.ts): rolling the dice twice would sample ratio² of them.
 */
class RootSampler implements Sampler {
  readonly #ratio: TraceIdRatioBasedSampler;

  constructor(ratio: number) {
    this.#ratio = new TraceIdRatioBasedSampler(ratio);
  }

  shouldSample(ctx: Context, traceId: string): SamplingResult {
    if (ctx.getValue(SAMPLED_BY_KIT) === true)
      return { decision: SamplingDecision.RECORD_AND_SAMPLED };
    return this.#ratio.shouldSample(ctx, traceId);
  }

  toString(): string {
    return `FaultlineRootSampler{${this.#ratio.toString()}}`;
  }
}
