/**
 * The faultline agent's own cost: Redis round trips (redis-benchmark) and HTTP requests (wrk
 * against the kit's hello service) direct vs through an idle agent link, same run, as ratios.
 * p50 is taken with one connection (the latency a hop adds, without queueing); throughput
 * with many connections. Rounds are interleaved so drift on a shared machine hits both arms.
 * HAProxy in TCP mode on the same Redis hop is measured as a peer: on a small shared machine a
 * userspace hop competes with Redis and the client for CPU, and the peer shows how much of a
 * throughput ratio is the machine rather than the agent.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess, waitFor, type ManagedProcess } from '@faultline/kit/testing/child-process';
import { startNodeService } from '@faultline/kit/testing/node-service';
import { startRedis } from '@faultline/kit/testing/redis-server';
import { runTool } from './lib/run-tool.js';
import { runWrk, type WrkResult } from './lib/wrk.js';
import { startHaproxy } from './lib/haproxy.js';
import { percentile, type Benchmark } from './lib/report.js';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');
const AGENT_MAIN = join(ROOT, 'chaos/dist/src/agent/main.js');
const HELLO = join(ROOT, 'services/kit/dist/test/fixtures/hello-service.js');
const ROUNDS = 3;
const REDIS_LATENCY_N = 20_000;
const REDIS_THROUGHPUT_N = 100_000;
const REDIS_CLIENTS = 50;
const HTTP_CONNECTIONS = 32;
const HTTP_SECONDS = 4;

interface RedisRun {
  rps: number;
  p50: number;
}

/** redis-benchmark --csv: mean rps and mean p50 over the ping, set and get tests. */
async function redisBenchmark(port: number, clients: number, n: number): Promise<RedisRun> {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-t', 'ping,set,get', '-n', String(n)];
  args.push('-c', String(clients), '--csv');
  const { stdout } = await runTool('redis-benchmark', args);
  const rows = stdout
    .split('\n')
    .filter((l) => /^"(PING|SET|GET)/.test(l))
    .map((l) => l.split(',').map((c) => c.replaceAll('"', '')));
  if (rows.length === 0) throw new Error(`no redis-benchmark rows:\n${stdout}`);
  const mean = (i: number) => rows.reduce((a, r) => a + Number(r[i]), 0) / rows.length;
  return { rps: mean(1), p50: mean(4) };
}

async function startAgent(
  dir: string,
  redisPort: number,
  httpPort: number,
): Promise<{ proc: ManagedProcess; redisLink: number; httpLink: number }> {
  const infoFile = join(dir, 'agent.json');
  const proc = startProcess(
    process.execPath,
    ['--import', '@faultline/kit/telemetry-preload', AGENT_MAIN],
    {
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        FAULTLINE_AGENT_LINKS: JSON.stringify([
          { name: 'redis', target: `127.0.0.1:${redisPort}` },
          { name: 'hello', target: `127.0.0.1:${httpPort}`, protocol: 'http' },
        ]),
        FAULTLINE_AGENT_TOKEN_FILE: join(dir, 'token'),
        FAULTLINE_AGENT_INFO_FILE: infoFile,
      },
    },
  );
  const info = await waitFor(
    async () =>
      JSON.parse(await readFile(infoFile, 'utf8')) as {
        links: { name: string; listen: { port: number } }[];
      },
    'the agent to start',
  ).catch((e: unknown) => {
    throw new Error(`${String(e)}\n${proc.output()}`);
  });
  const port = (name: string) => info.links.find((l) => l.name === name)!.listen.port;
  return { proc, redisLink: port('redis'), httpLink: port('hello') };
}

/** HAProxy as a plain TCP hop to Redis: the peer for the Redis throughput ratio. */
function startRedisHaproxy(dir: string, redisPort: number) {
  return startHaproxy(dir, (port) =>
    [
      'global',
      '  maxconn 4096',
      'defaults',
      '  mode tcp',
      '  timeout connect 5s',
      '  timeout client 60s',
      '  timeout server 60s',
      'frontend redis',
      `  bind 127.0.0.1:${port}`,
      '  default_backend redis',
      'backend redis',
      `  server r 127.0.0.1:${redisPort}`,
      '',
    ].join('\n'),
  );
}

const bench: Benchmark = {
  name: 'agent',
  description:
    'faultline agent idle link vs direct: Redis (redis-benchmark) and HTTP (wrk) p50 and throughput',
  async run() {
    const dir = await mkdtemp(join(tmpdir(), 'faultline-agent-bench-'));
    const redis = await startRedis();
    const hello = await startNodeService({
      entry: HELLO,
      prefix: 'HELLO',
      env: { FAULTLINE_TELEMETRY: 'off', HELLO_METRICS: 'off', LOG_LEVEL: 'warn' },
    });
    const agent = await startAgent(dir, redis.port, hello.port);
    const haproxy = await startRedisHaproxy(dir, redis.port);
    const haproxyTp: RedisRun[] = [];
    const r = {
      directLat: [] as RedisRun[],
      linkLat: [] as RedisRun[],
      directTp: [] as RedisRun[],
      linkTp: [] as RedisRun[],
    };
    const h = {
      directLat: [] as WrkResult[],
      linkLat: [] as WrkResult[],
      directTp: [] as WrkResult[],
      linkTp: [] as WrkResult[],
    };
    const wrk = (port: number, connections: number, durationSec = HTTP_SECONDS) =>
      runWrk({ url: `http://127.0.0.1:${port}/hello`, connections, durationSec });
    try {
      // Warm-up (JIT in the agent and the hello service).
      await redisBenchmark(agent.redisLink, REDIS_CLIENTS, 20_000);
      await wrk(agent.httpLink, HTTP_CONNECTIONS, 2);
      await wrk(hello.port, HTTP_CONNECTIONS, 2);
      for (let i = 0; i < ROUNDS; i++) {
        r.directLat.push(await redisBenchmark(redis.port, 1, REDIS_LATENCY_N));
        r.linkLat.push(await redisBenchmark(agent.redisLink, 1, REDIS_LATENCY_N));
        r.directTp.push(await redisBenchmark(redis.port, REDIS_CLIENTS, REDIS_THROUGHPUT_N));
        r.linkTp.push(await redisBenchmark(agent.redisLink, REDIS_CLIENTS, REDIS_THROUGHPUT_N));
        haproxyTp.push(await redisBenchmark(haproxy.port, REDIS_CLIENTS, REDIS_THROUGHPUT_N));
        h.directLat.push(await wrk(hello.port, 1));
        h.linkLat.push(await wrk(agent.httpLink, 1));
        h.directTp.push(await wrk(hello.port, HTTP_CONNECTIONS));
        h.linkTp.push(await wrk(agent.httpLink, HTTP_CONNECTIONS));
      }
    } finally {
      await agent.proc.stop();
      await haproxy.proc.stop();
      await hello.stop();
      await redis.stop();
      await rm(dir, { recursive: true, force: true });
    }
    const med = (xs: number[]) => percentile(xs, 50);
    const redisP50Direct = med(r.directLat.map((x) => x.p50));
    const redisP50Link = med(r.linkLat.map((x) => x.p50));
    const redisRpsDirect = med(r.directTp.map((x) => x.rps));
    const redisRpsLink = med(r.linkTp.map((x) => x.rps));
    const redisRpsHaproxy = med(haproxyTp.map((x) => x.rps));
    const httpP50Direct = med(h.directLat.map((x) => x.p50));
    const httpP50Link = med(h.linkLat.map((x) => x.p50));
    const httpRpsDirect = med(h.directTp.map((x) => x.requestsPerSec));
    const httpRpsLink = med(h.linkTp.map((x) => x.requestsPerSec));
    const errors = [...h.directLat, ...h.linkLat, ...h.directTp, ...h.linkTp].reduce(
      (a, x) => a + x.socketErrors + x.non2xx,
      0,
    );
    return {
      name: 'agent',
      notes: [
        `redis-benchmark -t ping,set,get: p50 with -c 1 -n ${REDIS_LATENCY_N}; throughput with -c ${REDIS_CLIENTS} -n ${REDIS_THROUGHPUT_N} (mean over the tests)`,
        `wrk GET /hello on the kit's hello service (telemetry and metrics off): p50 with -c 1, throughput with -c ${HTTP_CONNECTIONS}, ${HTTP_SECONDS} s each`,
        `agent: chaos/dist/src/agent/main.js with the telemetry preload, links idle (no fault), ${ROUNDS} interleaved rounds, medians`,
      ],
      figures: {
        'redis p50 direct (ms)': redisP50Direct,
        'redis p50 via link (ms)': redisP50Link,
        'redis rps direct': redisRpsDirect,
        'redis rps via link': redisRpsLink,
        'redis rps via haproxy (peer)': redisRpsHaproxy,
        'redis throughput haproxy/direct (peer)': redisRpsHaproxy / redisRpsDirect,
        'http p50 direct (ms)': httpP50Direct,
        'http p50 via link (ms)': httpP50Link,
        'http rps direct': httpRpsDirect,
        'http rps via link': httpRpsLink,
        'http errors (socket + non-2xx)': errors,
      },
      budgets: [
        {
          name: 'redis p50 added by the link',
          value: redisP50Link - redisP50Direct,
          op: '<=',
          limit: 0.2,
          unit: ' ms',
          peer: 'direct Redis',
        },
        // Issue 16 restated this budget: on 2 cores any extra TCP hop roughly halves
        // throughput, so the agent is judged against the same hop in C.
        {
          name: 'redis throughput link/HAProxy on the same hop',
          value: redisRpsLink / redisRpsHaproxy,
          op: '>=',
          limit: 0.9,
          peer: 'HAProxy, mode tcp',
        },
        {
          name: 'redis throughput link/direct',
          value: redisRpsLink / redisRpsDirect,
          op: '>=',
          limit: 0.6,
          peer: 'direct Redis',
          gate: false,
        },
        {
          name: 'http p50 added by the link',
          value: httpP50Link - httpP50Direct,
          op: '<=',
          limit: 0.2,
          unit: ' ms',
          peer: 'hello service direct',
        },
        {
          name: 'http throughput link/direct',
          value: httpRpsLink / httpRpsDirect,
          op: '>=',
          limit: 0.6,
          peer: 'hello service direct',
        },
        { name: 'http errors', value: errors, op: '<=', limit: 0 },
      ],
    };
  },
};
export default bench;
