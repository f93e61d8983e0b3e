/**
 * Loads a game-day file: the schema (positioned problems, as for experiments), then what only
 * the file system and `slos/` can tell — the SLOs named exist, the experiment files load and
 * their durations fit the chaos phase — with every problem at its YAML path. `--phase-scale`
 * shortens every duration and offset (tests use it; files keep realistic minutes).
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  parseSpecText,
  unreadableFileProblem,
  type SpecProblem,
} from '@faultline/kit/spec-problems';
import { isExperimentSpecError, loadExperiment } from '../experiment/load.js';
import { ExperimentSpecError } from '../experiment/load.js';
import { EXPERIMENT_API_VERSION, EXPERIMENT_KIND, experimentSchema } from '../experiment/spec.js';
import type { Experiment } from '../experiment/spec.js';
import { gameDaySchema } from './spec.js';
import type { GameDay } from './spec.js';

/** One scheduled experiment, loaded, with its effective (scaled) times. */
export interface ScheduledExperiment {
  index: number;
  experiment: Experiment;
  /** The experiment file (absolute), or `inline`. */
  source: string;
  startOffsetMs: number;
  durationMs: number;
}

export interface LoadedGameDay {
  file: string;
  gameDay: GameDay;
  schedule: ScheduledExperiment[];
  phaseScale: number;
}

/** Reads, validates and scales a game day; throws {@link ExperimentSpecError} listing every problem. */
export async function loadGameDay(
  file: string,
  o: { sloIds: readonly string[]; phaseScale?: number },
): Promise<LoadedGameDay> {
  const scale = o.phaseScale ?? 1;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ExperimentSpecError(file, [unreadableFileProblem(file, e)]);
  }
  const r = parseSpecText(text, file, gameDaySchema);
  if (!r.ok) throw new ExperimentSpecError(file, r.problems);
  const gameDay = r.value;
  const spec = gameDay.spec;
  const problems: SpecProblem[] = [];
  for (const [i, id] of spec.hypothesis.slos.entries())
    if (!o.sloIds.includes(id))
      problems.push(
        r.locate(
          ['spec', 'hypothesis', 'slos', i],
          `no SLO ${JSON.stringify(id)} in slos/; allowed: ${o.sloIds.join(', ')}`,
        ),
      );
  // Said here rather than run with another generator than the file asks for.
  if (spec.load.runner === 'k6')
    problems.push(
      r.locate(
        ['spec', 'load', 'runner'],
        "k6 does not drive game days yet: they need every request's outcome (the booking-history checker reads them), which the embedded generator records; allowed: auto, embedded (auto runs the embedded generator)",
      ),
    );
  const schedule: ScheduledExperiment[] = [];
  for (const [i, item] of spec.schedule.entries()) {
    let experiment: Experiment | undefined;
    let source = 'inline';
    if (item.experiment !== undefined) {
      source = resolve(dirname(file), item.experiment);
      try {
        experiment = await loadExperiment(source);
      } catch (e) {
        if (!isExperimentSpecError(e)) throw e;
        const reading = e.problems.length === 1 && e.problems[0]!.message.startsWith('cannot read');
        problems.push(
          r.locate(
            ['spec', 'schedule', i, 'experiment'],
            reading
              ? `${e.problems[0]!.message}: ${source}`
              : `the experiment file is invalid:\n  ${e.message.split('\n').slice(1).join('\n  ')}`,
          ),
        );
        continue;
      }
    } else {
      // The schema already checked the inline spec; this fills its defaults.
      const parsed = experimentSchema().safeParse({
        apiVersion: EXPERIMENT_API_VERSION,
        kind: EXPERIMENT_KIND,
        metadata: item.inline!.metadata,
        spec: item.inline!.spec,
      });
      if (!parsed.success) continue;
      experiment = parsed.data;
    }
    const durationMs = item.duration ?? experiment.spec.duration;
    if (item.at + durationMs > spec.phases.chaos)
      problems.push(
        r.locate(
          ['spec', 'schedule', i, item.duration === undefined ? 'at' : 'duration'],
          `runs past the chaos phase (starts at ${item.at} ms, lasts ${durationMs} ms, the phase is ${spec.phases.chaos} ms); allowed: at + duration <= phases.chaos`,
        ),
      );
    schedule.push({
      index: i,
      experiment: scaleExperiment(experiment, scale, durationMs),
      source,
      startOffsetMs: Math.round(item.at * scale),
      durationMs: Math.max(1, Math.round(durationMs * scale)),
    });
  }
  if (problems.length > 0) throw new ExperimentSpecError(file, problems);
  return { file, gameDay: scaleGameDay(gameDay, scale), schedule, phaseScale: scale };
}

function scaleGameDay(g: GameDay, scale: number): GameDay {
  if (scale === 1) return g;
  const s = (ms: number) => Math.max(1, Math.round(ms * scale));
  const p = g.spec.phases;
  return {
    ...g,
    spec: {
      ...g.spec,
      phases: { baseline: s(p.baseline), chaos: s(p.chaos), recovery: s(p.recovery) },
      abort: {
        ...g.spec.abort,
        when: g.spec.abort.when.map((c) => ({ ...c, ...(c.for ? { for: s(c.for) } : {}) })),
      },
    },
  };
}

function scaleExperiment(e: Experiment, scale: number, durationMs: number): Experiment {
  const s = (ms: number) => Math.max(1, Math.round(ms * scale));
  const spec = { ...e.spec, duration: s(durationMs) };
  if (e.spec.repeat) spec.repeat = { ...e.spec.repeat, interval: s(e.spec.repeat.interval) };
  return { ...e, spec };
}
