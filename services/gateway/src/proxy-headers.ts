/**
 * What crosses the proxy in headers: hop-by-hop headers stop here (RFC 9110 §7.6.1), the
 * backend learns who asked (X-Forwarded-*), how long it has (the kit's deadline header) and the
 * trace it belongs to; the client may get a sticky cookie on the way back.
 */
import { channel } from 'node:diagnostics_channel';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { propagation, type Context } from '@opentelemetry/api';
import { DEADLINE_HEADER, type Deadline } from '@faultline/kit/deadline';

/** Headers that describe one connection, never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
/** Not forwarded either: undici refuses to send it, and the body goes out without waiting. */
const EXPECT = 'expect';

/**
 * The channel the OpenTelemetry undici instrumentation listens on. When it is loaded it makes
 * a client span for each attempt (a child of the exchange's span) and appends its own
 * traceparent, which must then be the only one.
 */
const undiciRequests = channel('undici:request:create');

/**
 * Whether an outgoing instrumentation (OpenTelemetry's undici) is loaded. Only then must an
 * attempt run in its exchange's context and the exchange have one; otherwise the gateway
 * writes the trace context into the backend's headers itself (the local plan and the chart
 * disable it: the exchange's span already covers each request).
 */
export const outgoingInstrumented = (): boolean => undiciRequests.hasSubscribers;

/** The trace for the backend: a context to inject, or an unsampled root's traceparent. */
export type OutgoingTrace = Context | string;

/** How the request body goes to the backend, which decides its framing headers. */
export interface BodyFraming {
  /** Length of a body buffered whole, or undefined when it is not buffered. */
  readonly bufferedLength: number | undefined;
}

/** Headers for the backend: the client's minus hop-by-hop, plus forwarding and deadline. */
export function backendRequestHeaders(
  req: IncomingMessage,
  deadline: Deadline,
  trace: OutgoingTrace,
  body: BodyFraming,
): IncomingHttpHeaders {
  const inHeaders = req.headers;
  const out: IncomingHttpHeaders = {};
  for (const key in inHeaders)
    if (!HOP_BY_HOP.has(key) && key !== EXPECT) out[key] = inHeaders[key];
  const connection = inHeaders.connection;
  if (connection && connection !== 'keep-alive' && connection !== 'close') {
    // Headers the client named as hop-by-hop in Connection go no further either.
    for (const name of connection.split(',')) delete out[name.trim().toLowerCase()];
  }
  const peer = req.socket.remoteAddress ?? '';
  const xff = inHeaders['x-forwarded-for'];
  out['x-forwarded-for'] = xff ? `${String(xff)}, ${peer}` : peer;
  out['x-forwarded-proto'] ??= 'http';
  out[DEADLINE_HEADER] = deadline.headerValue();
  if (typeof trace === 'string') {
    // An unsampled root's traceparent as is. The client sent none, so its tracestate belongs
    // to no trace; its baggage passes through unchanged.
    out.traceparent = trace;
    delete out.tracestate;
  } else {
    // The caller's trace context is replaced by the exchange's, or by none of it when the
    // undici instrumentation will add its own.
    for (const field of propagation.fields()) delete out[field];
    if (!outgoingInstrumented()) propagation.inject(trace, out);
  }
  // A streamed body keeps the client's content-length, or undici sends it chunked.
  if (body.bufferedLength !== undefined) out['content-length'] = String(body.bufferedLength);
  return out;
}

/**
 * Response headers for the client: the upstream's (as undici parsed them: lower-case names, a
 * repeated header as an array) minus hop-by-hop, plus a sticky cookie. A flat list, which
 * node:http writes without a per-header setHeader.
 */
export function clientResponseHeaders(
  upstream: IncomingHttpHeaders,
  stickyCookie: string | undefined,
): string[] {
  const out: string[] = [];
  for (const name in upstream) {
    if (HOP_BY_HOP.has(name)) continue;
    const value = upstream[name];
    if (typeof value === 'string') out.push(name, value);
    else if (value !== undefined) for (const v of value) out.push(name, v);
  }
  if (stickyCookie !== undefined) out.push('set-cookie', stickyCookie);
  return out;
}
