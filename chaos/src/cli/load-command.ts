/**
 * `faultline load SCENARIO`: drives the playground with a scenario from loadtests/. Locally the
 * embedded open-model generator sends the load to the running playground's gateway, Prometheus
 * scrapes its k6-named metrics, and the exit code is k6's: 0, 99 when a threshold (an SLO)
 * failed, 2 for a bad scenario file. `--platform kubernetes` runs k6 itself as a Job.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { runLoad, type LoadProgress } from '@faultline/load/run-load';
import { formatSummary, thresholdsPassed, type LoadSummary } from '@faultline/load/summary';
import { formatProblem, isScenarioSpecError } from '@faultline/load/scenario-file';
import { readState, isAlive } from '../local/state-file.js';
import { stateDirOf } from './local-commands.js';
import { fail } from './output.js';

export interface LoadCommandOptions {
  rate?: string;
  duration?: string;
  history?: string;
  summaryExport?: string;
  platform: string;
  target?: string;
  quiet?: boolean;
  stateDir?: string;
  config?: string;
  kubeconfig?: string;
  namespace?: string;
}

/** k6's exit code when thresholds fail. */
export const THRESHOLDS_FAILED_EXIT = 99;

/** Registers `load` on the program. */
export function registerLoadCommand(program: Command): void {
  program
    .command('load')
    .argument(
      '<scenario>',
      'scenario name (booking-rush, browse, steady-mix) or a scenario YAML file',
    )
    .description(
      'drive the playground with a load scenario; exit 99 when an SLO threshold fails (as k6)',
    )
    .option('--rate <r>', 'requests per second (the peak, for a ramping scenario)')
    .option('--duration <d>', 'run length such as 30s or 2m (ramping stages are scaled to it)')
    .option('--history <file>', 'JSON Lines history: one record per scheduled request')
    .option('--summary-export <file>', "end summary as JSON, in k6's --summary-export shape")
    .option('--platform <name>', 'local | kubernetes', 'local')
    .option('--target <url>', 'base URL to load instead of the playground gateway (loopback only)')
    .option('--quiet', 'no live progress lines')
    .option('--state-dir <dir>', 'state directory of the playground (default .state/local)')
    .option('-c, --config <file>', 'playground config (for its stateDir)')
    .option('--kubeconfig <file>', 'kubernetes: kubeconfig file')
    .option('--namespace <ns>', 'kubernetes: namespace of the playground (default "faultline")')
    .action(loadCommand);
}

export async function loadCommand(scenario: string, o: LoadCommandOptions): Promise<void> {
  const rate = o.rate === undefined ? undefined : Number(o.rate);
  if (rate !== undefined && !(Number.isFinite(rate) && rate > 0))
    fail(`--rate ${o.rate}: expected a positive number of requests per second`, 2);
  if (o.platform === 'kubernetes') {
    process.exit(await loadOnKubernetes(scenario, o, rate));
  }
  if (o.platform !== 'local') fail(`--platform ${o.platform}: allowed: local, kubernetes`, 2);

  const stateDir = stateDirOf(o);
  let target = o.target;
  if (target === undefined) {
    const state = readState(stateDir);
    if (!state || state.phase !== 'ready' || !isAlive(state.supervisorPid))
      fail(`no running playground in ${stateDir}; start one with: faultline up --local --detach`);
    target = state.urls.gateway;
  } else if (!isLoopback(target)) {
    fail(`--target ${target}: load goes only to loopback addresses (127.0.0.0/8, localhost)`, 2);
  }

  const stop = new AbortController();
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => stop.abort(sig));
  let summary: LoadSummary;
  try {
    summary = await runLoad({
      scenario,
      target,
      ...(rate !== undefined ? { rate } : {}),
      ...(o.duration !== undefined ? { duration: o.duration } : {}),
      ...(o.history !== undefined ? { historyFile: resolve(o.history) } : {}),
      signal: stop.signal,
      ...(o.quiet
        ? {}
        : { onProgress: (p: LoadProgress) => process.stderr.write(`${progressLine(p)}\n`) }),
      // Prometheus of a local playground finds /metrics through this file_sd directory.
      ...(o.target === undefined
        ? { metricsPort: 0, prometheusSdDir: resolve(stateDir, 'prometheus') }
        : {}),
    });
  } catch (e) {
    if (isScenarioSpecError(e)) {
      process.stderr.write(`${e.problems.map(formatProblem).join('\n')}\n`);
      process.exit(2);
    }
    return fail((e as Error).message, 2);
  }
  process.stdout.write(`${formatSummary(summary)}\n`);
  if (o.summaryExport)
    writeFileSync(resolve(o.summaryExport), `${JSON.stringify(summary, null, 2)}\n`);
  process.exit(thresholdsPassed(summary) ? 0 : THRESHOLDS_FAILED_EXIT);
}

function progressLine(p: LoadProgress): string {
  return (
    `[${(p.elapsedMs / 1000).toFixed(0).padStart(4)}s] rate ${p.rate.toFixed(0)}/s  in flight ${p.inFlight}  ` +
    `p50 ${p.p50.toFixed(1)}ms  p99 ${p.p99.toFixed(1)}ms  errors ${(p.errorShare * 100).toFixed(1)}%  dropped ${p.dropped}`
  );
}

function isLoopback(url: string): boolean {
  try {
    const h = new URL(url).hostname;
    return h === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '[::1]';
  } catch {
    return false;
  }
}

/** Runs k6 as a Job on the cluster; resolves with k6's exit code. */
function loadOnKubernetes(
  _scenario: string,
  _o: LoadCommandOptions,
  _rate: number | undefined,
): Promise<number> {
  return Promise.resolve(fail('--platform kubernetes: not built yet', 2));
}
