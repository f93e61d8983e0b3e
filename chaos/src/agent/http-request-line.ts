/**
 * Just enough HTTP/1.x to pick requests out of a byte stream for `http-fault`: a chunk that
 * starts with a request line starts a request. Clients write the request head in one write,
 * so its first chunk carries the whole line; a body that itself begins with a request line
 * would be mistaken for one, which is an accepted limit of a byte-level proxy.
 */
import type { LinkFaultState } from './link-fault-state.js';

const REQUEST_LINE = /^([A-Z]{3,7}) (\S+) HTTP\/1\.[01]\r?\n/;

export interface RequestLine {
  method: string;
  /** Path without the query string. */
  path: string;
}

export function parseRequestLine(chunk: Buffer): RequestLine | undefined {
  const m = REQUEST_LINE.exec(chunk.toString('latin1', 0, Math.min(chunk.length, 2048)));
  if (!m) return undefined;
  const target = m[2]!;
  const q = target.indexOf('?');
  return { method: m[1]!, path: q === -1 ? target : target.slice(0, q) };
}

export type HttpVerdict = { abortStatus: number } | { delayMs: number } | undefined;

/**
 * What an http-fault does to one request: nothing (not a candidate, or not drawn), abort
 * with a status, or a delay. The RNG is drawn once per candidate request, so a seed replays.
 */
export function httpVerdict(
  rule: NonNullable<LinkFaultState['http']>,
  req: RequestLine,
): HttpVerdict {
  if (!req.path.startsWith(rule.routePrefix)) return undefined;
  if (rule.methods && !rule.methods.has(req.method)) return undefined;
  if (!(rule.rng() * 100 < rule.percent)) return undefined;
  if (rule.abortStatus !== undefined) return { abortStatus: rule.abortStatus };
  return { delayMs: rule.delayMs ?? 0 };
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** A complete response for an aborted request; the connection is closed after it. */
export function abortResponse(status: number, faultId: string, experiment: string): Buffer {
  const body = JSON.stringify({
    error: 'injected_fault',
    details: [{ path: 'fault', message: `http-fault ${faultId} (experiment ${experiment})` }],
  });
  return Buffer.from(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Injected Fault'}\r\n` +
      'content-type: application/json\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      `x-faultline-fault: ${faultId}\r\n` +
      `x-faultline-experiment: ${experiment}\r\n` +
      'connection: close\r\n\r\n' +
      body,
    'latin1',
  );
}
