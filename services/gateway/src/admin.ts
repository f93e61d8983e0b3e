/**
 * The admin API (bearer token): the live view of every backend, run-time picker changes and
 * operator drains. Served on the admin port with probes and /metrics, never on the proxy port.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Router } from 'express';
import { z } from 'zod';
import { sendError } from '@faultline/kit/http-errors';
import type { Backend } from './backend.js';
import type { Upstream } from './http-proxy.js';
import { createPicker, type PickerOptions } from './pickers/create-picker.js';
import { PICKER_NAMES } from './pickers/picker.js';

export interface AdminOptions {
  upstreams: readonly Upstream[];
  pickerOptions: PickerOptions;
}

/** What the admin routes accept; the OpenAPI document (admin-openapi.ts) shows the same. */
export const pickerChange = z.strictObject({ picker: z.enum(PICKER_NAMES) });
export const upstreamParams = z.object({
  name: z.string().min(1).meta({ description: 'The upstream, as named in GATEWAY_UPSTREAMS.' }),
});
export const backendParams = upstreamParams.extend({
  backend: z.string().min(1).meta({ description: 'The backend id: `host:port`.' }),
});

/** Everything the admin view shows about one backend. */
export function backendView(b: Backend) {
  return {
    id: b.id,
    weight: b.weight,
    eligible: b.ineligibleReason === undefined,
    state: b.ineligibleReason ?? 'active',
    discovery: { present: b.discovered, ready: b.discoveryReady, terminating: b.terminating },
    drained: b.adminDrained,
    health: {
      healthy: b.healthy,
      consecutiveSuccesses: b.healthSuccesses,
      consecutiveFailures: b.healthFailures,
      lastError: b.lastHealthError ?? null,
    },
    ejection: {
      ejected: b.ejected,
      until: b.ejected ? new Date(b.ejectedUntil).toISOString() : null,
      ejections: b.ejections,
      consecutiveFailures: b.consecutiveFailures,
      failuresAtLastEjection: b.lastEjectionFailures,
    },
    inFlight: b.inFlight,
    tcpConnections: b.tcpConnections,
    breaker: b.breaker.state,
    requests: { ...b.results },
  };
}

export function upstreamView(u: Upstream) {
  return {
    name: u.name,
    prefix: u.prefix,
    picker: u.picker.name,
    sticky: u.sticky
      ? { cookie: u.sticky.opts.cookie, ttlSec: u.sticky.opts.ttlSec, ...u.pool.sticky }
      : null,
    retries: { ...u.pool.retries },
    backends: u.pool.all().map(backendView),
  };
}

/**
 * Rejects requests without `Authorization: Bearer <token>` (constant-time comparison). The kit
 * mounts it (`auth`) after probes, /metrics and /openapi.json and before the body is read.
 */
export function requireToken(token: string): RequestHandler {
  const want = createHash('sha256').update(token).digest();
  return (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7) : '';
    const got = createHash('sha256').update(given).digest();
    if (given && timingSafeEqual(want, got)) return next();
    res.setHeader('WWW-Authenticate', 'Bearer realm="faultline-gateway"');
    sendError(res, 401, 'unauthorized', [
      { path: 'authorization', message: 'a valid bearer token is required' },
    ]);
  };
}

export function registerAdminRoutes(router: Router, opts: AdminOptions): void {
  const find = (name: string) => opts.upstreams.find((u) => u.name === name);

  router.get('/admin/backends', (_req, res) => {
    res.json({ upstreams: opts.upstreams.map(upstreamView) });
  });

  router.put('/admin/upstreams/:name/picker', (req, res) => {
    const { name } = upstreamParams.parse(req.params);
    const u = find(name);
    if (!u)
      return sendError(res, 404, 'not_found', [{ path: 'name', message: `no upstream ${name}` }]);
    const { picker } = pickerChange.parse(req.body);
    const previous = u.picker.name;
    u.picker = createPicker(picker, opts.pickerOptions);
    res.json({ upstream: u.name, picker, previous });
  });

  const drain =
    (drained: boolean): RequestHandler =>
    (req, res) => {
      const { name, backend } = backendParams.parse(req.params);
      const u = find(name);
      if (!u)
        return sendError(res, 404, 'not_found', [{ path: 'name', message: `no upstream ${name}` }]);
      const b = u.pool.setDrained(backend, drained);
      if (!b) {
        return sendError(res, 404, 'not_found', [
          { path: 'backend', message: `no backend ${backend} in ${u.name}` },
        ]);
      }
      res.status(drained ? 202 : 200).json(backendView(b));
    };
  router.post('/admin/upstreams/:name/backends/:backend/drain', drain(true));
  router.delete('/admin/upstreams/:name/backends/:backend/drain', drain(false));
}
