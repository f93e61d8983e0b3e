/**
 * The run registry: one JSON file per experiment run in `<stateDir>/experiments/<id>.json`,
 * written atomically at every step, so `chaos ls` and `chaos stop ID` work from any shell and a
 * dead engine's faults can still be found and removed.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentPhase, RecordedTarget, VerificationResult } from '../experiment/status.js';
import type { AppliedFault } from './platform-driver.js';

/** Timestamps (ms since the epoch) the engine reports for each step. */
export interface RunTimings {
  /** The engine process started (performance.timeOrigin). */
  processStart?: number;
  runStart?: number;
  applied?: number;
  verified?: number;
  stopRequested?: number;
  recovered?: number;
  finished?: number;
}

export interface RunRecord {
  id: string;
  name: string;
  file: string;
  platform: string;
  phase: ExperimentPhase;
  message?: string;
  /** The engine process; `chaos stop` signals it. */
  pid: number;
  /** Prometheus scrape address of the engine's metrics while it runs. */
  metricsUrl?: string;
  fault: string;
  /** The targets as recorded at apply time (shared with the controller's status). */
  targets: RecordedTarget[];
  /** Every fault applied, with where it lives; recovery uses exactly these. */
  applied: AppliedFault[];
  /** Applied records already recovered (agent fault ids or pod names of one-shots). */
  recovered: string[];
  verification: VerificationResult[];
  refusals?: string[];
  startedAt: string;
  endsAt?: string;
  finishedAt?: string;
  timings: RunTimings;
}

const experimentsDir = (stateDir: string) => join(stateDir, 'experiments');

export function writeRun(stateDir: string, run: RunRecord): void {
  const dir = experimentsDir(stateDir);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${run.id}.json`);
  writeFileSync(`${file}.tmp`, JSON.stringify(run, null, 2), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

export function readRun(stateDir: string, id: string): RunRecord | undefined {
  try {
    return JSON.parse(
      readFileSync(join(experimentsDir(stateDir), `${id}.json`), 'utf8'),
    ) as RunRecord;
  } catch {
    return undefined;
  }
}

/** Every recorded run, oldest first. */
export function listRuns(stateDir: string): RunRecord[] {
  let files: string[];
  try {
    files = readdirSync(experimentsDir(stateDir)).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  return files
    .map((f) => readRun(stateDir, f.slice(0, -'.json'.length)))
    .filter((r): r is RunRecord => r !== undefined)
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

/** Key of an applied fault in `recovered`. */
export function appliedKey(a: AppliedFault): string {
  return a.faultId ?? `${a.pod}@${a.appliedAt}`;
}
