/**
 * The agent's admin API (HTTP + JSON, bearer token). Probes and `/metrics` come first from
 * the kit and need no token, so the platform can probe and scrape the agent.
 *   GET    /links               links with addresses, traffic and active fault ids
 *   GET    /faults              active faults with remainingMs
 *   POST   /faults              apply a fault → 201 and the fault as applied
 *   POST   /faults/:id/renew    {ttlMs} → the fault with its new expiry
 *   DELETE /faults/:id          remove now → the fault as it was
 *   GET    /app, PUT /app       the app's PID ({pid}: a child or sibling of the agent), and its
 *                                /proc state
 * Served with its OpenAPI document at /openapi.json (admin-openapi.ts).
 */
import type { Express, Response } from 'express';
import { createHttpApp } from '@faultline/kit/http';
import { sendError } from '@faultline/kit/http-errors';
import type { Agent } from './agent.js';
import { agentAdminApi } from './admin-openapi.js';
import { faultIdParams, pidBody, renewBodySchema } from './admin-schemas.js';
import { parentPid, processState } from './app-process.js';
import { bearerAuth } from './bearer-auth.js';

export function createAdminApp(agent: Agent): Express {
  const renewBody = renewBodySchema(agent.maxTtlMs);
  // A fault that ended (expired, removed, replaced, one-shot) is 409 `fault_ended`: it existed,
  // and a client that raced its TTL learns that rather than a 404 for an id never applied.
  // Not 410: a well-formed request about a known fault conflicts with its state, it is not
  // about a resource of unknown fate (and schemathesis holds schema-valid requests to 409).
  const notActive = (res: Response, id: string) => {
    const ended = agent.endedFault(id);
    if (!ended)
      return sendError(res, 404, 'not_found', [{ path: 'id', message: `no fault ${id}` }]);
    sendError(res, 409, 'fault_ended', [
      { path: 'id', message: `fault ${id} ended (${ended.reason}) at ${ended.at}` },
    ]);
  };
  return createHttpApp(
    {
      logger: agent.logger,
      metrics: agent.metrics,
      probes: agent.probes,
      auth: bearerAuth(agent.token),
      api: agentAdminApi(agent.maxTtlMs, agent.links),
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
        const { id } = faultIdParams.parse(req.params);
        const { ttlMs } = renewBody.parse(req.body);
        const renewed = agent.renew(id, ttlMs);
        if (!renewed) return notActive(res, id);
        res.json(renewed);
      });
      r.delete('/faults/:id', (req, res) => {
        const { id } = faultIdParams.parse(req.params);
        const removed = agent.remove(id);
        if (!removed) return notActive(res, id);
        res.json(removed);
      });
      r.get('/app', async (_req, res) => {
        const pid = agent.appPid;
        res.json({
          pid: pid ?? null,
          state: pid === undefined ? null : ((await processState(pid)) ?? null),
        });
      });
      r.put('/app', async (req, res) => {
        const { pid } = pidBody.parse(req.body);
        // pause and kill signal this pid as the agent's user: never one outside the agent's
        // family (a typo, or a fuzzer, must not SIGKILL an unrelated process of the machine).
        const parent = await parentPid(pid);
        if (parent === undefined)
          return sendError(res, 404, 'no_such_process', [
            { path: 'pid', message: `no process ${pid}` },
          ]);
        if (parent !== process.pid && parent !== process.ppid)
          return sendError(res, 403, 'not_agent_app', [
            {
              path: 'pid',
              message: `process ${pid} is neither a child nor a sibling of the agent (its parent is ${parent})`,
            },
          ]);
        agent.setAppPid(pid);
        res.json({ pid });
      });
    },
  );
}
