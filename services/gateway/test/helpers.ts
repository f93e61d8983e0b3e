/** Real processes for the gateway's integration tests: fixture backends and the gateway. */
import { fileURLToPath } from 'node:url';
import { request, type Agent, type IncomingHttpHeaders } from 'node:http';
import { freePort } from '@faultline/kit/testing/free-port';
import {
  startProcess,
  waitFor,
  waitForPort,
  type ManagedProcess,
} from '@faultline/kit/testing/child-process';

const BACKEND_ENTRY = fileURLToPath(new URL('./fixtures/session-backend.js', import.meta.url));
const GATEWAY_ENTRY = fileURLToPath(new URL('../src/main.js', import.meta.url));
export const ADMIN_TOKEN = 'test-admin-token';

export interface TestBackend {
  readonly instance: string;
  readonly port: number;
  readonly address: string;
  readonly proc: ManagedProcess;
  stats(): Promise<Record<string, number>>;
  /** How many requests of `route` (`METHOD /path`) this backend has received. */
  received(route?: string): Promise<number>;
  /** Switches the fixture's behaviour: `/fail`, `/recover`, `/unready`, `/ready`. */
  control(path: '/fail' | '/recover' | '/unready' | '/ready'): Promise<void>;
  kill(): Promise<void>;
}

export async function startBackend(instance: string, port?: number): Promise<TestBackend> {
  const p = port ?? (await freePort());
  const proc = startProcess(process.execPath, [BACKEND_ENTRY], {
    env: { ...process.env, BACKEND_PORT: String(p), BACKEND_INSTANCE: instance },
  });
  await waitForPort(p, '127.0.0.1', 10_000, proc);
  const stats = async () => {
    const r = await send(`http://127.0.0.1:${p}/stats`);
    return (r.json as { receipts: Record<string, number> }).receipts;
  };
  return {
    instance,
    port: p,
    address: `127.0.0.1:${p}`,
    proc,
    stats,
    async received(route = 'GET /whoami') {
      return (await stats())[route] ?? 0;
    },
    async control(path) {
      const r = await send(`http://127.0.0.1:${p}${path}`, { method: 'POST' });
      if (r.status !== 200) throw new Error(`POST ${path} on ${instance}: ${r.status}`);
    },
    async kill() {
      proc.child.kill('SIGKILL');
      await proc.exited;
    },
  };
}

/** Starts one fixture backend per instance name, in parallel. */
export function startBackends(...instances: string[]): Promise<TestBackend[]> {
  return Promise.all(instances.map((n) => startBackend(n)));
}

/** Stops every process given (undefined: never started, e.g. a `before` that failed). */
export async function stopAll(
  started: readonly ({ readonly proc: ManagedProcess } | undefined)[],
): Promise<void> {
  await Promise.all(started.map((p) => p?.proc.stop() ?? Promise.resolve()));
}

export interface TestGateway {
  readonly url: string;
  readonly adminUrl: string;
  readonly tcpPort: number;
  readonly proc: ManagedProcess;
  admin(path: string, init?: { method?: string; body?: unknown }): Promise<Reply>;
  backends(upstream?: string): Promise<BackendView[]>;
  /** The live view of one backend of the first upstream. */
  view(backend: { readonly address: string }): Promise<BackendView>;
  /** The admin port's Prometheus exposition. */
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

export interface BackendView {
  id: string;
  state: string;
  eligible: boolean;
  inFlight: number;
  breaker: string;
  ejection: { ejected: boolean; ejections: number; failuresAtLastEjection: number };
  health: { healthy: boolean };
  requests: Record<string, number>;
}

/**
 * Starts the gateway process on free ports; `env` adds GATEWAY_* settings. With
 * OTEL_EXPORTER_OTLP_ENDPOINT set it runs with the telemetry preload, as in production.
 */
export async function startGateway(env: Record<string, string>): Promise<TestGateway> {
  const [port, adminPort, tcpPort] = [await freePort(), await freePort(), await freePort()];
  const preload =
    env.OTEL_EXPORTER_OTLP_ENDPOINT === undefined
      ? []
      : ['--import', '@faultline/kit/telemetry-preload'];
  const proc = startProcess(process.execPath, [...preload, GATEWAY_ENTRY], {
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      GATEWAY_PORT: String(port),
      GATEWAY_ADMIN_PORT: String(adminPort),
      GATEWAY_TCP_PORT: String(tcpPort),
      GATEWAY_ADMIN_TOKEN: ADMIN_TOKEN,
      GATEWAY_DRAIN_MS: '0',
      ...env,
    },
  });
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  try {
    const outcome = await waitFor(
      async () => {
        if (proc.child.exitCode !== null) return 'exited';
        return (await send(`${adminUrl}/readyz`)).status === 200 ? 'ready' : undefined;
      },
      'gateway ready',
      15_000,
    );
    if (outcome === 'exited') throw new Error(`gateway exited with ${proc.child.exitCode}`);
  } catch (e) {
    await proc.stop();
    throw new Error(`${String(e)}\n--- output ---\n${proc.output()}`);
  }
  const admin = (path: string, init: { method?: string; body?: unknown } = {}) =>
    send(`${adminUrl}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        ...(init.body ? { 'content-type': 'application/json' } : {}),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  const backends = async (upstream?: string) => {
    const r = await admin('/admin/backends');
    const body = r.json as { upstreams: { name: string; backends: BackendView[] }[] };
    return (upstream ? body.upstreams.find((u) => u.name === upstream) : body.upstreams[0])!
      .backends;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    adminUrl,
    tcpPort,
    proc,
    admin,
    backends,
    async view(backend) {
      const found = (await backends()).find((v) => v.id === backend.address);
      if (!found) throw new Error(`${backend.address} is not in the gateway's view`);
      return found;
    },
    async metrics() {
      return (await send(`${adminUrl}/metrics`)).text;
    },
    stop: () => proc.stop(),
  };
}

/** Which fixture backend answered (its `instance`, from `/whoami`). */
export function instanceOf(reply: { json: unknown }): string {
  return (reply.json as { instance: string }).instance;
}

/** JSON for GATEWAY_UPSTREAMS with one static upstream. */
export function staticUpstream(
  backends: TestBackend[],
  extra: Record<string, unknown> = {},
): string {
  return JSON.stringify([
    {
      name: 'booking',
      prefix: '/',
      discovery: { kind: 'static', backends: backends.map((b) => b.address) },
      ...extra,
    },
  ]);
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: unknown;
}

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | undefined;
  /** false = a fresh connection (default); an Agent to reuse connections. */
  agent?: Agent | false;
}

/** One HTTP request; resolves with the whole answer (rejects on a socket error). */
export function send(url: string, opts: SendOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: opts.method ?? 'GET', headers: opts.headers, agent: opts.agent ?? false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('error', reject);
        res.on('end', () => {
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.setTimeout(20_000, () => req.destroy(new Error('client timeout')));
    req.end(opts.body);
  });
}

/** The `name=value` part of a Set-Cookie header for `name`. */
export function cookieFrom(headers: IncomingHttpHeaders, name: string): string | undefined {
  for (const c of headers['set-cookie'] ?? []) {
    if (c.startsWith(`${name}=`)) return c.split(';', 1)[0];
  }
  return undefined;
}
