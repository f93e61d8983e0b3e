/**
 * An express app with the kit wired in, in the order that matters: probes, `/metrics` and
 * `/openapi.json` first (no fault, rate limit, token or body parser can touch them), then the
 * token check, RED metrics, deadline, JSON body with a size limit, the service's routes,
 * 404/405, and JSON errors. A known path asked with a method it does not serve is 405 with `Allow`, the kit's
 * own paths included.
 */
import express, { type Express, type Request, type RequestHandler, type Router } from 'express';
import { deadlineMiddleware } from './deadline.js';
import { errorHandler, sendError } from './http-errors.js';
import type { Logger } from './logging.js';
import type { Metrics } from './metrics.js';
import { metricsHandler } from './metrics-exposition.js';
import { buildOpenApiDocument, type ApiDescription } from './openapi-document.js';
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
  /**
   * The API's token check, mounted before the body is read: a request without the token is
   * 401 whatever its body (never a 400 or 413 that shows the body was looked at).
   */
  auth?: express.RequestHandler;
  /** Mounted after probes and metrics, before routes (faults, rate limits, sessions). */
  before?: express.RequestHandler[];
  /** The service's routes as OpenAPI, served with the kit's own at `/openapi.json`. */
  api?: ApiDescription;
}

/** One registered route: upper-case method and the OpenAPI form of its path. */
export interface RegisteredRoute {
  method: string;
  path: string;
}

const routersOf = new WeakMap<Express, Router[]>();

/**
 * Builds the app; `routes` registers the service's endpoints on a router. Returns the app,
 * ready to `listen`.
 */
export function createHttpApp(opts: HttpAppOptions, routes: (router: Router) => void): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const document = buildOpenApiDocument(
    opts.api ?? { title: 'faultline service', version: '0.1.0', paths: {} },
  );
  const probes = opts.probes.router();
  const kit = express.Router();
  kit.get('/metrics', metricsHandler(opts.metrics.registry));
  kit.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.use(probes, kit);
  // Before `before`: a wrong method on a probe is 405 even behind a token or a fault. A set
  // lookup, so the requests that pass by (all of them, nearly) pay no route matching for it.
  const kitPaths = new Set([probes, kit].flatMap(stackOf).flatMap((l) => l.route?.path ?? []));
  const kitWrongMethod = methodNotAllowed([probes, kit]);
  app.use((req, res, next) => (kitPaths.has(req.path) ? kitWrongMethod(req, res, next) : next()));
  if (opts.auth) app.use(opts.auth);
  app.use(deadlineMiddleware(opts.defaultDeadlineMs ?? 10_000));
  app.use(express.json({ limit: opts.bodyLimit ?? '16kb', strict: true }));
  for (const h of opts.before ?? []) app.use(h);

  const router = express.Router();
  routes(router);
  app.use(router);

  app.use(methodNotAllowed([probes, kit, router]), (req, res) => {
    sendError(res, 404, 'not_found', [
      { path: 'url', message: `no route for ${req.method} ${req.path}` },
    ]);
  });
  app.use(errorHandler(opts.logger));
  instrumentApp(app, { metrics: opts.metrics, red: opts.redMetrics !== false });
  routersOf.set(app, [probes, kit, router]);
  return app;
}

/** Every route an app made by `createHttpApp` serves (HEAD implied by GET is not listed). */
export function registeredRoutes(app: Express): RegisteredRoute[] {
  const routers = routersOf.get(app);
  if (!routers) throw new Error('not an app made by createHttpApp');
  return routers
    .flatMap((r) => stackOf(r))
    .flatMap((layer) =>
      layer.route
        ? methodsOf(layer.route).map((method) => ({
            method,
            path: layer.route!.path.replace(/:(\w+)/g, '{$1}'),
          }))
        : [],
    )
    .sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`));
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  match(path: string): boolean;
}

const stackOf = (router: Router) => (router as unknown as { stack: Layer[] }).stack;
const methodsOf = (route: NonNullable<Layer['route']>) =>
  Object.entries(route.methods)
    .filter(([m, on]) => on && m !== '_all')
    .map(([m]) => m.toUpperCase());

/** 405 with `Allow` when one of `routers` serves the path with other methods; else next(). */
function methodNotAllowed(routers: Router[]): RequestHandler {
  return (req, res, next) => {
    const allowed = allowedMethods(routers, req);
    if (allowed.length === 0) return next();
    res.setHeader('Allow', allowed.join(', '));
    sendError(res, 405, 'method_not_allowed', [
      {
        path: 'method',
        message: `${req.method} is not allowed here; allowed: ${allowed.join(', ')}`,
      },
    ]);
  };
}

/** Methods the routes of `routers` accept for this path (so a wrong method is 405, not 404). */
function allowedMethods(routers: Router[], req: Request): string[] {
  const methods = new Set<string>();
  for (const router of routers) {
    for (const layer of stackOf(router)) {
      if (layer.route && layer.match(req.path))
        for (const m of methodsOf(layer.route)) methods.add(m);
    }
  }
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}
