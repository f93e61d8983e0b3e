/**
 * RED metrics for an express app: rate and errors (by status) and duration, labelled by the
 * route template (`/seats/:seatId`), never the raw URL, so cardinality stays bounded.
 */
import type { Request, RequestHandler } from 'express';
import { isUntracedPath } from './untraced-paths.js';
import { observeWithExemplar, sampledTraceId, type Metrics } from './metrics.js';

/** The matched route template; '' when nothing matched (a 404 has no route). */
export function routeTemplate(req: Request): string {
  const route = (req.route as { path?: unknown } | undefined)?.path;
  return typeof route === 'string' ? `${req.baseUrl}${route}` : '';
}

export function redMiddleware(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    // Probes and scrapes would swamp the request rate of a quiet service.
    if (isUntracedPath(req.path)) return next();
    const start = process.hrtime.bigint();
    const method = req.method;
    const traceId = sampledTraceId();
    metrics.httpServerActive.inc({ http_request_method: method });
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      metrics.httpServerActive.dec({ http_request_method: method });
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      observeWithExemplar(
        metrics.httpServerDuration,
        {
          http_request_method: method,
          http_route: routeTemplate(req),
          http_response_status_code: res.statusCode,
        },
        seconds,
        traceId,
      );
    };
    res.once('finish', finish);
    res.once('close', finish);
    next();
  };
}
