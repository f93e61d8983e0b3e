/**
 * Chaos engine latency on the local platform, for an agent fault (latency on one booking
 * replica's redis link): from `chaos run` start to the fault verified, and from `chaos stop`
 * to the fault gone. Budgets (issue 7): both < 250 ms at p95, measured inside the engine with
 * the timestamps it records (run start → verified; stop requested → every fault removed).
 * The end-to-end CLI times (process spawn → verified; `chaos stop` spawn → agent lists no
 * fault) are reported as figures: they add Node start-up and module loading.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreePortBlock, playgroundYaml } from '@faultline/chaos/local/port-block';
import type { PlaygroundState } from '@faultline/chaos/local/state-file';
import type { RunRecord } from '@faultline/chaos/engine/run-registry';
import { percentile, type Benchmark } from './lib/report.js';

const CLI = fileURLToPath(new URL('../../../chaos/bin/faultline.js', import.meta.url));
const TRIALS = 10;
const LATENCY_MS = 50;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function runs(dir: string): RunRecord[] {
  try {
    return readdirSync(join(dir, 'experiments'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(join(dir, 'experiments', f), 'utf8')) as RunRecord);
  } catch {
    return [];
  }
}

async function activeFaults(state: PlaygroundState): Promise<number> {
  let n = 0;
  for (const p of state.pods) {
    if (!p.agent) continue;
    const token = readFileSync(p.agent.tokenFile, 'utf8').trim();
    const res = await fetch(`${p.agent.adminUrl}/faults`, {
      headers: { authorization: `Bearer ${token}` },
    });
    n += ((await res.json()) as { faults: unknown[] }).faults.length;
  }
  return n;
}

const bench: Benchmark = {
  name: 'chaos',
  description:
    'chaos run → agent fault verified, and chaos stop → fault gone (latency on a booking redis link)',
  async run() {
    const block = await findFreePortBlock();
    const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-chaos-'));
    const config = join(dir, 'playground.yaml');
    writeFileSync(config, playgroundYaml(dir, block));
    const spec = join(dir, 'latency.yaml');
    writeFileSync(
      spec,
      `apiVersion: chaos.faultline.dev/v1alpha1
kind: Experiment
metadata: { name: bench-latency }
spec:
  target: { service: booking, mode: one, link: redis }
  fault: { type: latency, latencyMs: ${LATENCY_MS} }
  duration: 5m
`,
    );
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [CLI, ...args, '--config', config], {
        encoding: 'utf8',
        timeout: 120_000,
      });
    const engineApplyToVerified: number[] = [];
    const engineStartToVerified: number[] = [];
    const processToVerified: number[] = [];
    const cliToVerified: number[] = [];
    const engineStopToGone: number[] = [];
    const cliStopToGone: number[] = [];
    try {
      const up = cli('up', '--local', '--detach');
      if (up.status !== 0) throw new Error(`up failed:\n${up.stdout}\n${up.stderr}`);
      const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as PlaygroundState;
      for (let t = 0; t < TRIALS; t++) {
        const spawnedAt = Date.now();
        const child = spawn(process.execPath, [CLI, 'chaos', 'run', spec, '--config', config], {
          stdio: 'ignore',
        });
        let run: RunRecord | undefined;
        for (let i = 0; i < 3000 && !run; i++) {
          run = runs(dir).find((r) => r.pid === child.pid && r.timings.verified !== undefined);
          if (!run) await sleep(5);
        }
        if (!run) throw new Error('the run never verified');
        const tm = run.timings;
        if (run.verification[0]?.outcome !== 'verified')
          throw new Error(`not verified: ${JSON.stringify(run.verification)}`);
        engineStartToVerified.push(tm.verified! - tm.runStart!);
        engineApplyToVerified.push(tm.verified! - tm.applied!);
        processToVerified.push(tm.verified! - tm.processStart!);
        cliToVerified.push(tm.verified! - spawnedAt);
        const exited = new Promise((r) => child.on('exit', r));
        const stopAt = Date.now();
        const stop = cli('chaos', 'stop', run.id);
        if (stop.status !== 0) throw new Error(`stop failed:\n${stop.stdout}\n${stop.stderr}`);
        for (let i = 0; i < 2000 && (await activeFaults(state)) > 0; i++) await sleep(2);
        cliStopToGone.push(Date.now() - stopAt);
        await exited;
        const done = runs(dir).find((r) => r.id === run.id)!;
        engineStopToGone.push(done.timings.recovered! - done.timings.stopRequested!);
      }
    } finally {
      cli('down');
      rmSync(dir, { recursive: true, force: true });
    }
    const p = (xs: number[], q: number) => percentile(xs, q);
    return {
      name: 'chaos',
      figures: {
        'engine: run start → verified p50 (ms)': p(engineStartToVerified, 50),
        'engine: run start → verified p95 (ms)': p(engineStartToVerified, 95),
        'engine: applied → verified p50 (ms)': p(engineApplyToVerified, 50),
        'process start → verified p50 (ms)': p(processToVerified, 50),
        'CLI spawn → verified p50 (ms)': p(cliToVerified, 50),
        'CLI spawn → verified p95 (ms)': p(cliToVerified, 95),
        'engine: stop → fault gone p50 (ms)': p(engineStopToGone, 50),
        'engine: stop → fault gone p95 (ms)': p(engineStopToGone, 95),
        'CLI `chaos stop` → agent lists no fault p50 (ms)': p(cliStopToGone, 50),
        'CLI `chaos stop` → agent lists no fault p95 (ms)': p(cliStopToGone, 95),
      },
      budgets: [
        {
          name: 'run start → agent fault verified, p95',
          value: p(engineStartToVerified, 95),
          op: '<=',
          limit: 250,
          unit: ' ms',
          peer: 'absolute bound (issue 7)',
        },
        {
          name: 'stop → agent fault gone, p95',
          value: p(engineStopToGone, 95),
          op: '<=',
          limit: 250,
          unit: ' ms',
          peer: 'absolute bound (issue 7)',
        },
      ],
      notes: [
        `${TRIALS} trials on one local playground; fault: ${LATENCY_MS} ms latency on a booking replica's redis link (verification probes through it, so ≥ ${LATENCY_MS} ms of the first figure is the fault itself)`,
        'engine figures are the timestamps the engine records in <stateDir>/experiments/<id>.json',
      ],
    };
  },
};

export default bench;
