/**
 * Helpers for the chaos engine's tests on a real local playground: every fault held by any
 * agent, app processes' states, a `chaos run` in the background, and run records.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@faultline/kit/testing/child-process';
import { processState } from '../src/agent/app-process.js';
import type { ActiveFaultView } from '../src/agent/fault-spec.js';
import { AgentClient } from '../src/engine/agent-client.js';
import { listRuns, readRun } from '../src/engine/run-registry.js';
import type { RunRecord } from '../src/engine/run-registry.js';
import { readState } from '../src/local/state-file.js';
import { CLI } from './local-harness.js';
import type { Playground } from './local-harness.js';

/** Every active fault in every agent of the playground. */
export async function allAgentFaults(
  pg: Playground,
): Promise<(ActiveFaultView & { agent: string })[]> {
  const state = readState(pg.stateDir)!;
  const lists = await Promise.all(
    state.pods
      .filter((p) => p.agent)
      .map(async (p) =>
        (await new AgentClient(p.agent!.adminUrl, p.agent!.tokenFile).list()).map((f) => ({
          ...f,
          agent: p.name,
        })),
      ),
  );
  return lists.flat();
}

/** App pods (booking, scheduler): name → pid and /proc state. */
export async function appProcesses(
  pg: Playground,
): Promise<Record<string, { pid: number | undefined; state: string | undefined }>> {
  const state = readState(pg.stateDir)!;
  const apps = state.pods.filter((p) => p.labels.tier === 'app');
  return Object.fromEntries(
    await Promise.all(
      apps.map(
        async (p) =>
          [p.name, { pid: p.pid, state: p.pid ? await processState(p.pid) : undefined }] as const,
      ),
    ),
  );
}

/** Waits until every pod is ready and no app process is stopped (T). */
export async function waitSettled(pg: Playground, timeoutMs = 20_000): Promise<void> {
  await waitFor(
    async () => {
      const s = readState(pg.stateDir)!;
      if (!s.pods.every((p) => p.ready)) return false;
      const procs = await appProcesses(pg);
      return Object.values(procs).every((p) => p.state !== undefined && p.state !== 'T');
    },
    'every pod ready and running',
    timeoutMs,
    100,
  );
}

/** Writes an experiment YAML into the playground's state dir; returns its path. */
export function writeSpec(pg: Playground, name: string, yaml: string): string {
  const file = join(pg.stateDir, `${name}.yaml`);
  writeFileSync(file, yaml);
  return file;
}

/** The run id the engine announced in its first progress line. */
export function runIdFrom(stdout: string): string {
  const m = /experiment (\S+) \(local\)/.exec(stdout);
  if (!m) throw new Error(`no run id in:\n${stdout}`);
  return m[1]!;
}

export function run(pg: Playground, id: string): RunRecord {
  const r = readRun(pg.stateDir, id);
  if (!r) throw new Error(`no run record ${id}`);
  return r;
}

/** `chaos run` in the background, and a way to wait for its run to reach verification. */
export function startChaosRun(
  pg: Playground,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let out = '';
  const child = spawn(process.execPath, [CLI, 'chaos', 'run', ...args, '--config', pg.configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Waits for the newest run of experiment `name` started by `pid` to have verified its faults. */
export async function waitVerified(pg: Playground, name: string, pid: number): Promise<RunRecord> {
  return waitFor(
    () =>
      listRuns(pg.stateDir).find(
        (r) =>
          r.name === name && r.pid === pid && r.verification.length > 0 && r.phase === 'Running',
      ),
    `${name} verified`,
    20_000,
    25,
  );
}
