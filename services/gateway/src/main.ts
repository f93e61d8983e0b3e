/**
 * The gateway process: `node --import @faultline/kit/telemetry-preload
 * services/gateway/dist/src/main.js`. L7 proxy on GATEWAY_PORT, L4 on GATEWAY_TCP_PORT (when
 * GATEWAY_TCP_UPSTREAM is set), admin API, probes and /metrics on GATEWAY_ADMIN_PORT.
 */
import type { AddressInfo, Server as NetServer } from 'node:net';
import { loadConfig } from '@faultline/kit/config';
import { createLogger, logLevelFromEnv } from '@faultline/kit/logging';
import { createMetrics } from '@faultline/kit/metrics';
import { Probes } from '@faultline/kit/probes';
import { serve } from '@faultline/kit/service';
import { configShape, refineConfig } from './config.js';
import { createGateway } from './gateway.js';

const config = loadConfig('GATEWAY', configShape, refineConfig);
const logger = createLogger({
  service: 'gateway',
  instance: config.INSTANCE,
  level: logLevelFromEnv(process.env),
});
const metrics = createMetrics();
const probes = new Probes();
const gateway = createGateway({ config, logger, metrics, probes });

const listen = (server: NetServer, port: number): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, config.HOST, () => resolve((server.address() as AddressInfo).port));
  });

const proxyPort = await listen(gateway.proxyServer, config.PORT);
const tcpPort = gateway.tcpBalancer
  ? await listen(gateway.tcpBalancer.server, config.TCP_PORT)
  : undefined;

const running = await serve({
  app: gateway.adminApp,
  port: config.ADMIN_PORT,
  host: config.HOST,
  probes,
  logger,
  // The L4 listener is closed by gateway.stop(): the kit's server closer is HTTP-only.
  extraServers: [gateway.proxyServer],
  warmUp: () => gateway.start(),
  drainDelayMs: config.DRAIN_MS,
  timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  closers: [() => gateway.stop()],
});
logger.info(
  { proxyPort, tcpPort, adminPort: running.port, upstreams: config.UPSTREAMS.map((u) => u.name) },
  'gateway ready',
);
