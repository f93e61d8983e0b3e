/**
 * A TCP proxy for tests that can go silent: while blackholed it accepts and holds every byte
 * in both directions (no reset, no FIN), like a partitioned network; `heal()` delivers what
 * it held, late — so a request sent into the partition reaches the server after the fact.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface BlackholeProxy {
  readonly url: string;
  blackhole(): void;
  heal(): void;
  /** Bytes held from clients towards the upstream while blackholed (so far, delivered or not). */
  heldBytes(): number;
  stop(): Promise<void>;
}

interface Pipe {
  from: Socket;
  to: Socket;
  held: Buffer[];
  fromEnded: boolean;
}

export async function startBlackholeProxy(
  upstreamPort: number,
  upstreamHost = '127.0.0.1',
): Promise<BlackholeProxy> {
  let holding = false;
  let heldTowardsUpstream = 0;
  const pipes: Pipe[] = [];
  const sockets = new Set<Socket>();

  const flush = (p: Pipe) => {
    for (const chunk of p.held.splice(0)) p.to.write(chunk);
    if (p.fromEnded) p.to.end();
  };
  const pipe = (from: Socket, to: Socket, towardsUpstream: boolean) => {
    const p: Pipe = { from, to, held: [], fromEnded: false };
    pipes.push(p);
    from.on('data', (chunk: Buffer) => {
      if (holding) {
        p.held.push(chunk);
        if (towardsUpstream) heldTowardsUpstream += chunk.length;
      } else to.write(chunk);
    });
    from.on('end', () => {
      p.fromEnded = true;
      if (!holding) to.end();
    });
  };

  const server: Server = createServer((client) => {
    const upstream = connect({ port: upstreamPort, host: upstreamHost });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    pipe(client, upstream, true);
    pipe(upstream, client, false);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    blackhole() {
      holding = true;
    },
    heldBytes: () => heldTowardsUpstream,
    heal() {
      holding = false;
      for (const p of pipes) if (!p.to.destroyed) flush(p);
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
