/**
 * An express app with the kit wired in, in the order that matters: probes and `/metrics`
 * first (no fault, rate limit or body parser can touch them), then RED metrics, deadline,
 * JSON body with a size limit, the service's routes, 404/405, and JSON errors.
 */
import express, { type Express, type Request, type Router } from 'express';
import { deadlineMiddleware } from './deadline.js';
import { errorHandler, sendError } from './http-errors.js';
import type { Logger } from './logging.js';
import type { Metrics } from './metrics.js';
import { metricsHandler } from './metrics-exposition.js';
import type { Probes } from './probes.js';
import { instrumentApp } from './request-instrumentation.js';

export interface HttpAppOptions {
  logger: Logger;
  metrics: Metrics;
  probes: Probes;
  /** Largest accepted JSON body (bytes or an express size string); default 16 kB. */
  bodyLimit?: number | string;
  /** Deadline when the caller sends none; default 10 s. */
  defaultDeadlineMs?: number;
  /** RED metrics on every request (default true; off only for the benchmark's baseline). */
  redMetrics?: boolean;
  /** Mounted after probes and metrics, before routes (faults, rate limits, sessions). */
  before?: express.RequestHandler[];
}

/**
 * Builds the app; `routes` registers the service's endpoints on a router. Returns the app,
 * ready to `listen`.
 */
export function createHttpApp(opts: HttpAppOptions, routes: (router: Router) => void): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(opts.probes.router());
  app.get('/metrics', metricsHandler(opts.metrics.registry));
  app.use(deadlineMiddleware(opts.defaultDeadlineMs ?? 10_000));
  app.use(express.json({ limit: opts.bodyLimit ?? '16kb', strict: true }));
  for (const h of opts.before ?? []) app.use(h);

  const router = express.Router();
  routes(router);
  app.use(router);

  app.use((req, res) => {
    const allowed = allowedMethods(router, req);
    if (allowed.length > 0) {
      res.setHeader('Allow', allowed.join(', '));
      return sendError(res, 405, 'method_not_allowed', [
        {
          path: 'method',
          message: `${req.method} is not allowed here; allowed: ${allowed.join(', ')}`,
        },
      ]);
    }
    sendError(res, 404, 'not_found', [
      { path: 'url', message: `no route for ${req.method} ${req.path}` },
    ]);
  });
  app.use(errorHandler(opts.logger));
  instrumentApp(app, { metrics: opts.metrics, red: opts.redMetrics !== false });
  return app;
}

interface Layer {
  route?: { methods: Record<string, boolean> };
  match(path: string): boolean;
}

/** Methods other routes accept for this path (so a wrong method is 405, not 404). */
function allowedMethods(router: Router, req: Request): string[] {
  const methods = new Set<string>();
  for (const layer of (router as unknown as { stack: Layer[] }).stack) {
    if (!layer.route || !layer.match(req.path)) continue;
    for (const [m, on] of Object.entries(layer.route.methods))
      if (on && m !== '_all') methods.add(m.toUpperCase());
  }
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}
