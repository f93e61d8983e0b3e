/**
 * `faultline chaos run | ls | stop | explain`: experiments from the command line. `run` runs
 * the engine in this process (live progress, a summary, the exit code says how it went);
 * `ls` and `stop` work from any shell through the run registry in the state directory.
 */
import { resolve } from 'node:path';
import { formatDuration, parseDuration } from '../experiment/duration.js';
import { explainExperiment } from '../experiment/explain.js';
import { isExperimentSpecError, loadExperiment } from '../experiment/load.js';
import { DEFAULT_MAX_DURATION_MS } from '../experiment/spec.js';
import type { Experiment } from '../experiment/spec.js';
import { TERMINAL_PHASES } from '../experiment/status.js';
import { resolveTargetsOn } from '../experiment/targeting.js';
import { AgentClient } from '../engine/agent-client.js';
import { EXIT, runExperiment } from '../engine/experiment-run.js';
import { LocalDriver } from '../local/local-driver.js';
import type { PlatformDriver } from '../engine/platform-driver.js';
import { appliedKey, listRuns, readRun, writeRun } from '../engine/run-registry.js';
import type { RunRecord } from '../engine/run-registry.js';
import { isAlive } from '../local/state-file.js';
import { isKubernetesCliError, openKubernetesDriver } from './kubernetes-platform.js';
import type { KubernetesCliOptions } from './kubernetes-platform.js';
import { stateDirOf } from './local-commands.js';
import { fail, progress, table } from './output.js';
import { grafanaOption } from './grafana-option.js';

export interface ChaosCommonOptions {
  stateDir?: string;
  config?: string;
  platform?: string;
}

export interface ChaosRunOptions extends ChaosCommonOptions, KubernetesCliOptions {
  dryRun?: boolean;
  duration?: string;
  seed?: number;
  renewInterval?: number;
}

function requireLocal(o: ChaosCommonOptions): void {
  if (platformOf(o) === 'kubernetes')
    fail(
      'chaos explain --platform kubernetes is not available yet (chaos run --platform kubernetes is); use --platform local',
      2,
    );
}

async function load(file: string): Promise<Experiment> {
  try {
    return await loadExperiment(file);
  } catch (e) {
    if (isExperimentSpecError(e)) return fail(`invalid experiment\n${e.message}`, EXIT.refused);
    return fail(`cannot read ${file}: ${(e as Error).message}`, EXIT.refused);
  }
}

function openDriver(stateDir: string): LocalDriver {
  try {
    return LocalDriver.open(stateDir);
  } catch (e) {
    return fail((e as Error).message, 2);
  }
}

function platformOf(o: ChaosCommonOptions): 'local' | 'kubernetes' {
  const platform = o.platform ?? 'local';
  if (platform === 'local' || platform === 'kubernetes') return platform;
  return fail(`unknown platform ${platform}; allowed: local, kubernetes`, 2);
}

async function openKubernetes(
  experiment: Experiment,
  o: KubernetesCliOptions,
): Promise<PlatformDriver> {
  try {
    const { driver, context, namespace } = await openKubernetesDriver(
      experiment.metadata.namespace,
      o,
      process.env,
    );
    progress(`kubernetes: context ${context}, namespace ${namespace}`);
    return driver;
  } catch (e) {
    if (isKubernetesCliError(e)) return fail(e.message, 2);
    throw e;
  }
}

/** `chaos run FILE`. */
export async function chaosRun(file: string, o: ChaosRunOptions): Promise<void> {
  const platform = platformOf(o);
  const experiment = await load(file);
  let durationMs: number | undefined;
  if (o.duration !== undefined) {
    durationMs = parseDuration(o.duration);
    if (durationMs === undefined || durationMs <= 0 || durationMs > DEFAULT_MAX_DURATION_MS)
      fail(
        `--duration ${o.duration}: expected a positive duration such as 30s, 2m, 500ms, at most ${formatDuration(DEFAULT_MAX_DURATION_MS)}`,
        2,
      );
  }
  const stateDir = stateDirOf(o);
  const driver = platform === 'local' ? openDriver(stateDir) : await openKubernetes(experiment, o);
  const stop = new AbortController();
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => stop.abort(sig));
  const outcome = await runExperiment({
    driver,
    experiment,
    file: resolve(file),
    stateDir,
    // Only the local Prometheus discovers the engine's /metrics through files.
    ...(platform === 'local' ? { scrapeTargetsDir: resolve(stateDir, 'prometheus') } : {}),
    ...(durationMs !== undefined ? { durationMs } : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(o.renewInterval !== undefined ? { renewIntervalMs: o.renewInterval } : {}),
    dryRun: o.dryRun === true,
    ...grafanaOption(),
    signal: stop.signal,
    onProgress: progress,
  }).catch((e: unknown) =>
    // A platform that cannot be reached (API server down, RBAC) is an error to print, not a crash.
    fail(`chaos run on ${platform} failed: ${(e as Error).message}`, EXIT.failed),
  );
  if (outcome.record.phase !== 'Pending' && !(o.dryRun || experiment.spec.safety.dryRun))
    process.stdout.write(`\n${summary(outcome.record)}\n`);
  if (outcome.record.phase === 'Refused')
    process.stderr.write(
      `faultline: experiment refused by its safety checks:\n${(outcome.record.refusals ?? []).map((r) => `  - ${r}`).join('\n')}\n`,
    );
  process.exitCode = outcome.exitCode;
}

/** The end-of-run summary. */
export function summary(r: RunRecord): string {
  const t = r.timings;
  const lines = [
    `experiment ${r.id}: ${r.phase}${r.message ? ` (${r.message})` : ''}`,
    `  fault ${r.fault} on ${r.targets.map((x) => x.pod).join(', ') || 'no pods'} (${r.platform})`,
    `  applied ${r.applied.length}, recovered ${r.recovered.length}`,
    ...r.verification.map((v) => `  ${v.outcome.padEnd(13)} ${v.pod}: ${v.observed}`),
  ];
  if (t.runStart && t.verified)
    lines.push(`  fault verified ${t.verified - t.runStart} ms after the run started`);
  if (t.stopRequested && t.recovered)
    lines.push(`  recovered ${t.recovered - t.stopRequested} ms after the stop`);
  if (r.phase !== 'Refused') lines.push(`  record: chaos ls / ${r.id}.json`);
  return lines.join('\n');
}

/** `chaos ls`. */
export function chaosLs(o: ChaosCommonOptions & { json?: boolean }): void {
  const runs = listRuns(stateDirOf(o)).map((r) => ({ ...r, engineAlive: isAlive(r.pid) }));
  if (o.json) {
    process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
    return;
  }
  if (runs.length === 0) {
    process.stdout.write('no experiments recorded\n');
    return;
  }
  const rows = [['ID', 'PHASE', 'FAULT', 'TARGETS', 'VERIFIED', 'ENGINE', 'STARTED']];
  for (const r of runs) {
    const terminal = TERMINAL_PHASES.includes(r.phase);
    rows.push([
      r.id,
      r.phase,
      r.fault,
      r.targets.map((t) => t.pod).join(',') || '-',
      `${r.verification.filter((v) => v.outcome === 'verified').length}/${r.verification.length}`,
      terminal ? '-' : r.engineAlive ? `pid ${r.pid}` : `dead (pid ${r.pid})`,
      r.startedAt,
    ]);
  }
  process.stdout.write(`${table(rows)}\n`);
}

/** `chaos stop ID`: SIGTERM to a live engine (it recovers), or recover a dead one's faults. */
export async function chaosStop(id: string, o: ChaosCommonOptions): Promise<void> {
  const stateDir = stateDirOf(o);
  const run = readRun(stateDir, id);
  if (!run)
    fail(`no experiment ${id} in ${stateDir}/experiments; \`faultline chaos ls\` lists them`);
  if (TERMINAL_PHASES.includes(run.phase)) {
    progress(`${id} already ended: ${run.phase}`);
    return;
  }
  if (isAlive(run.pid) && run.pid !== process.pid) {
    progress(`stopping ${id}: SIGTERM to the engine (pid ${run.pid})`);
    process.kill(run.pid, 'SIGTERM');
    const deadline = Date.now() + 30_000;
    for (;;) {
      const now = readRun(stateDir, id);
      if (now && TERMINAL_PHASES.includes(now.phase)) {
        progress(`${id}: ${now.phase}${now.message ? ` (${now.message})` : ''}`);
        return;
      }
      if (!isAlive(run.pid)) break;
      if (Date.now() > deadline) fail(`${id}: the engine did not finish within 30 s`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  // The engine is gone: remove what it recorded, straight through the agents.
  progress(`the engine of ${id} (pid ${run.pid}) is gone: removing its recorded faults`);
  const latest = readRun(stateDir, id) ?? run;
  let problems = 0;
  for (const a of latest.applied) {
    if (a.kind !== 'agent' || latest.recovered.includes(appliedKey(a))) continue;
    try {
      const removed = await new AgentClient(a.agentUrl!, a.tokenFile!).remove(a.faultId!);
      progress(`${a.faultId} on ${a.agentPod}: ${removed ? 'removed' : 'already gone (expired)'}`);
      latest.recovered.push(appliedKey(a));
    } catch (e) {
      problems++;
      progress(`${a.faultId} on ${a.agentPod}: ${(e as Error).message}`);
    }
  }
  latest.phase = problems === 0 ? 'Aborted' : 'Failed';
  latest.message = `engine gone; recorded faults removed by chaos stop${problems ? ` (${problems} failed)` : ''}`;
  latest.finishedAt = new Date().toISOString();
  writeRun(stateDir, latest);
  if (problems > 0) fail(`${problems} fault(s) could not be removed`);
}

/** `chaos explain FILE`: plain words, with real targets when a playground is running. */
export async function chaosExplain(file: string, o: ChaosCommonOptions): Promise<void> {
  requireLocal(o);
  const experiment = await load(file);
  let driver: LocalDriver | undefined;
  try {
    driver = LocalDriver.open(stateDirOf(o));
  } catch {
    driver = undefined;
  }
  if (!driver) {
    const text = explainExperiment(experiment, {
      ok: false,
      refusals: [
        {
          code: 'no-matching-pods',
          message: 'no local playground is running, so targets cannot be resolved',
        },
      ],
    }).text;
    process.stdout.write(`${text}\n`);
    return;
  }
  const resolution = await resolveTargetsOn(driver, experiment, {
    defaultNamespace: driver.defaultNamespace,
  });
  process.stdout.write(`${explainExperiment(experiment, resolution).text}\n`);
}
