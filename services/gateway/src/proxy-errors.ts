/**
 * The kit's error body (`{error, message, details:[{path, message}]}`) for plain node:http
 * responses and raw sockets, which the proxy uses instead of express.
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorDetail } from '@faultline/kit/http-errors';

export function errorBody(
  error: string,
  message: string,
  details: ErrorDetail[],
  extra: Record<string, string> = {},
): string {
  return JSON.stringify({ error, message, details, ...extra });
}

/** Sends a JSON error unless headers already went out (then the only honest move is a reset). */
export function sendProxyError(
  res: ServerResponse,
  status: number,
  error: string,
  message: string,
  details: ErrorDetail[],
  extra: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = errorBody(error, message, details, extra);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    // A 503 of the gateway's own (no backend left, shedding) passes soon: say when to come back,
    // as the services' documents promise for their 503s.
    ...(status === 503 ? { 'retry-after': '1' } : {}),
  });
  res.end(body);
}

/** A complete HTTP/1.1 error response written on a socket the parser gave up on. */
export function writeRawError(
  socket: Duplex,
  status: number,
  error: string,
  message: string,
  path: string,
): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = errorBody(error, message, [{ path, message }]);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
