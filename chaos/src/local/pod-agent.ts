/**
 * A pod's faultline agent on the local platform, run inside the supervisor: one process
 * fewer per pod (the playground's memory is a budget), and the agent lives exactly as long
 * as the pod's supervisor. Its logs go to `logs/<pod>-agent.log`, its token to
 * `agents/<pod>.token` (0600).
 */
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '@faultline/kit/logging';
import { createMetrics } from '@faultline/kit/metrics';
import { Agent } from '../agent/agent.js';
import type { PodSpec } from './pod-plan.js';
import type { AgentState } from './state-file.js';

export interface PodAgent {
  agent: Agent;
  adminUrl: string;
  tokenFile: string;
  /** Link name → the port the agent listens on. */
  linkPorts: Record<string, number>;
  view(): AgentState;
}

export async function startPodAgent(spec: PodSpec, stateDir: string): Promise<PodAgent> {
  mkdirSync(join(stateDir, 'agents'), { recursive: true });
  const tokenFile = join(stateDir, 'agents', `${spec.name}.token`);
  // A token left by an earlier run would be reused (the agent keeps a provided token): locally
  // every start gets a fresh one.
  rmSync(tokenFile, { force: true });
  const logger = createLogger({
    service: 'faultline-agent',
    instance: spec.name,
    destination: createWriteStream(join(stateDir, 'logs', `${spec.name}-agent.log`), {
      flags: 'a',
    }),
  });
  const agent = new Agent({
    name: spec.name,
    links: (spec.agentLinks ?? []).map((l) => ({ ...l, listen: '127.0.0.1:0' })),
    tokenFile,
    logger,
    // Many agents share this process: one set of runtime metrics is the supervisor's, not theirs.
    metrics: createMetrics({ runtime: false }),
  });
  await agent.start();
  const linkPorts = Object.fromEntries(agent.links.map((l) => [l.name, l.listen.port]));
  const adminUrl = agent.adminUrl;
  const hostPort = (h: { host: string; port: number }) => `${h.host}:${h.port}`;
  return {
    agent,
    adminUrl,
    tokenFile,
    linkPorts,
    view: () => ({
      adminUrl,
      tokenFile,
      links: agent.links.map((l) => ({
        name: l.name,
        listen: hostPort(l.listen),
        target: hostPort(l.target),
        protocol: l.protocol,
        kind: l.kind,
      })),
    }),
  };
}
