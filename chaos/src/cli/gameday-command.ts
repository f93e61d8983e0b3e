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
import { LocalGameDayPlatform } from '../gameday/local-platform.js';
import { writeReports } from '../gameday/reports.js';
import { runGameDay } from '../gameday/run-gameday.js';
import { gameDaySummary } from '../gameday/summary.js';
import { stateDirOf } from './local-commands.js';
import { fail, progress } from './output.js';
import { grafanaOption } from './grafana-option.js';

export interface GameDayRunOptions {
  platform: string;
  out?: string;
  phaseScale?: string;
  stateDir?: string;
  config?: string;
  renewInterval?: string;
}

export function registerGameDayCommand(program: Command): void {
  const gameday = program
    .command('gameday')
    .description('SLO game days: hypothesis, load, chaos schedule, checkers, verdict');
  gameday
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
    .action(gameDayRun);
}

export async function gameDayRun(file: string, o: GameDayRunOptions): Promise<void> {
  const scale = Number(o.phaseScale ?? '1');
  if (!(Number.isFinite(scale) && scale > 0 && scale <= 1))
    fail(`--phase-scale ${o.phaseScale}: expected a number with 0 < F <= 1, such as 0.2`, 2);
  if (o.platform !== 'local')
    fail(
      o.platform === 'kubernetes'
        ? 'gameday run --platform kubernetes is not available yet (it needs a kind cluster with load as a Job); use --platform local'
        : `unknown platform ${o.platform}; allowed: local, kubernetes`,
      2,
    );
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
  let platform: LocalGameDayPlatform;
  try {
    platform = new LocalGameDayPlatform(stateDir);
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
  const journal = await runGameDay({
    platform,
    loaded,
    slos: hypothesis,
    outDir,
    say: progress,
    signal: stop.signal,
    ...(o.renewInterval ? { renewIntervalMs: Number(o.renewInterval) } : {}),
    ...grafanaOption(),
  });
  const files = await writeReports(journal, outDir);
  process.stdout.write(`\n${gameDaySummary(journal, { ...files })}\n`);
  process.exitCode = journal.exitCode;
}
