/**
 * The agent's admin API (HTTP + JSON, bearer token). Probes and `/metrics` come first from
 * the kit and need no token, so the platform can probe and scrape the agent.
 *   GET    /links               links with addresses, traffic and active fault ids
 *   GET    /faults              active faults with remainingMs
 *   POST   /faults              apply a fault → 201 and the fault as applied
 *   POST   /faults/:id/renew    {ttlMs} → the fault with its new expiry
 *   DELETE /faults/:id          remove now → the fault as it was
 *   GET    /app, PUT /app       the app's PID ({pid}), and its /proc state
 */
import type { Express } from 'express';
import { z } from 'zod';
import { createHttpApp } from '@faultline/kit/http';
import { sendError } from '@faultline/kit/http-errors';
import type { Agent } from './agent.js';
import { processState } from './app-process.js';
import { ttlSchema } from './fault-spec.js';
import { bearerAuth } from './bearer-auth.js';

const pidBody = z.strictObject({
  pid: z
    .number({ message: 'required: the app process id' })
    .int({ message: 'expected an integer pid' })
    .min(2, { message: 'expected a pid >= 2' }),
});

export function createAdminApp(agent: Agent): Express {
  const renewBody = z.strictObject({ ttlMs: ttlSchema(agent.maxTtlMs) });
  const notFound = (id: string) => [{ path: 'id', message: `no active fault ${id}` }];
  return createHttpApp(
    {
      logger: agent.logger,
      metrics: agent.metrics,
      probes: agent.probes,
      before: [bearerAuth(agent.token)],
    },
    (r) => {
      r.get('/links', (_req, res) => {
        res.json({ links: agent.links });
      });
      r.get('/faults', (_req, res) => {
        res.json({ faults: agent.activeFaults() });
      });
      // Unknown link, no app pid...: ClientErrors, answered with their details by the kit.
      r.post('/faults', (req, res) => {
        res.status(201).json(agent.apply(req.body));
      });
      r.post('/faults/:id/renew', (req, res) => {
        const { ttlMs } = renewBody.parse(req.body);
        const renewed = agent.renew(req.params.id, ttlMs);
        if (!renewed) return sendError(res, 404, 'not_found', notFound(req.params.id));
        res.json(renewed);
      });
      r.delete('/faults/:id', (req, res) => {
        const removed = agent.remove(req.params.id);
        if (!removed) return sendError(res, 404, 'not_found', notFound(req.params.id));
        res.json(removed);
      });
      r.get('/app', async (_req, res) => {
        const pid = agent.appPid;
        res.json({
          pid: pid ?? null,
          state: pid === undefined ? null : ((await processState(pid)) ?? null),
        });
      });
      r.put('/app', (req, res) => {
        const { pid } = pidBody.parse(req.body);
        agent.setAppPid(pid);
        res.json({ pid });
      });
    },
  );
}
