/** Shared pieces of the agent's integration tests: an in-process agent and small clients. */
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@faultline/kit/logging';
import { waitFor } from '@faultline/kit/testing/child-process';
import { Agent } from '../src/agent/agent.js';
import { processState } from '../src/agent/app-process.js';
import type { LinkSpecInput } from '../src/agent/link-spec.js';

/** The compiled agent entry. */
export const AGENT_MAIN = fileURLToPath(new URL('../src/agent/main.js', import.meta.url));

/**
 * An agent with the given links, started on free ports; logs only warnings and worse. Its
 * admin API on 127.0.0.1 unless `adminHost` says where.
 */
export async function startAgent(
  links: LinkSpecInput[],
  appPid?: number,
  tokenFile?: string,
  adminHost?: string,
): Promise<Agent> {
  const agent = new Agent({
    name: 'test-agent',
    ...(adminHost !== undefined ? { adminHost } : {}),
    links,
    ...(appPid !== undefined ? { appPid } : {}),
    ...(tokenFile !== undefined ? { tokenFile } : {}),
    maxTtlMs: 60_000,
    logger: createLogger({ service: 'faultline-agent', level: 'warn' }),
  });
  await agent.start();
  return agent;
}

export interface AdminResponse<T = unknown> {
  status: number;
  body: T;
}

/** Calls the agent's admin API with its token (or `token` when given, `''` for none). */
export async function admin<T = Record<string, unknown>>(
  agent: Agent,
  method: string,
  path: string,
  body?: unknown,
  token: string = agent.token,
): Promise<AdminResponse<T>> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${agent.adminUrl}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Applies a fault through the admin API; throws unless it was applied (201). */
export async function applyFault(agent: Agent, fault: Record<string, unknown>): Promise<string> {
  const r = await admin<{ id: string }>(agent, 'POST', '/faults', fault);
  if (r.status !== 201) throw new Error(`apply failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.id;
}

export function linkPort(agent: Agent, name: string): number {
  const l = agent.links.find((x) => x.name === name);
  if (!l) throw new Error(`no link ${name}`);
  return l.listen.port;
}

/** A tiny HTTP backend: `GET /...` → 200 "ok <path>", keep-alive. */
export async function startHttpBackend(): Promise<{
  server: Server;
  port: number;
  close(): Promise<void>;
}> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'text/plain');
      res.end(`ok ${req.url ?? ''}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Opens a TCP connection to loopback:port and resolves once connected. */
export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', noDelay: true });
    s.once('connect', () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

/**
 * Writes `chunks` to a fresh connection, `gapMs` apart, and resolves with the time from the
 * first write until `done(received)` holds, in ms.
 */
export async function timedExchange(
  port: number,
  chunks: string[],
  gapMs: number,
  done: (received: string) => boolean,
  timeoutMs = 10_000,
): Promise<{ ms: number; received: string }> {
  const s = await openSocket(port);
  try {
    let received = '';
    const finished = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no full answer; got ${JSON.stringify(received)}`)),
        timeoutMs,
      );
      s.on('data', (c: Buffer) => {
        received += c.toString('latin1');
        if (done(received)) {
          clearTimeout(timer);
          resolve();
        }
      });
      s.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    const t0 = performance.now();
    for (let i = 0; i < chunks.length; i++) {
      if (i > 0 && gapMs > 0) await sleep(gapMs);
      s.write(chunks[i]!);
    }
    await finished;
    return { ms: performance.now() - t0, received };
  } finally {
    s.destroy();
  }
}

/** Splits `s` into `n` nearly equal pieces. */
export function splitInto(s: string, n: number): string[] {
  const size = Math.ceil(s.length / n);
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}

/** A plain GET over a fresh connection (agent: false): status, headers and body. */
export function httpGet(
  port: number,
  path: string,
  method = 'GET',
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Resolves with 'timeout' when `p` has not settled within `ms`. */
export function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), ms);
    }),
  ]);
}

/**
 * Waits for `pid` to show state T. SIGSTOP is delivered asynchronously: right after the agent
 * sent it, /proc may still say R until the target has taken the signal.
 */
export async function waitStopped(pid: number): Promise<void> {
  await waitFor(async () => (await processState(pid)) === 'T' || undefined, 'state T', 2000);
}
