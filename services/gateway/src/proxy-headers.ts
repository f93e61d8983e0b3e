/**
 * What crosses the proxy in headers: hop-by-hop headers stop here (RFC 9110 §7.6.1), the
 * backend learns who asked (X-Forwarded-*), how long it has (the kit's deadline header) and the
 * trace it belongs to; the client may get a sticky cookie on the way back.
 */
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

/** How the request body goes to the backend, which decides its framing headers. */
export interface BodyFraming {
  /** Length of a body buffered whole, or undefined when it is not buffered. */
  readonly bufferedLength: number | undefined;
  /** The body streams through as it arrives. */
  readonly streamed: boolean;
}

/** Headers for the backend: the client's minus hop-by-hop, plus forwarding and deadline. */
export function backendRequestHeaders(
  req: IncomingMessage,
  deadline: Deadline,
  spanContext: Context,
  body: BodyFraming,
): IncomingHttpHeaders {
  const inHeaders = req.headers;
  const out: IncomingHttpHeaders = {};
  for (const key in inHeaders) if (!HOP_BY_HOP.has(key)) out[key] = inHeaders[key];
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
  // W3C trace context for the backend (the http instrumentation, when loaded, overwrites it
  // with its client span, which is a child of ours).
  propagation.inject(spanContext, out);
  if (body.bufferedLength !== undefined) out['content-length'] = String(body.bufferedLength);
  else if (body.streamed && inHeaders['transfer-encoding'] !== undefined)
    out['transfer-encoding'] = 'chunked';
  return out;
}

/** Response headers for the client: the upstream's minus hop-by-hop, plus a sticky cookie. */
export function clientResponseHeaders(
  upstreamRes: IncomingMessage,
  stickyCookie: string | undefined,
): string[] {
  const raw = upstreamRes.rawHeaders;
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
  }
  if (stickyCookie !== undefined) out.push('Set-Cookie', stickyCookie);
  return out;
}
