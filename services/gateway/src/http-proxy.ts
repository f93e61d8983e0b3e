/**
 * The L7 reverse proxy (node:http server, undici pools upstream): route by path prefix, pick a backend (sticky
 * cookie first), stream the request and the response, and turn every failure into a bounded
 * JSON answer. Per-try timeouts and an overall deadline (propagated downstream in the kit's
 * deadline header); retries to a backend not tried yet, within the upstream's retry budget,
 * of idempotent requests and of any request that provably never reached its backend; a
 * breaker and outlier ejection per backend behind it all.
 * This file is the server and the routing; one request's life is in proxy-exchange.ts, one
 * try against one backend in proxy-attempt.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '@faultline/kit/logging';
import type { Metrics } from '@faultline/kit/metrics';
import type { RetryBudget } from '@faultline/kit/retry';
import type { BackendPool } from './backend-pool.js';
import type { HashKeyExtractor } from './hash-key.js';
import type { Picker } from './pickers/picker.js';
import { sendProxyError, writeRawError } from './proxy-errors.js';
import { ProxyExchange } from './proxy-exchange.js';
import type { StickySessions } from './sticky-sessions.js';

/** One upstream as the proxy sees it; `picker` may be swapped at run time (admin API). */
export interface Upstream {
  readonly name: string;
  readonly prefix: string;
  readonly pool: BackendPool;
  picker: Picker;
  readonly hashKey: HashKeyExtractor;
  readonly sticky: StickySessions | undefined;
  readonly budget: RetryBudget;
}

export interface ProxyOptions {
  upstreams: readonly Upstream[];
  perTryTimeoutMs: number;
  requestTimeoutMs: number;
  maxAttempts: number;
  /** Retry requests that provably never reached a backend, whatever their method. */
  retryNeverSent: boolean;
  maxBodyBytes: number;
  maxHeaderBytes: number;
  metrics: Metrics;
  logger: Logger;
}

/** The proxy's server; listen on it yourself. */
export function createProxyServer(opts: ProxyOptions): Server {
  const server = createServer(
    {
      maxHeaderSize: opts.maxHeaderBytes,
      // Slowloris guard: the whole request head must arrive in time.
      headersTimeout: 10_000,
      requestTimeout: Math.max(opts.requestTimeoutMs, 30_000),
      keepAliveTimeout: 65_000,
    },
    createProxyHandler(opts),
  );
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    // The parser rejected the request before any handler ran: answer in JSON, then close.
    if (err.code === 'HPE_HEADER_OVERFLOW') {
      writeRawError(
        socket,
        431,
        'headers_too_large',
        `request headers exceed ${opts.maxHeaderBytes} bytes`,
        'headers',
      );
    } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      writeRawError(socket, 408, 'request_timeout', 'request not received in time', 'request');
    } else if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
    } else {
      writeRawError(
        socket,
        400,
        'malformed_request',
        `malformed HTTP request (${err.code ?? 'parse error'})`,
        'request',
      );
    }
  });
  return server;
}

/** Routes by longest prefix and runs one exchange per request. */
function createProxyHandler(
  opts: ProxyOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  // Longest prefix first, so `/api/v2` wins over `/api` and `/`.
  const routes = [...opts.upstreams].sort((a, b) => b.prefix.length - a.prefix.length);
  return (req, res) => {
    const url = req.url ?? '';
    if (url.charCodeAt(0) !== 47 /* '/' */) {
      return sendProxyError(
        res,
        400,
        'malformed_request',
        'request target must be an absolute path',
        [
          {
            path: 'url',
            message: `unsupported request target ${JSON.stringify(url.slice(0, 100))}`,
          },
        ],
      );
    }
    const upstream = routes.find((u) => url.startsWith(u.prefix));
    if (!upstream) {
      return sendProxyError(res, 404, 'no_route', `no upstream serves ${url.split('?', 1)[0]}`, [
        { path: 'url', message: 'no upstream prefix matches this path' },
      ]);
    }
    new ProxyExchange(opts, upstream, req, res).start();
  };
}
