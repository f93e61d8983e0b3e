/**
 * `http_client_request_duration_seconds` for every outgoing request of the process, from
 * Node's diagnostics channels: node:http clients and fetch (undici) alike, with no wrapper
 * that a caller could forget to use.
 */
import diagnostics from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { sampledTraceId, type Metrics } from './metrics.js';

interface Started {
  start: bigint;
  method: string;
  address: string;
  port: string;
  traceId: string | undefined;
}

interface UndiciRequest {
  method: string;
  origin: string;
}

/** Starts recording outgoing requests into `metrics`; returns a function that stops it. */
export function recordHttpClientMetrics(metrics: Metrics): () => void {
  const inFlight = new WeakMap<object, Started>();
  const begin = (key: object, method: string, address: string, port: string) =>
    inFlight.set(key, {
      start: process.hrtime.bigint(),
      method,
      address,
      port,
      traceId: sampledTraceId(),
    });
  const end = (key: object, status: number | undefined, errorType?: string) => {
    const s = inFlight.get(key);
    if (!s) return;
    inFlight.delete(key);
    metrics.httpClientDuration.observe(
      {
        http_request_method: s.method,
        server_address: s.address,
        server_port: s.port,
        http_response_status_code: status === undefined ? '' : String(status),
        error_type: errorType ?? (status !== undefined && status >= 500 ? String(status) : ''),
      },
      Number(process.hrtime.bigint() - s.start) / 1e9,
      s.traceId,
    );
  };

  const handlers: [string, (msg: unknown) => void][] = [
    [
      'http.client.request.start',
      (m) => {
        const req = (m as { request: ClientRequest }).request;
        const [host, port] = splitHost(req.host, req.getHeader('host'));
        begin(req, req.method, host, port);
      },
    ],
    [
      'http.client.response.finish',
      (m) => {
        const { request, response } = m as { request: ClientRequest; response: IncomingMessage };
        end(request, response.statusCode);
      },
    ],
    [
      'http.client.request.error',
      (m) => {
        const { request, error } = m as { request: ClientRequest; error: NodeJS.ErrnoException };
        end(request, undefined, error.code ?? error.name);
      },
    ],
    [
      'undici:request:create',
      (m) => {
        const req = (m as { request: UndiciRequest }).request;
        const url = new URL(req.origin);
        begin(
          req,
          req.method,
          url.hostname,
          url.port || (url.protocol === 'https:' ? '443' : '80'),
        );
      },
    ],
    [
      'undici:request:headers',
      (m) => {
        const { request, response } = m as { request: object; response: { statusCode: number } };
        end(request, response.statusCode);
      },
    ],
    [
      'undici:request:error',
      (m) => {
        const { request, error } = m as { request: object; error: Error & { code?: string } };
        end(request, undefined, error.code ?? error.name);
      },
    ],
  ];
  for (const [name, fn] of handlers) diagnostics.subscribe(name, fn);
  return () => {
    for (const [name, fn] of handlers) diagnostics.unsubscribe(name, fn);
  };
}

function splitHost(host: string, header: unknown): [string, string] {
  const h = typeof header === 'string' ? header : host;
  const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(h);
  return [m?.[1] ?? host, m?.[2] ?? '80'];
}
