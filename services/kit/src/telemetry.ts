/**
 * OpenTelemetry tracing for a faultline process: W3C trace context, parent-based ratio
 * sampling, OTLP/HTTP export to OTEL_EXPORTER_OTLP_ENDPOINT, and only the instrumentations
 * faultline uses (http, fetch, express, ioredis, grpc — the etcd3 client's transport), because
 * start-up time is a budget. Start it from the preload file (`--import
 * @faultline/kit/telemetry-preload`), so instrumented modules are patched before they load.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { hostname } from 'node:os';
import { isUntracedPath } from './untraced-paths.js';

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

const GLOBAL_KEY = Symbol.for('faultline.telemetry');

/** The telemetry started by the preload, if any; shutdown flushes it. */
export function currentTelemetry(): Telemetry | undefined {
  return (globalThis as Record<symbol, Telemetry | undefined>)[GLOBAL_KEY];
}

/** Reads the standard OTEL_* variables (plus FAULTLINE_INSTANCE for the pod name). */
export function telemetryOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): TelemetryOptions {
  const raw = env.OTEL_TRACES_SAMPLER_ARG;
  const ratio = raw === undefined || raw === '' ? DEFAULT_SAMPLING_RATIO : Number(raw);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw new Error(`OTEL_TRACES_SAMPLER_ARG: expected a ratio in [0, 1] (got ${JSON.stringify(raw)})`);
  }
  return {
    serviceName: env.OTEL_SERVICE_NAME || 'faultline',
    serviceVersion: env.FAULTLINE_VERSION || '0.1.0',
    instanceId: env.FAULTLINE_INSTANCE || `${hostname()}-${process.pid}`,
    endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined,
    samplingRatio: ratio,
  };
}

export function startTelemetry(options: TelemetryOptions): Telemetry {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );

  const spanProcessors: SpanProcessor[] = [];
  if (options.endpoint) {
    const url = `${options.endpoint.replace(/\/+$/, '')}/v1/traces`;
    spanProcessors.push(new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url }), scheduledDelayMillis: 1000 }));
  }
  if (options.extraExporter) spanProcessors.push(new BatchSpanProcessor({ exporter: options.extraExporter, scheduledDelayMillis: 100 }));

  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      'service.name': options.serviceName,
      'service.version': options.serviceVersion,
      'service.instance.id': options.instanceId,
    }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.samplingRatio) }),
    spanProcessors,
  });
  trace.setGlobalTracerProvider(provider);

  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        // Probes and scrapes are noise in traces and would dominate sampling.
        ignoreIncomingRequestHook: (req) => isUntracedPath(req.url ?? ''),
      }),
      new ExpressInstrumentation(),
      new IORedisInstrumentation({ requireParentSpan: true }),
      new GrpcInstrumentation(),
      // fetch() is Node's standard HTTP client; it does not go through node:http.
      new UndiciInstrumentation(),
    ],
  });

  const telemetry: Telemetry = {
    options,
    exporting: spanProcessors.length > 0,
    flush: () => provider.forceFlush(),
    shutdown: async () => {
      await provider.shutdown();
      contextManager.disable();
    },
  };
  (globalThis as Record<symbol, Telemetry | undefined>)[GLOBAL_KEY] = telemetry;
  return telemetry;
}
