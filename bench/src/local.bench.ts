/**
 * The local playground's own cost: `faultline up --local --detach` → all ready (budget: p95
 * < 15 s over the trials), and the total resident memory of every process it runs once
 * settled, read from /proc — with its Jaeger v2 (budget < 1.2 GiB) and, as the peer measured in
 * the same run, without it (`tracing.jaeger: false`).
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findJaeger } from '@faultline/chaos/local/jaeger-binary';
import { findFreePortBlock, playgroundYaml } from '@faultline/chaos/local/port-block';
import type { PlaygroundState } from '@faultline/chaos/local/state-file';
import { percentile, type Benchmark } from './lib/report.js';

const CLI = fileURLToPath(new URL('../../../chaos/bin/faultline.js', import.meta.url));
/** Cold starts with Jaeger (the default playground); one more without it for the peer. */
const TRIALS = 5;
const MiB = 2 ** 20;

function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

interface Start {
  seconds: number;
  /** Set when this start was measured for memory (5 s after ready). */
  rss?: { total: number; jaeger: number; pods: number };
}

/** One cold start of a fresh playground on free ports; RSS measured when asked. */
async function coldStart(withJaeger: boolean, measureRss: boolean): Promise<Start> {
  const block = await findFreePortBlock();
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-local-'));
  const config = join(dir, 'playground.yaml');
  writeFileSync(config, playgroundYaml(dir, block));
  if (!withJaeger) appendFileSync(config, 'tracing:\n  jaeger: false\n');
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [CLI, ...args, '--config', config], {
      encoding: 'utf8',
      timeout: 120_000,
    });
  const started = performance.now();
  const up = cli('up', '--local', '--detach');
  const seconds = (performance.now() - started) / 1000;
  try {
    if (up.status !== 0) throw new Error(`up failed:\n${up.stdout}\n${up.stderr}`);
    if (!measureRss) return { seconds };
    await new Promise((r) => setTimeout(r, 5000)); // let it settle (scrapes, elections, JIT)
    const state = JSON.parse(cli('status', '--json').stdout) as PlaygroundState;
    if (withJaeger && !state.pods.some((p) => p.name === 'jaeger'))
      throw new Error(`no jaeger pod in a playground that should have one: ${state.tracing.note}`);
    const pids = [state.supervisorPid, ...state.pods.map((p) => p.pid ?? 0)].filter(Boolean);
    const jaegerPid = state.pods.find((p) => p.name === 'jaeger')?.pid;
    return {
      seconds,
      rss: {
        total: pids.reduce((sum, pid) => sum + rssBytes(pid), 0),
        jaeger: jaegerPid ? rssBytes(jaegerPid) : 0,
        pods: state.pods.length,
      },
    };
  } finally {
    cli('down');
    rmSync(dir, { recursive: true, force: true });
  }
}

const bench: Benchmark = {
  name: 'local',
  description:
    'faultline up --local: time to all-ready, and total RSS of the running playground with and without Jaeger',
  async run() {
    const jaeger = findJaeger();
    if (!jaeger.found)
      throw new Error(`the local benchmark measures the playground with Jaeger: ${jaeger.reason}`);
    const withJaeger: Start[] = [];
    for (let t = 0; t < TRIALS; t++) withJaeger.push(await coldStart(true, t === TRIALS - 1));
    const without = await coldStart(false, true);
    const times = withJaeger.map((s) => s.seconds);
    const rssWith = withJaeger.at(-1)!.rss!;
    const rssWithout = without.rss!;
    const p95 = percentile(times, 95);
    return {
      name: 'local',
      notes: [
        `${TRIALS} cold starts of the default playground (3 booking, 3 scheduler, 1 gateway, 3 etcd, redis, prometheus, jaeger), then one without jaeger`,
        'RSS: supervisor + every pod, from /proc/<pid>/status, 5 s after ready',
      ],
      figures: {
        'up → all ready p50 (s)': percentile(times, 50),
        'up → all ready p95 (s)': p95,
        'up → all ready without jaeger (s)': without.seconds,
        pods: rssWith.pods,
        'total RSS with jaeger (MiB)': rssWith.total / MiB,
        'total RSS without jaeger (MiB)': rssWithout.total / MiB,
        'jaeger RSS (MiB)': rssWith.jaeger / MiB,
        'RSS with / without jaeger': rssWith.total / rssWithout.total,
        // The peer in the same run: on a loaded machine both starts slow down together.
        'up → all ready p50 with / without jaeger': percentile(times, 50) / without.seconds,
        'load average (1 min) at the end': loadavg()[0]!,
      },
      budgets: [
        {
          name: 'up → all ready (p95 of trials)',
          value: p95,
          op: '<=',
          limit: 15,
          unit: ' s',
          peer: 'absolute bound',
        },
        {
          name: 'total RSS with jaeger',
          value: rssWith.total / MiB,
          op: '<=',
          limit: 1.2 * 1024,
          unit: ' MiB',
          peer: 'absolute bound',
        },
      ],
    };
  },
};
export default bench;
