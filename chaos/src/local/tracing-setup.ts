/**
 * Where the playground's traces go, decided once at `up`: an OTLP endpoint the user gave
 * (OTEL_EXPORTER_OTLP_ENDPOINT), else the local Jaeger v2 when its binary is there, else off —
 * with a note that says which, and why, for the summary and `faultline status`.
 */
import { jaegerEndpoints, jaegerPod } from './jaeger-pod.js';
import type { JaegerLookup } from './jaeger-binary.js';
import type { PlaygroundConfig } from './playground-config.js';
import type { PodSpec } from './pod-plan.js';
import type { PlaygroundState } from './state-file.js';

export interface TracingSetup {
  tracing: PlaygroundState['tracing'];
  /** The Jaeger pod to run in stage 0, when the playground runs its own. */
  jaeger?: PodSpec;
  /** Jaeger's query API base URL (state file `urls.jaeger`). */
  jaegerUrl?: string;
}

/** The local build is the Go module's: it serves the query API, not the web UI. */
export const NO_UI_NOTE =
  'this local Jaeger build has the query API but no web UI (the Helm chart runs the official image, which has it); `faultline traces` shows traces in the terminal';

export function tracingSetup(
  config: PlaygroundConfig,
  stateDir: string,
  lookup: () => JaegerLookup,
  env: NodeJS.ProcessEnv = process.env,
): TracingSetup {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (endpoint)
    return {
      tracing: {
        on: true,
        endpoint,
        note: `tracing: exporting to ${endpoint} (OTEL_EXPORTER_OTLP_ENDPOINT); no local Jaeger`,
      },
    };
  if (!config.tracing.jaeger)
    return {
      tracing: {
        on: false,
        note: 'tracing is OFF: tracing.jaeger is false in the playground config',
      },
    };
  const found = lookup();
  if (!found.found) return { tracing: { on: false, note: `tracing is OFF: ${found.reason}` } };
  const urls = jaegerEndpoints(config);
  const ratio = config.tracing.samplingRatio ?? (env.OTEL_TRACES_SAMPLER_ARG || '0.1');
  return {
    tracing: {
      on: true,
      endpoint: urls.otlpHttp,
      note: `tracing: exporting every service's spans to the local Jaeger (OTLP/HTTP ${urls.otlpHttp}), sampling ${ratio} of requests (tracing.samplingRatio); ${NO_UI_NOTE}`,
    },
    jaeger: jaegerPod(config, stateDir, found.binary),
    jaegerUrl: urls.query,
  };
}
