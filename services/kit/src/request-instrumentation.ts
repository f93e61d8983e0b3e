/**
 * Tracing and RED metrics for every request an express app handles, wrapped around the app's
 * own handler instead of added as middleware layers: measured on the hello service, each
 * express layer costs ~4 µs per request on our machines, and two layers plus their listeners
 * cost a fast route a third of its throughput. Here: one path check on the raw URL, one
 * clock read, one `close` listener (emitted for finished and aborted responses alike).
 *
 * RED: `http_server_request_duration_seconds` labelled by the route template (`/seats/:seatId`),
 * never the raw URL, so cardinality stays bounded; `http_server_active_requests` in flight.
 */
import { context, trace } from '@opentelemetry/api';
import type { Express, Request } from 'express';
import type { ServerResponse } from 'node:http';
import { sampledTraceId, type Metrics } from './metrics.js';
import { startServerSpan } from './server-tracing.js';
import { untracedPath } from './untraced-paths.js';

export interface InstrumentOptions {
  metrics: Metrics;
  /** RED metrics (default true; off only for the benchmark's baseline). */
  red?: boolean;
}

type Handle = (req: Request, res: ServerResponse, next?: (err?: unknown) => void) => void;

/** The matched route template; '' when nothing matched (a 404 has no route). */
export function routeTemplate(req: Request): string {
  const route = (req.route as { path?: unknown } | undefined)?.path;
  return typeof route === 'string' ? `${req.baseUrl}${route}` : '';
}

/** Wraps `app`'s request handler so each request is traced and measured exactly once. */
export function instrumentApp(app: Express, opts: InstrumentOptions): void {
  const target = app as unknown as { handle: Handle };
  const handle = target.handle.bind(app);
  const tracer = trace.getTracer('@faultline/kit');
  const red = opts.red !== false;
  const { httpServerDuration: duration, httpServerActive: active } = opts.metrics;
  target.handle = (req, res, next) => {
    const path = untracedPath(req.url ?? '/');
    // Probes and scrapes: not traced, not counted (they would swamp a quiet service).
    if (path === undefined) return handle(req, res, next);
    const start = performance.now();
    const span = startServerSpan(req, path, tracer);
    const method = req.method;
    if (red) active.inc(method);
    res.once('close', () => {
      const route = routeTemplate(req);
      const status = res.statusCode;
      if (red) {
        active.dec(method);
        duration.observe(
          { http_request_method: method, http_route: route, http_response_status_code: status },
          (performance.now() - start) / 1000,
          sampledTraceId(span.context),
        );
      }
      span.end(route, status, !res.writableFinished);
    });
    context.with(span.context, handle, undefined, req, res, next);
  };
}
