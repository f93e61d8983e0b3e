/**
 * RED metrics for a request: rate and errors (by status) and duration, labelled by the route
 * template (`/seats/:seatId`), never the raw URL, so cardinality stays bounded.
 */
import type { Request } from 'express';
import { observeWithExemplar, type Metrics } from './metrics.js';

/** The matched route template; '' when nothing matched (a 404 has no route). */
export function routeTemplate(req: Request): string {
  const route = (req.route as { path?: unknown } | undefined)?.path;
  return typeof route === 'string' ? `${req.baseUrl}${route}` : '';
}

/** Counts the request in flight; the returned function records it when it is done. */
export function startRedRecording(
  metrics: Metrics,
  method: string,
  traceId: string | undefined,
): (route: string, status: number, seconds: number) => void {
  metrics.httpServerActive.inc({ http_request_method: method });
  return (route, status, seconds) => {
    metrics.httpServerActive.dec({ http_request_method: method });
    observeWithExemplar(
      metrics.httpServerDuration,
      { http_request_method: method, http_route: route, http_response_status_code: status },
      seconds,
      traceId,
    );
  };
}
