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
import { findFreePortBlock, playgroundYaml } from '@faultline/chaos/local/port-block';
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

const bench: Benchmark = {
  name: 'local',
  description: 'faultline up --local: time to all-ready, and total RSS of the running playground',
  async run() {
    const times: number[] = [];
    let rss = 0;
    let pods = 0;
    for (let t = 0; t < TRIALS; t++) {
      const block = await findFreePortBlock();
      const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-local-'));
      const config = join(dir, 'playground.yaml');
      writeFileSync(config, playgroundYaml(dir, block));
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
