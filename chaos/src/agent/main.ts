/**
 * The agent as a process:
 *   node --import @faultline/kit/telemetry-preload chaos/dist/src/agent/main.js
 * configured by FAULTLINE_AGENT_* (config.ts). SIGTERM: readiness fails, links keep
 * forwarding for DRAIN_MS, then every fault is ended (a paused app is resumed) and links close.
 */
import { writeFile, rename } from 'node:fs/promises';
import { loadConfig } from '@faultline/kit/config';
import { createLogger, logLevelFromEnv } from '@faultline/kit/logging';
import { serve } from '@faultline/kit/service';
import { Agent } from './agent.js';
import { agentConfigShape } from './config.js';

const config = loadConfig('FAULTLINE_AGENT', agentConfigShape);
const logger = createLogger({
  service: 'faultline-agent',
  instance: config.NAME,
  level: logLevelFromEnv(process.env),
});

const agent = new Agent({
  name: config.NAME,
  links: config.LINKS,
  ...(config.APP_PID !== undefined ? { appPid: config.APP_PID } : {}),
  tokenFile: config.TOKEN_FILE,
  maxTtlMs: config.MAX_TTL_MS,
  logger,
});
await agent.startLinks();
const running = await serve({
  app: agent.app,
  host: config.ADMIN_HOST,
  port: config.ADMIN_PORT,
  probes: agent.probes,
  logger,
  drainDelayMs: config.DRAIN_MS,
  timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  closers: [() => agent.stop()],
});

if (config.INFO_FILE) {
  const info = {
    pid: process.pid,
    adminUrl: `http://${config.ADMIN_HOST}:${running.port}`,
    tokenFile: config.TOKEN_FILE,
    links: agent.links.map((l) => ({ name: l.name, listen: l.listen, target: l.target })),
  };
  const tmp = `${config.INFO_FILE}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, config.INFO_FILE);
}
