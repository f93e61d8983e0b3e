/**
 * The embedded load generator (`faultline load`) against autocannon, the npm load tool, at the
 * same fixed rate against the same trivial server, one run: CPU per request of each (measured
 * inside its own process around the run only, start-up excluded), and the generator's highest
 * rate whose schedule lag p99 stays under 5 ms. The generator runs as `faultline load` does,
 * with a history file, metrics and per-request timeouts; autocannon records only latencies.
 * Each tool runs in a child process so neither measures the other, nor the server.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Benchmark, BenchResult } from './lib/report.js';

const SELF = fileURLToPath(import.meta.url);
const ROLE = process.env.FAULTLINE_LOAD_BENCH_ROLE;
const COMPARE_RATE = 1000;
const COMPARE_MS = 8000;
const LAG_RATES = [500, 1000, 2000, 3000, 4000, 6000];
const LAG_MS = 5000;
const LAG_BUDGET_MS = 5;

interface ChildResult {
  cpuMs: number;
  requests: number;
  lagP99Ms?: number;
  achievedRate?: number;
}

/** Runs this file in a child process in `role`; resolves with its one JSON line. */
function child(role: string, env: Record<string, string>): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [SELF], {
      env: { ...process.env, FAULTLINE_LOAD_BENCH_ROLE: role, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${role} child exited ${code}: ${out}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!) as ChildResult);
    });
  });
}

/** The trivial server: `200 ok`, nothing else; its own process. */
async function startServer(): Promise<{ url: string; stop(): void }> {
  const p = spawn(
    process.execPath,
    [
      '-e',
      "require('http').createServer((q,s)=>{q.resume();s.end('ok')}).listen(0,'127.0.0.1',function(){console.log(this.address().port)})",
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<string>((resolve) =>
    p.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())),
  );
  return { url: `http://127.0.0.1:${port}`, stop: () => p.kill('SIGKILL') };
}

async function runGeneratorChild(): Promise<ChildResult> {
  const { runLoad } = await import('@faultline/load/run-load');
  const { parseScenarioText } = await import('@faultline/load/scenario-file');
  const { compileScenario } = await import('@faultline/load/compiled-scenario');
  const rate = Number(process.env.RATE);
  const parsed = parseScenarioText(
    `name: bench
description: one GET at a fixed rate
arrival: { executor: constant-arrival-rate, rate: ${rate}, duration: ${process.env.DURATION_MS}ms }
maxInFlight: 200
timeout: 5s
journey: [{ op: leader, weight: 1 }]
`,
    'bench.yaml',
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const dir = mkdtempSync(join(tmpdir(), 'faultline-load-bench-'));
  const cpu0 = process.cpuUsage();
  const s = await runLoad({
    scenario: 'bench',
    compiled: compileScenario(parsed.scenario, '/bench.yaml', []),
    target: process.env.TARGET!,
    historyFile: join(dir, 'history.jsonl'),
    metricsPort: 0,
  });
  const cpu = process.cpuUsage(cpu0);
  rmSync(dir, { recursive: true, force: true });
  return {
    cpuMs: (cpu.user + cpu.system) / 1000,
    requests: s.faultline.started,
    lagP99Ms: s.faultline.scheduleLagMs.p99,
    achievedRate: s.faultline.achievedRate,
  };
}

/**
 * Node's floor for this work: an undici Pool sending the same GETs on the same schedule and
 * nothing else (no history, metrics, timeouts or journey), so the generator's own cost shows.
 */
async function runBareUndiciChild(): Promise<ChildResult> {
  const { Pool } = await import('undici');
  const rate = Number(process.env.RATE);
  const total = (rate * Number(process.env.DURATION_MS)) / 1000;
  const pool = new Pool(process.env.TARGET!, { connections: 200, pipelining: 1 });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let sent = 0;
  let pending = 0;
  await new Promise<void>((done) => {
    const settle = () => {
      if (--pending === 0 && sent >= total) done();
    };
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) * rate) / 1000));
      for (; sent < due; sent++) {
        pending++;
        pool
          .request({ path: '/leader', method: 'GET' })
          .then((r) => r.body.text())
          .then(settle, settle);
      }
      if (sent < total) setTimeout(tick, 1);
      else if (pending === 0) done();
    };
    tick();
  });
  const cpu = process.cpuUsage(cpu0);
  await pool.close();
  return { cpuMs: (cpu.user + cpu.system) / 1000, requests: sent };
}

async function runAutocannonChild(): Promise<ChildResult> {
  // autocannon ships no types; the one call used here is typed by hand.
  const autocannon = createRequire(import.meta.url)('autocannon') as (
    o: object,
  ) => Promise<{ requests: { total: number } }>;
  const cpu0 = process.cpuUsage();
  const r = await autocannon({
    url: `${process.env.TARGET}/leader`,
    connections: 20,
    overallRate: Number(process.env.RATE),
    duration: Number(process.env.DURATION_MS) / 1000,
  });
  const cpu = process.cpuUsage(cpu0);
  return { cpuMs: (cpu.user + cpu.system) / 1000, requests: r.requests.total };
}

if (ROLE === 'generator' || ROLE === 'autocannon' || ROLE === 'bare-undici') {
  const r =
    ROLE === 'generator'
      ? await runGeneratorChild()
      : ROLE === 'bare-undici'
        ? await runBareUndiciChild()
        : await runAutocannonChild();
  process.stdout.write(`${JSON.stringify(r)}\n`);
  process.exit(0);
}

const bench: Benchmark = {
  name: 'load',
  description: `faultline load vs autocannon: CPU per request at ${COMPARE_RATE} req/s; highest rate with schedule lag p99 < ${LAG_BUDGET_MS} ms`,
  async run(): Promise<BenchResult> {
    const server = await startServer();
    try {
      const env = {
        TARGET: server.url,
        RATE: String(COMPARE_RATE),
        DURATION_MS: String(COMPARE_MS),
      };
      const gen = await child('generator', env);
      const ac = await child('autocannon', env);
      const bare = await child('bare-undici', env);
      const genPerReq = (gen.cpuMs * 1000) / gen.requests;
      const acPerReq = (ac.cpuMs * 1000) / ac.requests;
      const barePerReq = (bare.cpuMs * 1000) / bare.requests;
      let highest = 0;
      const lagFigures: Record<string, string> = {};
      for (const rate of LAG_RATES) {
        const r = await child('generator', {
          TARGET: server.url,
          RATE: String(rate),
          DURATION_MS: String(LAG_MS),
        });
        lagFigures[`schedule lag p99 at ${rate} req/s`] =
          `${r.lagP99Ms!.toFixed(2)} ms (achieved ${r.achievedRate!.toFixed(0)}/s)`;
        if (r.lagP99Ms! < LAG_BUDGET_MS) highest = rate;
        else break;
      }
      return {
        name: 'load',
        figures: {
          'generator requests': gen.requests,
          'generator CPU per request (µs)': genPerReq,
          'autocannon requests': ac.requests,
          'autocannon CPU per request (µs)': acPerReq,
          'bare undici Pool CPU per request (µs)': barePerReq,
          'generator / bare undici': genPerReq / barePerReq,
          'bare undici / autocannon': barePerReq / acPerReq,
          ...lagFigures,
          'highest rate with lag p99 < 5 ms (req/s)': highest,
        },
        budgets: [
          {
            name: 'generator / autocannon CPU per request',
            value: genPerReq / acPerReq,
            op: '<=',
            limit: 1.5,
            unit: '×',
            peer: 'autocannon, same schedule',
          },
        ],
        notes: [
          `${COMPARE_RATE} req/s for ${COMPARE_MS / 1000} s each, GET against a one-line node http server in its own process`,
          'generator as faultline load runs it: history file, /metrics, per-request timeout, schedule from the scenario; autocannon: 20 connections, overallRate; bare undici: a Pool on the same schedule doing nothing else (a tracked figure: the budget is against autocannon)',
          `lag steps ${LAG_RATES.join(', ')} req/s, ${LAG_MS / 1000} s each, stopping at the first miss; 2 shared cores`,
        ],
      };
    } finally {
      server.stop();
    }
  },
};

export default bench;
