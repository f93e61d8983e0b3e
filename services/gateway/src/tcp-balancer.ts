/**
 * The L4 balancer: one TCP listener, one backend per *connection*. Everything a client sends
 * on that connection — however many keep-alive HTTP requests — lands on the same backend,
 * which is the difference from L7 balancing that this component exists to show. It shares
 * the L7 pool's health view (discovery, active checks, ejection, drain).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '@faultline/kit/logging';
import type { Backend } from './backend.js';
import type { BackendPool } from './backend-pool.js';
import { hash32 } from './pickers/hash.js';

export const TCP_PICKER_NAMES = ['round-robin', 'least-connections', 'source-hash'] as const;
export type TcpPickerName = (typeof TCP_PICKER_NAMES)[number];

export interface TcpBalancerOptions {
  pool: BackendPool;
  picker: TcpPickerName;
  logger: Logger;
  /** Give up connecting to one backend after this long and try the next. Default 1000 ms. */
  connectTimeoutMs?: number;
  /** Backends tried per client connection before it is closed. Default 3. */
  maxConnectAttempts?: number;
}

/** Chooses a backend for a new connection. */
export function pickTcpBackend(
  name: TcpPickerName,
  candidates: readonly Backend[],
  sourceAddress: string,
  counter: number,
  exclude: ReadonlySet<Backend>,
): Backend | undefined {
  const pool = exclude.size ? candidates.filter((b) => !exclude.has(b)) : candidates;
  if (pool.length === 0) return undefined;
  switch (name) {
    case 'round-robin':
      return pool[counter % pool.length];
    case 'least-connections': {
      let best = pool[0]!;
      for (const b of pool)
        if (b.tcpConnections / b.weight < best.tcpConnections / best.weight) best = b;
      return best;
    }
    case 'source-hash':
      // Plain modulo, not a ring: L4 source hashing in HAProxy/IPVS is the same trade-off.
      return pool[hash32(sourceAddress) % pool.length];
  }
}

export class TcpBalancer {
  readonly server: Server;
  #counter = 0;
  readonly #clients = new Set<Socket>();

  constructor(private readonly opts: TcpBalancerOptions) {
    this.server = createServer({ noDelay: true }, (client) => this.#accept(client));
  }

  /** Stops accepting and closes every proxied connection (the end of a graceful shutdown). */
  close(): Promise<void> {
    const listening = this.server.listening;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const c of this.#clients) c.destroy();
    return listening ? closed : Promise.resolve();
  }

  #accept(client: Socket): void {
    this.#clients.add(client);
    client.once('close', () => this.#clients.delete(client));
    client.pause(); // hold the client's bytes until a backend is connected
    client.on('error', () => client.destroy());
    const tried = new Set<Backend>();
    const counter = this.#counter++;
    const tryNext = (): void => {
      if (client.destroyed) return;
      const { pool } = this.opts;
      const backend =
        tried.size < (this.opts.maxConnectAttempts ?? 3)
          ? pickTcpBackend(
              this.opts.picker,
              pool.eligible(),
              client.remoteAddress ?? '',
              counter + tried.size,
              tried,
            )
          : undefined;
      if (!backend) {
        client.destroy();
        return;
      }
      tried.add(backend);
      pool.acquireTcp(backend);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        pool.releaseTcp(backend);
      };
      let connected = false;
      const upstream = connect({ host: backend.host, port: backend.port, noDelay: true });
      const timer = setTimeout(
        () => upstream.destroy(new Error('connect timeout')),
        this.opts.connectTimeoutMs ?? 1000,
      );
      upstream.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        release();
        if (!connected) {
          // Never connected: counts against the backend, and the client gets another one.
          pool.recordResult(backend, 'connect_error');
          this.opts.logger.debug({ backend: backend.id, err: e.code }, 'tcp connect failed');
          tryNext();
        } else {
          client.destroy();
        }
      });
      upstream.once('connect', () => {
        connected = true;
        clearTimeout(timer);
        upstream.on('close', () => {
          release();
          client.destroy();
        });
        client.on('close', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    tryNext();
  }
}
