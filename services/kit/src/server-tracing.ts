/**
 * One SERVER span per incoming request, made by the kit rather than by
 * @opentelemetry/instrumentation-http's incoming side. Measured here (`make bench`, and a
 * bare node:http server), that instrumentation costs ~45 µs per request even for unsampled
 * traces — it would cost a fast service most of its throughput. The kit does the part we
 * need (see request-instrumentation.ts): W3C extraction, a span named by route template with
 * semantic-convention attributes, the context made active for the handler, and the span ended
 * when the response is done. Outgoing calls are still traced by the http and undici
 * instrumentations. A request that crossed a faultline agent link under a chaos experiment
 * carries the baggage entry `faultline.experiment`; its span gets that id as an attribute of
 * the same name.
 */
import {
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Tracer,
} from '@opentelemetry/api';
import type { IncomingMessage } from 'node:http';
import { sampleIncoming } from './server-sampling.js';

/** Baggage key set by the faultline agent, and the span attribute it becomes. */
export const EXPERIMENT_KEY = 'faultline.experiment';
/** The agent's experiment id format; anything else a client sends is not recorded. */
const EXPERIMENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The chaos experiment id in `ctx`'s baggage, when there is a well-formed one. */
export function experimentOf(ctx: Context): string | undefined {
  const value = propagation.getBaggage(ctx)?.getEntry(EXPERIMENT_KEY)?.value;
  return value !== undefined && EXPERIMENT_ID.test(value) ? value : undefined;
}

export interface ServerSpan {
  /** The context to run the handler in (the span active, the caller's baggage kept). */
  readonly context: Context;
  /** Ends the span with the route template ('' = none matched) and the response status. */
  end(route: string, status: number, aborted: boolean): void;
}

const noop = () => undefined;

/** Starts the SERVER span of an incoming request (called once per request, by the kit). */
export function startServerSpan(req: IncomingMessage, path: string, tracer: Tracer): ServerSpan {
  // `parent` keeps the extracted baggage, so the handler's outgoing calls propagate it on.
  const parent = propagation.extract(ROOT_CONTEXT, req.headers);
  const sampling = sampleIncoming(parent);
  if (!sampling.sampled) return { context: sampling.context, end: noop };
  return sdkServerSpan(req, path, tracer, parent, sampling.samplingContext);
}

/** The span from the SDK's tracer, sampled by `samplingContext`; attributes only if it records. */
function sdkServerSpan(
  req: IncomingMessage,
  path: string,
  tracer: Tracer,
  parent: Context,
  samplingContext: Context,
): ServerSpan {
  const method = req.method ?? 'GET';
  // Only the sampling-relevant attribute up front; the rest only for spans that record.
  const span = tracer.startSpan(
    method,
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': method } },
    samplingContext,
  );
  const ctx = trace.setSpan(parent, span);
  if (!span.isRecording()) return { context: ctx, end: noop };
  const experiment = experimentOf(parent);
  if (experiment !== undefined) span.setAttribute(EXPERIMENT_KEY, experiment);
  span.setAttributes({
    'url.path': path,
    'url.scheme': 'http',
    'network.protocol.version': req.httpVersion,
    'server.port': req.socket.localPort,
    'client.address': req.socket.remoteAddress,
    'user_agent.original': req.headers['user-agent'],
  });
  return {
    context: ctx,
    end(route, status, aborted) {
      if (route) {
        span.updateName(`${method} ${route}`);
        span.setAttribute('http.route', route);
      }
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      if (aborted) span.setAttribute('error.type', 'response_aborted');
      span.end();
    },
  };
}
