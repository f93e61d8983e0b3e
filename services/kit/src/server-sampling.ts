/**
 * Head sampling of incoming requests, decided by the kit before any span exists. With the
 * default ratio nine requests in ten are not sampled; for those the kit keeps only the trace
 * context the handler's outgoing calls propagate (the caller's, or a non-recording span with
 * fresh ids, flags 00), instead of asking the SDK to build, sample and discard a span — that
 * path allocated a dozen objects per request and cost the hello route measurable throughput.
 * The decision is the SDK's own parent-based rule: follow a valid incoming parent's sampled
 * flag; otherwise sample with the root ratio. The SDK's root sampler (telemetry.ts) then
 * records, without rolling its own dice again, a root span the kit has already chosen (the
 * context carries SAMPLED_BY_KIT).
 */
import {
  createContextKey,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  trace,
  TraceFlags,
  type Context,
} from '@opentelemetry/api';
import type { IncomingHttpHeaders } from 'node:http';
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
 * non-recording span: the caller's own when it sent a trace, else one with fresh ids.
 * `rootSampled`: the root decision, when the caller has already rolled the dice for it.
 */
export type IncomingSampling =
  | { readonly sampled: true; readonly samplingContext: Context }
  | { readonly sampled: false; readonly context: Context };

export function sampleIncoming(parent: Context, rootSampled?: boolean): IncomingSampling {
  const ratio = rootSamplingRatio();
  if (ratio === undefined) return { sampled: true, samplingContext: parent };
  const remote = trace.getSpanContext(parent);
  const hasParent = remote !== undefined && isSpanContextValid(remote);
  if (
    hasParent
      ? (remote.traceFlags & TraceFlags.SAMPLED) !== 0
      : (rootSampled ?? Math.random() < ratio)
  ) {
    return {
      sampled: true,
      samplingContext: hasParent ? parent : parent.setValue(SAMPLED_BY_KIT, true),
    };
  }
  // A caller's unsampled trace: its own context already holds a non-recording span with its
  // ids (and its tracestate and baggage), so the request passes the caller's traceparent on
  // unchanged, as W3C allows a participant that records nothing. A fresh span id on top cost
  // booking ~4 µs of CPU per request behind the gateway (a second span and context to build
  // and collect; bench/src/telemetry.bench.ts, issue 16) and named no span anyone recorded.
  if (hasParent) return { sampled: false, context: parent };
  const span = trace.wrapSpanContext({
    traceId: newTraceId(),
    spanId: newSpanId(),
    traceFlags: TraceFlags.NONE,
  });
  return { sampled: false, context: trace.setSpan(parent, span) };
}

/**
 * The same decision for a proxy, which runs nothing of its own in the request's context and
 * only passes a trace context on in headers. A request without a `traceparent` (most requests
 * at the edge) that the root ratio does not sample comes back as `unsampledRoot`: the
 * traceparent to send on (fresh ids, flags 00), decided without extracting a context or making
 * a span — for the gateway, that per-request work measured ~11 µs of CPU per proxied request
 * (98.7 → 87.6 µs with nothing sampled; 83.4 with telemetry off; issue 16). Everything else,
 * and every request when `needsContext` (an outgoing instrumentation will look for the active
 * span), comes back with the extracted `parent` and `sampleIncoming`'s decision for it, the
 * root dice rolled once.
 */
export type RequestSampling =
  | { readonly unsampledRoot: string }
  | {
      readonly unsampledRoot?: undefined;
      readonly parent: Context;
      readonly sampling: IncomingSampling;
    };

export function sampleIncomingRequest(
  headers: IncomingHttpHeaders,
  needsContext = false,
): RequestSampling {
  const ratio = rootSamplingRatio();
  let rootSampled: boolean | undefined;
  if (ratio !== undefined && headers.traceparent === undefined) {
    rootSampled = Math.random() < ratio;
    if (!rootSampled && !needsContext)
      return { unsampledRoot: `00-${newTraceId()}-${newSpanId()}-00` };
  }
  const parent = propagation.extract(ROOT_CONTEXT, headers);
  return { parent, sampling: sampleIncoming(parent, rootSampled) };
}
