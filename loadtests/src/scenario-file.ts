/**
 * Loads a scenario YAML file and validates it. Every problem is reported at once, positioned at
 * the YAML node it concerns (`FILE:LINE:COL: journey.0.weight: ...`, the kit's spec problems);
 * unknown fields point at the unknown key, missing ones at their parent's key.
 */
import { readFileSync } from 'node:fs';
import {
  formatSpecProblem,
  parseSpecText,
  unreadableFileProblem,
  type SpecProblem,
} from '@faultline/kit/spec-problems';
import type { z } from 'zod';
import { OPERATION_NAMES } from './operations.js';
import { scenarioSchema, type Scenario } from './scenario-schema.js';

const OPS: readonly string[] = OPERATION_NAMES;
const isKnownOp = (op: string) => OPS.includes(op);

/** `FILE:LINE:COL: path: message` (the CLI prints problems under this name). */
export const formatProblem = formatSpecProblem;

const BRAND = Symbol.for('faultline.ScenarioSpecError');

/** A scenario that cannot be used, with every problem found. */
export class ScenarioSpecError extends Error {
  readonly [BRAND] = true;
  constructor(
    readonly file: string,
    readonly problems: readonly SpecProblem[],
  ) {
    super(
      `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
        problems.map(formatSpecProblem).join('\n'),
    );
    this.name = 'ScenarioSpecError';
  }
}

/** Brand guard (works across package copies, unlike instanceof). */
export function isScenarioSpecError(e: unknown): e is ScenarioSpecError {
  return typeof e === 'object' && e !== null && BRAND in e;
}

export type ScenarioParseResult =
  { ok: true; scenario: Scenario } | { ok: false; problems: SpecProblem[] };

/** Validates YAML text; `file` only labels problems. Never throws for bad input. */
export function parseScenarioText(text: string, file: string): ScenarioParseResult {
  const r = parseSpecText(text, file, scenarioSchema, {
    issue: describeJourneyStep,
    unknownField: () => 'unknown field',
    message: (issue, input) => reword(issue.message, input),
  });
  return r.ok ? { ok: true, scenario: r.value } : r;
}

/** Reads and validates a scenario file; throws {@link ScenarioSpecError} listing every problem. */
export function loadScenarioFile(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ScenarioSpecError(file, [unreadableFileProblem(file, e)]);
  }
  const r = parseScenarioText(text, file);
  if (!r.ok) throw new ScenarioSpecError(file, r.problems);
  return r.scenario;
}

/** zod's fixed discriminator message, in the loader's words (what was found, what is allowed). */
function reword(message: string, input: unknown): string {
  const m = /^Invalid discriminator value\. Expected (.*)$/.exec(message);
  if (!m) return message;
  const allowed = m[1]!.replace(/'/g, '').split(' | ').join(', ');
  return input === undefined
    ? `required; allowed: ${allowed}`
    : `got ${JSON.stringify(input)}; allowed: ${allowed}`;
}

/** A journey step: name the allowed operations rather than two nested schema failures. */
function describeJourneyStep(iss: z.core.$ZodRawIssue): string | undefined {
  if (iss.code !== 'invalid_union') return undefined;
  const op = (iss.input as { op?: unknown } | undefined)?.op;
  if (op !== undefined && typeof op === 'string' && !isKnownOp(op))
    return `unknown op ${JSON.stringify(op)}; allowed: ${OPS.join(', ')}`;
  return undefined;
}
