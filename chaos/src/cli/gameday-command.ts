/**
 * `faultline gameday run FILE`: one game day on the running playground — preflight, load,
 * baseline, the chaos schedule through the experiment engine, recovery, checkers, a verdict
 * and the reports (journal.json, report.md, junit.xml, report.html) in `--out`. Exit codes:
 * 0 pass, 1 fail, 2 bad spec or refused, 3 aborted, 4 inconclusive or harness error.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadSlos } from '@faultline/slos/load';
import type { Slo } from '@faultline/slos/slo';
import { isExperimentSpecError } from '../experiment/load.js';
import { loadGameDay } from '../gameday/load-gameday.js';
import { KubernetesGameDayPlatform } from '../gameday/kubernetes-platform.js';
import { LocalGameDayPlatform } from '../gameday/local-platform.js';
import type { GameDayPlatform } from '../gameday/platform.js';
import { writeReports } from '../gameday/reports.js';
import { runGameDay } from '../gameday/run-gameday.js';
import { gameDaySummary } from '../gameday/summary.js';
import { stateDirOf } from './local-commands.js';
import { fail, progress } from './output.js';
import { grafanaOption } from './grafana-option.js';
import { hostPortMappings, hostUrl, kindConfigFile } from './kind-pins.js';
import type { HostPortMapping } from './kind-pins.js';
import { kubernetesOptions } from './kubernetes-options.js';
import { openKubernetesDriver, type KubernetesCliOptions } from './kubernetes-platform.js';

export interface GameDayRunOptions extends KubernetesCliOptions {
  platform: string;
  out?: string;
  phaseScale?: string;
  stateDir?: string;
  config?: string;
  renewInterval?: string;
  gatewayUrl?: string;
  prometheusUrl?: string;
  redisUrl?: string;
  jaegerUrl?: string;
}

export function registerGameDayCommand(program: Command): void {
  const gameday = program
    .command('gameday')
    .description('SLO game days: hypothesis, load, chaos schedule, checkers, verdict');
  const run = gameday
    .command('run')
    .argument('<file>', 'game-day YAML (gamedays/*.yaml)')
    .description(
      'run a game day and write its verdict and reports; exit 0 pass, 1 fail, 2 refused, 3 aborted, 4 inconclusive',
    )
    .option('--platform <name>', 'local | kubernetes', 'local')
    .option('--out <dir>', 'where the reports go (default <stateDir>/gamedays/<name>-<time>)')
    .option(
      '--phase-scale <f>',
      'multiply every phase, offset and fault duration by F (0 < F <= 1; tests use 0.2)',
      '1',
    )
    .option('--renew-interval <ms>', 'how often agent faults are renewed (their TTL is 3x)')
    .option('--state-dir <dir>', 'state directory of the playground (default .state/local)')
    .option('-c, --config <file>', 'playground config (for its stateDir)')
    .option('--gateway-url <url>', 'kubernetes: the gateway (default: its kind host port)')
    .option('--prometheus-url <url>', 'kubernetes: Prometheus (default: its kind host port)')
    .option(
      '--redis-url <url>',
      "kubernetes: booking's Redis, read by the ledger checkers (default: its kind host port)",
    )
    .option('--jaeger-url <url>', 'kubernetes: Jaeger (default: its kind host port)');
  kubernetesOptions(run).action(gameDayRun);
}

export async function gameDayRun(file: string, o: GameDayRunOptions): Promise<void> {
  const scale = Number(o.phaseScale ?? '1');
  if (!(Number.isFinite(scale) && scale > 0 && scale <= 1))
    fail(`--phase-scale ${o.phaseScale}: expected a number with 0 < F <= 1, such as 0.2`, 2);
  if (o.platform !== 'local' && o.platform !== 'kubernetes')
    fail(`unknown platform ${o.platform}; allowed: local, kubernetes`, 2);
  let slos: Slo[];
  try {
    slos = loadSlos();
  } catch (e) {
    return fail(`cannot load the SLOs: ${(e as Error).message}`, 2);
  }
  const ids = slos.map((s) => `${s.service}-${s.name}`);
  const loaded = await loadGameDay(resolve(file), { sloIds: ids, phaseScale: scale }).catch(
    (e: unknown) => {
      if (isExperimentSpecError(e)) return fail(`invalid game day\n${e.message}`, 2);
      throw e;
    },
  );
  const stateDir = stateDirOf(o);
  let platform: GameDayPlatform;
  try {
    platform =
      o.platform === 'kubernetes'
        ? await openKubernetesGameDay(o)
        : new LocalGameDayPlatform(stateDir);
  } catch (e) {
    return fail((e as Error).message, 2);
  }
  const outDir = resolve(
    o.out ??
      resolve(
        stateDir,
        'gamedays',
        `${loaded.gameDay.metadata.name}-${new Date().toISOString().replace(/[:.]/g, '-')}`,
      ),
  );
  mkdirSync(outDir, { recursive: true });
  const stop = new AbortController();
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => stop.abort(sig));
  const hypothesis = slos.filter((s) =>
    loaded.gameDay.spec.hypothesis.slos.includes(`${s.service}-${s.name}`),
  );
  progress(
    `game day ${loaded.gameDay.metadata.name} on ${platform.name}${scale === 1 ? '' : ` (phases ×${scale})`}: ${loaded.gameDay.spec.hypothesis.statement}`,
  );
  let journal;
  try {
    journal = await runGameDay({
      platform,
      loaded,
      slos: hypothesis,
      outDir,
      say: progress,
      signal: stop.signal,
      ...(o.renewInterval ? { renewIntervalMs: Number(o.renewInterval) } : {}),
      ...grafanaOption(),
    });
  } finally {
    // Even when the runner throws: the kubernetes forwarder would keep the CLI alive.
    await platform.close?.();
  }
  const files = await writeReports(journal, outDir);
  process.stdout.write(`\n${gameDaySummary(journal, { ...files })}\n`);
  process.exitCode = journal.exitCode;
}

/**
 * The kind playground (or any cluster, with the URL flags): the driver as `chaos run` opens it
 * (the game day's namespace from `--namespace`, else the playground's), the gateway, Prometheus,
 * Redis and Jaeger at the kind config's host ports unless given.
 */
async function openKubernetesGameDay(o: GameDayRunOptions): Promise<GameDayPlatform> {
  const k = await openKubernetesDriver(undefined, o, process.env);
  progress(`kubernetes: context ${k.context}, namespace ${k.namespace}`);
  const config = kindConfigFile(process.env);
  // Read once, and only when a URL flag is missing (with all four given, no kind config is needed).
  let mappings: HostPortMapping[] | undefined;
  const url = (flag: string | undefined, service: string, scheme: 'http' | 'redis') =>
    flag ?? hostUrl(service, scheme, (mappings ??= hostPortMappings(config)));
  const gatewayUrl = url(o.gatewayUrl, 'gateway', 'http');
  const prometheusUrl = url(o.prometheusUrl, 'prometheus', 'http');
  if (!gatewayUrl || !prometheusUrl)
    throw new Error(
      `${config} publishes no host port for the ${gatewayUrl ? 'prometheus' : 'gateway'} Service: give --${gatewayUrl ? 'prometheus' : 'gateway'}-url`,
    );
  const redisUrl = url(o.redisUrl, 'redis', 'redis');
  const jaegerUrl = url(o.jaegerUrl, 'jaeger', 'http');
  return KubernetesGameDayPlatform.open({
    driver: k.driver,
    apis: k.apis,
    kubeConfig: k.kubeConfig,
    namespace: k.namespace,
    gatewayUrl,
    prometheusUrl,
    ...(redisUrl ? { redisUrl } : {}),
    ...(jaegerUrl ? { jaegerUrl } : {}),
  });
}
