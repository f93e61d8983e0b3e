/**
 * Graceful shutdown, in the order that loses no request: readiness fails first, then a
 * drain delay (load balancers and endpoints notice), then servers stop accepting and finish
 * in-flight requests, then dependencies close, then telemetry flushes. The whole sequence is
 * bounded by a timeout; a second signal exits at once.
 */
import type { Server } from 'node:http';
import type { Server as NetServer } from 'node:net';
import type { Logger } from './logging.js';
import type { Probes } from './probes.js';
import { currentTelemetry } from './current-telemetry.js';
import type { Telemetry } from './telemetry.js';

export interface ShutdownOptions {
  /** HTTP servers, or plain TCP servers (an L4 listener). */
  servers: (Server | NetServer)[];
  probes: Probes;
  logger: Logger;
  /** How long to keep serving after readiness fails; default 2000 ms. */
  drainDelayMs?: number;
  /** Upper bound for the whole sequence; default 10000 ms. */
  timeoutMs?: number;
  /** Run right after readiness fails (e.g. resign leadership). */
  onShutdownStart?: () => Promise<void> | void;
  /** Run after servers closed (close Redis, etcd clients...). */
  closers?: (() => Promise<void> | void)[];
  telemetry?: Telemetry | undefined;
  signals?: NodeJS.Signals[];
  /** Test hook; default process.exit. */
  exit?: (code: number) => void;
}

export interface GracefulShutdown {
  /** Starts the sequence (as a signal would); resolves when it finished. */
  shutdown(reason: string): Promise<void>;
}

export function installGracefulShutdown(opts: ShutdownOptions): GracefulShutdown {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const drainDelayMs = opts.drainDelayMs ?? 2000;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const telemetry = opts.telemetry ?? currentTelemetry();
  let running: Promise<void> | undefined;

  const sequence = async (reason: string) => {
    const log = opts.logger.child({ shutdown: reason });
    opts.probes.markShuttingDown();
    log.info({ drainDelayMs, timeoutMs }, 'shutting down: readiness now fails');
    await opts.onShutdownStart?.();
    await new Promise((r) => setTimeout(r, drainDelayMs));
    log.info('draining: no new connections, finishing in-flight requests');
    await Promise.all(opts.servers.map(closeServer));
    for (const close of opts.closers ?? []) await close();
    await telemetry?.flush().catch(() => undefined);
    log.info('shutdown complete');
    log.flush();
  };

  const shutdown = (reason: string) => {
    if (running) return running;
    const timer = setTimeout(() => {
      opts.logger.error({ timeoutMs }, 'shutdown timed out; exiting');
      exit(1);
    }, timeoutMs);
    timer.unref();
    running = sequence(reason).then(
      () => {
        clearTimeout(timer);
        exit(0);
      },
      (err: unknown) => {
        clearTimeout(timer);
        opts.logger.error({ err }, 'shutdown failed');
        exit(1);
      },
    );
    return running;
  };

  for (const signal of opts.signals ?? (['SIGTERM', 'SIGINT'] as NodeJS.Signals[])) {
    process.on(signal, () => {
      if (running) {
        opts.logger.warn({ signal }, 'second signal: exiting now');
        exit(130);
        return;
      }
      void shutdown(signal);
    });
  }
  return { shutdown };
}

/**
 * Stops accepting and lets in-flight work finish. HTTP servers also close idle keep-alive
 * sockets (now, and as busy ones become idle); a plain net.Server waits for its connections.
 */
function closeServer(server: Server | NetServer): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    if (!('closeIdleConnections' in server)) return;
    server.closeIdleConnections();
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    server.once('close', () => clearInterval(sweep));
  });
}
