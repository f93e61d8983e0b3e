/**
 * Head sampling of incoming requests, decided by the kit before any span exists. With the
 * default ratio nine requests in ten are not sampled; for those the kit makes only the trace
 * context the handler's outgoing calls propagate (a non-recording span with fresh ids, flags
 * 00), instead of asking the SDK to build, sample and discard a span — that path allocated a
 * dozen objects per request and cost the hello route measurable throughput. The decision is the
 * SDK's own parent-based rule: follow a valid incoming parent's sampled flag; otherwise sample
 * with the root ratio. The SDK's root sampler (telemetry.ts) then records, without rolling its
 * own dice again, a root span the kit has already chosen (the context carries SAMPLED_BY_KIT).
 */
import { createContextKey } from '@opentelemetry/api';
import { currentTelemetry } from './current-telemetry.js';

/** Set on the context of a root span the kit decided to sample. */
export const SAMPLED_BY_KIT = createContextKey('faultline.kit.sampled-root');

/** The root ratio when the kit's telemetry runs; undefined = leave every decision to the SDK. */
export function rootSamplingRatio(): number | undefined {
  return currentTelemetry()?.options.samplingRatio;
}
