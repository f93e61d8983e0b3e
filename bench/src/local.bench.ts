/**
 * The local playground's own cost: `faultline up --local --detach` → all ready (budget
 * < 15 s, over a few trials), and the total resident memory of every process it runs once
 * settled (budget < 1 GiB), read from /proc.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { portIsFree } from '@faultline/chaos/local/preflight';
import type { PlaygroundState } from '@faultline/chaos/local/state-file';
import { percentile, type Benchmark } from './lib/report.js';

const CLI = fileURLToPath(new URL('../../../chaos/bin/faultline.js', import.meta.url));
const TRIALS = 3;

function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

async function freeBlock(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const b = 20_000 + Math.floor(Math.random() * 1000) * 10;
    const ports = [
      b,
      ...[0, 1, 2].flatMap((k) => [b + 10 + k, b + 110 + k, b + 210 + k, b + 20 + k, b + 30 + k]),
      b + 40,
      b + 41,
      b + 42,
    ];
    if ((await Promise.all(ports.map((p) => portIsFree(p)))).every(Boolean)) return b;
  }
  throw new Error('no free port block');
}

const bench: Benchmark = {
  name: 'local',
  description: 'faultline up --local: time to all-ready, and total RSS of the running playground',
  async run() {
    const times: number[] = [];
    let rss = 0;
    let pods = 0;
    for (let t = 0; t < TRIALS; t++) {
      const b = await freeBlock();
      const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-local-'));
      const config = join(dir, 'playground.yaml');
      writeFileSync(
        config,
        `stateDir: ${dir}\nports:\n  redis: ${b}\n  etcdBase: ${b + 10}\n  bookingBase: ${b + 20}\n  schedulerBase: ${b + 30}\n  gateway: ${b + 40}\n  gatewayAdmin: ${b + 41}\n  prometheus: ${b + 42}\n`,
      );
      const cli = (...args: string[]) =>
        spawnSync(process.execPath, [CLI, ...args, '--config', config], {
          encoding: 'utf8',
          timeout: 120_000,
        });
      const started = performance.now();
      const up = cli('up', '--local', '--detach');
      const elapsed = performance.now() - started;
      try {
        if (up.status !== 0) throw new Error(`up failed:\n${up.stdout}\n${up.stderr}`);
        times.push(elapsed);
        if (t === TRIALS - 1) {
          await new Promise((r) => setTimeout(r, 5000)); // let it settle (scrapes, elections, JIT)
          const state = JSON.parse(cli('status', '--json').stdout) as PlaygroundState;
          const pids = [state.supervisorPid, ...state.pods.map((p) => p.pid ?? 0)].filter(Boolean);
          pods = state.pods.length;
          rss = pids.reduce((sum, pid) => sum + rssBytes(pid), 0);
        }
      } finally {
        cli('down');
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const p50 = percentile(times, 50);
    const max = Math.max(...times);
    return {
      name: 'local',
      notes: [
        `${TRIALS} cold starts of the default playground (3 booking, 3 scheduler, 1 gateway, 3 etcd, redis, prometheus)`,
        'RSS: supervisor + every pod, from /proc/<pid>/status, 5 s after ready',
      ],
      figures: {
        'up → all ready p50 (s)': p50 / 1000,
        'up → all ready max (s)': max / 1000,
        pods,
        'total RSS (MiB)': rss / 2 ** 20,
      },
      budgets: [
        {
          name: 'up → all ready (max of trials)',
          value: max / 1000,
          op: '<=',
          limit: 15,
          unit: ' s',
        },
        { name: 'total RSS', value: rss / 2 ** 20, op: '<=', limit: 1024, unit: ' MiB' },
      ],
    };
  },
};
export default bench;
