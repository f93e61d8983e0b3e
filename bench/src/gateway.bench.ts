/**
 * The gateway's L7 proxy against a minimal undici-based proxy (Node's ceiling: no features),
 * the `http-proxy` npm package, HAProxy and nginx (the C references, tracked, not gates): same
 * two nginx `return 200` backends, same load tool (wrk), one run. Throughput at saturation
 * (closed loop, 50 connections) and the p99 latency the gateway adds at about half of its
 * saturation rate, paced with a wrk Lua `delay()` (wrk cannot hold a fixed rate; the pacing
 * approximates one: every connection waits a random 0–20 ms between requests, 10 ms on average).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { serviceNodeArgs } from '@faultline/chaos/local/pod-plan';
import { freePort } from '@faultline/kit/testing/free-port';
import {
  startProcess,
  waitFor,
  waitForPort,
  type ManagedProcess,
} from '@faultline/kit/testing/child-process';
import { findSample, sampleValue, scrapeMetrics } from '@faultline/kit/testing/metric-samples';
import { runWrk, type WrkResult } from './lib/wrk.js';
import { describeRandomPacing, randomPacing } from './lib/wrk-scripts.js';
import { HAPROXY, startHaproxy } from './lib/haproxy.js';
import { percentile, type Benchmark, type BenchResult } from './lib/report.js';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');
const GATEWAY_ARGS = serviceNodeArgs(ROOT, 'gateway');
const NGINX = '/usr/sbin/nginx';
const CONNECTIONS = 50;
const DURATION_SEC = 8;
const WARMUP_SEC = 2;
const PACE_MS = 10;
/** Paced (latency) runs: rounds of direct, gateway and undici proxy, rotated; short runs each. */
const PACED_ROUNDS = 5;
const PACED_SEC = 4;
/** V8's GC kinds as prom-client labels them (a kind that has not run yet has no series). */
const GC_KINDS = ['minor', 'major', 'incremental'] as const;

function nginxConf(dir: string, body: string): string {
  return `worker_processes 1;
user root;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 1000000;
${body}
}
`;
}

async function startNginx(
  root: string,
  name: string,
  body: string,
  port: number,
): Promise<ManagedProcess> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  const conf = join(dir, 'nginx.conf');
  await writeFile(conf, nginxConf(dir, body));
  const proc = startProcess(NGINX, ['-p', dir, '-c', conf]);
  await waitForPort(port, '127.0.0.1', 10_000, proc);
  return proc;
}

const HTTP_PROXY_SCRIPT = (require: string, port: number, targets: string[]) => `
const { createRequire } = require('node:module');
const httpProxy = createRequire(${JSON.stringify(require)})('http-proxy');
const http = require('node:http');
const targets = ${JSON.stringify(targets)};
const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
const proxy = httpProxy.createProxyServer({ agent });
proxy.on('error', (e, req, res) => { res.writeHead(502); res.end(); });
let i = 0;
http.createServer((req, res) => proxy.web(req, res, { target: targets[i++ % targets.length] })).listen(${port}, '127.0.0.1');
`;

// Node's ceiling for an L7 proxy: undici pools, round robin, hop-by-hop headers dropped, and
// nothing else (no health, breakers, metrics or stickiness).
const UNDICI_PROXY_SCRIPT = (require: string, port: number, targets: string[]) => `
const { createRequire } = require('node:module');
const { Pool } = createRequire(${JSON.stringify(require)})('undici');
const http = require('node:http');
const pools = ${JSON.stringify(targets)}.map((t) => new Pool(t, { connections: 256 }));
const hop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);
const strip = (h) => { const o = {}; for (const k in h) if (!hop.has(k)) o[k] = h[k]; return o; };
let i = 0;
http.createServer((req, res) => {
  const body = req.method === 'GET' || req.method === 'HEAD' ? null : req;
  pools[i++ % pools.length]
    .request({ path: req.url, method: req.method, headers: strip(req.headers), body })
    .then((r) => { res.writeHead(r.statusCode, strip(r.headers)); r.body.pipe(res); })
    .catch(() => { res.writeHead(502); res.end(); });
}).listen(${port}, '127.0.0.1');
`;

async function measure(url: string): Promise<WrkResult> {
  await runWrk({ url, connections: CONNECTIONS, durationSec: WARMUP_SEC });
  return runWrk({ url, connections: CONNECTIONS, durationSec: DURATION_SEC });
}

const bench: Benchmark = {
  name: 'gateway',
  description:
    'L7 proxy throughput and added p99: gateway vs a minimal undici proxy, http-proxy, HAProxy and nginx (same backends, wrk)',
  async run(): Promise<BenchResult> {
    const notes: string[] = [];
    const figures: BenchResult['figures'] = {};
    const budgets: BenchResult['budgets'] = [];
    const root = await mkdtemp(join(tmpdir(), 'faultline-gateway-bench-'));
    const procs: ManagedProcess[] = [];
    try {
      // Backends: one nginx (1 worker) serving `return 200` on two ports.
      const [b1, b2] = [await freePort(), await freePort()];
      const backendBody = [b1, b2]
        .map((p) => `  server { listen 127.0.0.1:${p}; location / { return 200 "ok\\n"; } }`)
        .join('\n');
      procs.push(await startNginx(root, 'backends', backendBody, b2));
      const targets = [b1, b2].map((p) => `127.0.0.1:${p}`);

      const peers: { name: string; url: string }[] = [];

      // The gateway: metrics on; tracing off in the budget arm (the kit preload's "off" arm),
      // and on (sampling 0.1, no exporter) in a second arm reported beside it.
      const startGateway = async (tracing: boolean) => {
        const [gwPort, gwAdmin] = [await freePort(), await freePort()];
        // The playground's command line: its V8 flags decide how often the gateway scavenges.
        const gw = startProcess(process.execPath, GATEWAY_ARGS, {
          cwd: ROOT,
          env: {
            ...process.env,
            FAULTLINE_TELEMETRY: tracing ? 'on' : 'off',
            // As on the local platform: the gateway makes its own span per proxied request
            // and injects the context itself; the generic outgoing http and undici
            // instrumentations would trace every proxied request a second time.
            OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'http,undici',
            LOG_LEVEL: 'warn',
            GATEWAY_PORT: String(gwPort),
            GATEWAY_ADMIN_PORT: String(gwAdmin),
            GATEWAY_ADMIN_TOKEN: 'bench-admin-token',
            GATEWAY_UPSTREAMS: JSON.stringify([
              // Sticky sessions on, as the budget says; wrk sends no cookie, so every
              // request is a miss: the picker chooses and the answer sets the cookie.
              {
                name: 'bench',
                sticky: { cookie: 'gw' },
                discovery: { kind: 'static', backends: targets },
              },
            ]),
          },
        });
        procs.push(gw);
        await waitFor(
          async () => (await fetch(`http://127.0.0.1:${gwAdmin}/readyz`)).ok,
          'gateway ready',
          20_000,
          100,
        );
        gatewayAdmin ??= `http://127.0.0.1:${gwAdmin}`;
        return `http://127.0.0.1:${gwPort}/`;
      };
      /** The budget arm's admin URL (its /metrics: GC pauses and event-loop lag). */
      let gatewayAdmin: string | undefined;
      peers.push({ name: 'gateway', url: await startGateway(false) });
      peers.push({ name: 'gateway+tracing', url: await startGateway(true) });

      if (existsSync(HAPROXY)) {
        const haproxy = await startHaproxy(
          root,
          (port) =>
            `global\n  nbthread 1\n  maxconn 4000\ndefaults\n  mode http\n  timeout connect 2s\n  timeout client 30s\n  timeout server 30s\n  option http-keep-alive\n  http-reuse always\n` +
            `frontend f\n  bind 127.0.0.1:${port}\n  default_backend b\nbackend b\n  balance roundrobin\n` +
            targets.map((t, i) => `  server s${i} ${t}\n`).join(''),
        );
        procs.push(haproxy.proc);
        peers.push({ name: 'haproxy', url: `http://127.0.0.1:${haproxy.port}/` });
      } else notes.push(`HAProxy not found at ${HAPROXY}: skipped (make bench-deps)`);

      if (existsSync(NGINX)) {
        const port = await freePort();
        const body = `  upstream b { ${targets.map((t) => `server ${t};`).join(' ')} keepalive 128; }
  server { listen 127.0.0.1:${port}; location / { proxy_pass http://b; proxy_http_version 1.1; proxy_set_header Connection ""; } }`;
        procs.push(await startNginx(root, 'proxy', body, port));
        peers.push({ name: 'nginx', url: `http://127.0.0.1:${port}/` });
      } else notes.push(`nginx not found at ${NGINX}: skipped (make bench-deps)`);

      const benchPackage = join(ROOT, 'bench/package.json');
      let hasHttpProxy = true;
      try {
        createRequire(benchPackage).resolve('http-proxy');
      } catch {
        hasHttpProxy = false;
      }
      if (hasHttpProxy) {
        const port = await freePort();
        const p = startProcess(process.execPath, [
          '-e',
          HTTP_PROXY_SCRIPT(
            benchPackage,
            port,
            targets.map((t) => `http://${t}`),
          ),
        ]);
        procs.push(p);
        await waitForPort(port, '127.0.0.1', 10_000, p);
        peers.push({ name: 'http-proxy', url: `http://127.0.0.1:${port}/` });
      } else
        notes.push(
          'http-proxy npm package not installed: skipped; it must be added to bench/package.json',
        );

      {
        const port = await freePort();
        const p = startProcess(process.execPath, [
          '-e',
          UNDICI_PROXY_SCRIPT(
            benchPackage,
            port,
            targets.map((t) => `http://${t}`),
          ),
        ]);
        procs.push(p);
        await waitForPort(port, '127.0.0.1', 10_000, p);
        peers.push({ name: 'undici-proxy', url: `http://127.0.0.1:${port}/` });
      }

      const results = new Map<string, WrkResult>();
      for (const peer of peers) {
        const r = await measure(peer.url);
        results.set(peer.name, r);
        figures[`${peer.name} rps`] = r.requestsPerSec;
        figures[`${peer.name} p50 / p99 ms`] = `${r.p50.toFixed(2)} / ${r.p99.toFixed(2)}`;
        if (r.non2xx > 0 || r.socketErrors > 0)
          notes.push(`${peer.name}: ${r.non2xx} non-2xx, ${r.socketErrors} socket errors`);
      }
      const gwResult = results.get('gateway')!;
      for (const [name, r] of results) {
        if (name.startsWith('gateway')) continue;
        figures[`gateway/${name} rps ratio`] = gwResult.requestsPerSec / r.requestsPerSec;
        figures[`gateway/${name} p99 ratio`] = gwResult.p99 / r.p99;
      }
      const undiciProxy = results.get('undici-proxy')!;
      budgets.push({
        name: 'gateway/minimal undici proxy throughput',
        value: gwResult.requestsPerSec / undiciProxy.requestsPerSec,
        op: '>=',
        limit: 0.9,
        peer: 'minimal undici proxy',
      });
      const httpProxy = results.get('http-proxy');
      if (httpProxy) {
        budgets.push({
          name: 'gateway/http-proxy throughput',
          value: gwResult.requestsPerSec / httpProxy.requestsPerSec,
          op: '>=',
          limit: 2,
          peer: 'http-proxy 1.18',
        });
      }
      const haproxy = results.get('haproxy');
      if (haproxy) {
        // The C reference: tracked in the table, not a gate (issue 16 restated the budget
        // against Node's ceiling).
        budgets.push({
          name: 'gateway/HAProxy throughput',
          value: gwResult.requestsPerSec / haproxy.requestsPerSec,
          op: '>=',
          limit: 0.45,
          peer: 'HAProxy (C reference)',
          gate: false,
        });
      }

      // Added latency at about half the gateway's saturation rate: paced connections.
      const target = gwResult.requestsPerSec / 2;
      const script = join(root, 'pace.lua');
      // Random pauses, mean PACE_MS: a fixed one keeps connections in a train (see randomPacing).
      await writeFile(script, randomPacing(PACE_MS));
      // A paced connection sends at most 1000/PACE_MS requests per second (pause plus answer).
      const paced = Math.max(1, Math.floor((target * PACE_MS) / 1000));
      // Rounds of the three, rotated, each a short run: one long run's p99 on two shared cores
      // is one draw of the machine's weather; the verdict is the median of per-round figures.
      const pacedRun = (url: string) =>
        runWrk({ url, connections: paced, durationSec: PACED_SEC, script });
      const undiciUrl = peers.find((p) => p.name === 'undici-proxy')!.url;
      const arms = { direct: `http://${targets[0]}/`, gateway: peers[0]!.url, undici: undiciUrl };
      type PacedArm = keyof typeof arms;
      const pacedRuns: Record<PacedArm, WrkResult[]> = { direct: [], gateway: [], undici: [] };
      // Where a tail can come from inside the process: its GC pauses and event-loop lag over the
      // gateway's paced runs (prom-client's default metrics; the lag max resets at each scrape).
      const gc = { count: {} as Record<string, number>, ms: {} as Record<string, number> };
      let lagMaxMs = 0;
      const order: PacedArm[] = ['direct', 'gateway', 'undici'];
      // One paced run per arm first, not counted: each arm's first paced round after the
      // saturated runs was its worst (gateway 8.5, 4.9, 14.0 ms added p99 in three benches, the
      // later rounds 1.7–4.2; the undici proxy's 3.4–4.3 against 1.5–2.8) — the new connections
      // and their pools warming, not the hop.
      for (const arm of order) await pacedRun(arms[arm]);
      for (let round = 0; round < PACED_ROUNDS; round++) {
        for (let i = 0; i < order.length; i++) {
          const arm = order[(i + round) % order.length]!;
          if (arm !== 'gateway') {
            pacedRuns[arm].push(await pacedRun(arms[arm]));
            continue;
          }
          const before = await nodeRuntimeSamples(gatewayAdmin!);
          pacedRuns.gateway.push(await pacedRun(arms.gateway));
          const during = await nodeRuntimeSamples(gatewayAdmin!);
          for (const kind of GC_KINDS) {
            gc.count[kind] =
              (gc.count[kind] ?? 0) + (during.gcCount[kind] ?? 0) - (before.gcCount[kind] ?? 0);
            gc.ms[kind] =
              (gc.ms[kind] ?? 0) + ((during.gcSum[kind] ?? 0) - (before.gcSum[kind] ?? 0)) * 1000;
          }
          lagMaxMs = Math.max(lagMaxMs, during.lagMaxMs);
        }
      }
      for (const kind of GC_KINDS)
        figures[`paced gateway GC ${kind}: pauses / total ms`] =
          `${gc.count[kind]} / ${gc.ms[kind]!.toFixed(1)}`;
      figures['paced gateway event-loop lag max ms'] = lagMaxMs;
      const p99s = (arm: PacedArm) => pacedRuns[arm].map((r) => r.p99);
      const addedP99 = (arm: PacedArm) => p99s(arm).map((p, i) => p - p99s('direct')[i]!);
      const median = (xs: number[]) => percentile(xs, 50);
      const list = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(', ');
      figures['paced target rps (half of gateway saturation)'] = target;
      figures['paced gateway achieved rps, per round'] = list(
        pacedRuns.gateway.map((r) => r.requestsPerSec),
      );
      for (const arm of order)
        figures[`paced ${arm} p50 | p99 ms, per round`] = pacedRuns[arm]
          .map((r) => `${r.p50.toFixed(2)} | ${r.p99.toFixed(2)}`)
          .join(', ');
      figures['paced gateway added p99 ms, per round'] = list(addedP99('gateway'));
      figures['paced minimal undici proxy added p99 ms, per round'] = list(addedP99('undici'));
      budgets.push({
        name: 'gateway added p99 at half saturation',
        value: median(addedP99('gateway')),
        op: '<=',
        limit: 2,
        unit: ' ms',
        peer: 'backend direct, same pacing',
      });
      budgets.push({
        name: 'minimal undici proxy added p99 at the same pacing',
        value: median(addedP99('undici')),
        op: '<=',
        limit: 2,
        unit: ' ms',
        peer: 'backend direct, same pacing (what any Node hop adds here)',
        gate: false,
      });

      notes.push(
        `wrk -t1 -c${CONNECTIONS} -d${DURATION_SEC}s after a ${WARMUP_SEC}s warm-up, per peer, one after another, same two nginx 'return 200' backends (1 worker)`,
        'peers: HAProxy nbthread 1 (http-reuse always), nginx worker_processes 1 (upstream keepalive 128), http-proxy 1.18 in one Node process with a keep-alive agent, undici-proxy: undici Pools (256 connections each) in one Node process, nothing else',
        `gateway: one Node process started as the local platform starts it (node ${GATEWAY_ARGS.slice(0, -1).join(' ')}; the Node peers run with V8's defaults), Prometheus metrics on, round robin, active health checks (1 s), breakers, sticky sessions on (every wrk request a miss: picked, cookie set); budget arm with FAULTLINE_TELEMETRY=off, "gateway+tracing" arm with the telemetry preload on (sampling 0.1, no exporter; the generic outgoing http and undici instrumentations disabled, as on the local platform, since the gateway makes its own spans)`,
        `added latency: ${paced} connections, ${describeRandomPacing(PACE_MS)}, ≈ half the gateway's saturation rate; after one uncounted paced run each, ${PACED_ROUNDS} rounds of ${PACED_SEC} s runs (backend direct, gateway, undici proxy; order rotated per round); verdict: median of the per-round differences, proxy p99 minus the backend's own p99`,
        'the machine is shared (2 cores, other jobs running): wrk, the backend and the proxy compete for the same cores',
      );
    } finally {
      await Promise.all(procs.map((p) => p.stop()));
      await rm(root, { recursive: true, force: true });
    }
    return { name: 'gateway', figures, budgets, notes };
  },
};

export default bench;

/** GC pause counts and sums by kind, and the event-loop lag max since the last scrape. */
async function nodeRuntimeSamples(adminUrl: string): Promise<{
  gcCount: Record<string, number>;
  gcSum: Record<string, number>;
  lagMaxMs: number;
}> {
  const text = await scrapeMetrics(adminUrl);
  const gcCount: Record<string, number> = {};
  const gcSum: Record<string, number> = {};
  for (const kind of GC_KINDS) {
    gcCount[kind] = findSample(text, 'nodejs_gc_duration_seconds_count', { kind }) ?? 0;
    gcSum[kind] = findSample(text, 'nodejs_gc_duration_seconds_sum', { kind }) ?? 0;
  }
  const lagMaxMs = sampleValue(text, 'nodejs_eventloop_lag_max_since_scrape_seconds') * 1000;
  return { gcCount, gcSum, lagMaxMs };
}
