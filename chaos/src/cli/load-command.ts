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
import { CoreV1Api, KubernetesObjectApi, Log } from '@kubernetes/client-node';
import { k6JobManifests } from '@faultline/load/k6-job';
import { compileScenarioFile } from '@faultline/load/scenario-resolve';
import { readState, supervisorRunning } from '../local/state-file.js';
import { NAMESPACE } from './helm-release.js';
import { loadKubeConfig } from './kubernetes-platform.js';
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
  remoteWrite?: string;
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
    .option(
      '--target <url>',
      'local: base URL instead of the playground gateway (loopback only); kubernetes: the gateway as pods reach it',
    )
    .option('--quiet', 'no live progress lines')
    .option('--state-dir <dir>', 'state directory of the playground (default .state/local)')
    .option('-c, --config <file>', 'playground config (for its stateDir)')
    .option('--kubeconfig <file>', 'kubernetes: kubeconfig file')
    .option('--namespace <ns>', 'kubernetes: namespace of the playground (default "faultline")')
    .option(
      '--remote-write <url>',
      'kubernetes: Prometheus remote-write URL for k6 (default http://prometheus:9090/api/v1/write)',
    )
    .action(loadCommand);
}

export async function loadCommand(scenario: string, o: LoadCommandOptions): Promise<void> {
  const rate = o.rate === undefined ? undefined : Number(o.rate);
  if (rate !== undefined && !(Number.isFinite(rate) && rate > 0))
    fail(`--rate ${o.rate}: expected a positive number of requests per second`, 2);
  if (o.platform === 'kubernetes') {
    const code = await loadOnKubernetes(scenario, o, rate).catch((e: unknown) =>
      fail(`--platform kubernetes: ${(e as Error).message}`),
    );
    process.exit(code);
  }
  if (o.platform !== 'local') fail(`--platform ${o.platform}: allowed: local, kubernetes`, 2);

  const stateDir = stateDirOf(o);
  let target = o.target;
  if (target === undefined) {
    const state = readState(stateDir);
    if (!state || state.phase !== 'ready' || !supervisorRunning(state))
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

/**
 * Runs k6 as a Job on the cluster: creates the ConfigMap and Job, follows the pod's log (k6's
 * progress and end summary), and resolves with the k6 container's exit code. The ConfigMap is
 * deleted afterwards; the Job stays for its TTL so `kubectl logs` still works.
 */
async function loadOnKubernetes(
  scenario: string,
  o: LoadCommandOptions,
  rate: number | undefined,
): Promise<number> {
  let compiled;
  try {
    compiled = compileScenarioFile(scenario);
  } catch (e) {
    if (isScenarioSpecError(e)) {
      process.stderr.write(`${e.problems.map(formatProblem).join('\n')}\n`);
      return 2;
    }
    throw e;
  }
  const kc = loadKubeConfig(o.kubeconfig);
  const namespace = o.namespace ?? NAMESPACE;
  const runId = `${compiled.name}-${Date.now().toString(36)}`;
  const { configMap, job } = k6JobManifests({
    scenario: compiled,
    namespace,
    runId,
    baseUrl: o.target ?? 'http://gateway',
    remoteWriteUrl: o.remoteWrite ?? 'http://prometheus:9090/api/v1/write',
    ...(rate !== undefined ? { rate } : {}),
    ...(o.duration !== undefined ? { duration: o.duration } : {}),
  });
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const core = kc.makeApiClient(CoreV1Api);
  await objects.create(configMap);
  try {
    await objects.create(job);
    process.stderr.write(`faultline: k6 Job ${namespace}/${job.metadata.name} created\n`);
    const podName = await poll(async () => {
      const pods = await core.listNamespacedPod({
        namespace,
        labelSelector: `job-name=${job.metadata.name}`,
      });
      const pod = pods.items[0];
      const phase = pod?.status?.phase;
      return pod && phase && phase !== 'Pending' ? pod.metadata!.name! : undefined;
    }, 'the k6 pod to start');
    // k6 prints its progress and end summary on stdout: that is the summary we show.
    await new Log(kc).log(namespace, podName, 'k6', process.stdout, { follow: true });
    return await poll(async () => {
      const pod = await core.readNamespacedPod({ name: podName, namespace });
      const status = pod.status?.containerStatuses?.find((c) => c.name === 'k6');
      return status?.state?.terminated?.exitCode;
    }, 'the k6 container to end');
  } finally {
    await core
      .deleteNamespacedConfigMap({ name: configMap.metadata.name, namespace })
      .catch(() => undefined);
  }
}

/** Polls every second until `read` gives a value; no deadline (k6's own duration bounds it). */
async function poll<T>(read: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; ; i++) {
    const v = await read();
    if (v !== undefined) return v;
    if (i % 30 === 29) process.stderr.write(`faultline: still waiting for ${what}\n`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}
