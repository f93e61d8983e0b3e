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
import {
  createContextKey,
  isSpanContextValid,
  trace,
  TraceFlags,
  type Context,
} from '@opentelemetry/api';
import { currentTelemetry } from './current-telemetry.js';
import { newSpanId, newTraceId } from './trace-ids.js';

/** Set on the context of a root span the kit decided to sample. */
export const SAMPLED_BY_KIT = createContextKey('faultline.kit.sampled-root');

/** The root ratio when the kit's telemetry runs; undefined = leave every decision to the SDK. */
export function rootSamplingRatio(): number | undefined {
  return currentTelemetry()?.options.samplingRatio;
}

/**
 * The head-sampling decision for the first span of an incoming request, whose caller's
 * context (extracted from its headers) is `parent`. Sampled: start the span with the SDK's
 * tracer in `samplingContext`. Not sampled: run the request in `context`, which holds a
 * non-recording span with the trace's ids (a fresh trace id when there is no parent).
 */
export type IncomingSampling =
  | { readonly sampled: true; readonly samplingContext: Context }
  | { readonly sampled: false; readonly context: Context };

export function sampleIncoming(parent: Context): IncomingSampling {
  const ratio = rootSamplingRatio();
  if (ratio === undefined) return { sampled: true, samplingContext: parent };
  const remote = trace.getSpanContext(parent);
  const hasParent = remote !== undefined && isSpanContextValid(remote);
  if (hasParent ? (remote.traceFlags & TraceFlags.SAMPLED) !== 0 : Math.random() < ratio) {
    return {
      sampled: true,
      samplingContext: hasParent ? parent : parent.setValue(SAMPLED_BY_KIT, true),
    };
  }
  const span = trace.wrapSpanContext({
    traceId: hasParent ? remote.traceId : newTraceId(),
    spanId: newSpanId(),
    traceFlags: TraceFlags.NONE,
    traceState: remote?.traceState,
  });
  return { sampled: false, context: trace.setSpan(parent, span) };
}
