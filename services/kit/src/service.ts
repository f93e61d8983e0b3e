/**
 * The common start-up of a kit-based HTTP service: listen, mark started, install graceful
 * shutdown, log where it listens. Everything is passed in; nothing is read from globals.
 */
import type { Server } from 'node:http';
import type { Express } from 'express';
import type { AddressInfo, Server as NetServer } from 'node:net';
import type { Logger } from './logging.js';
import type { Probes } from './probes.js';
import {
  installGracefulShutdown,
  type GracefulShutdown,
  type ShutdownOptions,
} from './shutdown.js';

export interface RunningService {
  server: Server;
  port: number;
  shutdown: GracefulShutdown;
}

export interface ServeOptions extends Omit<ShutdownOptions, 'servers' | 'probes' | 'logger'> {
  app: Express;
  port: number;
  host?: string;
  probes: Probes;
  logger: Logger;
  /** Extra servers (e.g. a TCP listener) closed with the HTTP one. */
  extraServers?: (Server | NetServer)[];
  /** Awaited before the service reports started (e.g. first connection to Redis). */
  warmUp?: () => Promise<void>;
}

export async function serve(opts: ServeOptions): Promise<RunningService> {
  const server = opts.app.listen(opts.port, opts.host ?? '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  server.keepAliveTimeout = 65_000; // longer than typical proxy idle timeouts: no reset races
  const port = (server.address() as AddressInfo).port;
  await opts.warmUp?.();
  opts.probes.markStarted();
  const shutdown = installGracefulShutdown({
    ...opts,
    servers: [server, ...(opts.extraServers ?? [])],
  });
  opts.logger.info({ port, host: opts.host ?? '127.0.0.1' }, 'listening');
  return { server, port, shutdown };
}
