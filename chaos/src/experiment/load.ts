/**
 * Loads an experiment YAML file and validates it against the spec. Every problem is reported at
 * once, positioned at the YAML node it concerns (the kit's spec problems): `FILE:LINE:COL:
 * spec.fault.latencyMs: ...; allowed: ...`. Unknown fields point at the unknown key; missing
 * fields at their parent's key.
 */
import { readFile } from 'node:fs/promises';
import {
  formatSpecProblem,
  parseSpecText,
  unreadableFileProblem,
  type SpecProblem,
} from '@faultline/kit/spec-problems';
import { experimentSchema } from './spec.js';
import type { Experiment, ExperimentSchemaOptions } from './spec.js';

const SPEC_ERROR = Symbol.for('faultline.ExperimentSpecError');

/** A spec that cannot be used, with every problem found. */
export class ExperimentSpecError extends Error {
  readonly [SPEC_ERROR] = true;
  constructor(
    readonly file: string,
    readonly problems: readonly SpecProblem[],
  ) {
    super(
      `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
        problems.map(formatSpecProblem).join('\n'),
    );
    this.name = 'ExperimentSpecError';
  }
}

/** Brand guard (works across package copies, unlike instanceof). */
export function isExperimentSpecError(e: unknown): e is ExperimentSpecError {
  return typeof e === 'object' && e !== null && SPEC_ERROR in e;
}

export type ExperimentParseResult =
  { ok: true; experiment: Experiment } | { ok: false; problems: SpecProblem[] };

/** Validates YAML text; `file` is only used to label problems. Never throws for bad input. */
export function parseExperimentText(
  text: string,
  file: string,
  options: ExperimentSchemaOptions = {},
): ExperimentParseResult {
  const r = parseSpecText(text, file, experimentSchema(options));
  return r.ok ? { ok: true, experiment: r.value } : r;
}

/** Reads and validates an experiment file; throws {@link ExperimentSpecError} listing every problem. */
export async function loadExperiment(
  file: string,
  options: ExperimentSchemaOptions = {},
): Promise<Experiment> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ExperimentSpecError(file, [unreadableFileProblem(file, e)]);
  }
  const r = parseExperimentText(text, file, options);
  if (!r.ok) throw new ExperimentSpecError(file, r.problems);
  return r.experiment;
}
