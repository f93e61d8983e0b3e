/**
 * Loads a scenario YAML file and validates it. Every problem is reported at once, positioned at
 * the YAML node it concerns (`FILE:LINE:COL: journey.0.weight: ...`); unknown fields point at
 * the unknown key, missing ones at their parent's key.
 */
import { readFileSync } from 'node:fs';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { OPERATION_NAMES } from './operations.js';
import { scenarioSchema, type Scenario } from './scenario-schema.js';

const OPS: readonly string[] = OPERATION_NAMES;
const isKnownOp = (op: string) => OPS.includes(op);

/** One thing wrong with a scenario file, positioned (1-based). */
export interface ScenarioProblem {
  file: string;
  line: number;
  column: number;
  /** YAML path such as `arrival.rate` or `journey.2.op`; `` for the document. */
  path: string;
  message: string;
}

export function formatProblem(p: ScenarioProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.path === '' ? '(document)' : p.path}: ${p.message}`;
}

const BRAND = Symbol.for('faultline.ScenarioSpecError');

/** A scenario that cannot be used, with every problem found. */
export class ScenarioSpecError extends Error {
  readonly [BRAND] = true;
  constructor(
    readonly file: string,
    readonly problems: readonly ScenarioProblem[],
  ) {
    super(
      `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
        problems.map(formatProblem).join('\n'),
    );
    this.name = 'ScenarioSpecError';
  }
}

/** Brand guard (works across package copies, unlike instanceof). */
export function isScenarioSpecError(e: unknown): e is ScenarioSpecError {
  return typeof e === 'object' && e !== null && BRAND in e;
}

export type ScenarioParseResult =
  { ok: true; scenario: Scenario } | { ok: false; problems: ScenarioProblem[] };

/** Validates YAML text; `file` only labels problems. Never throws for bad input. */
export function parseScenarioText(text: string, file: string): ScenarioParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const at = e.linePos?.[0] ?? { line: 1, col: 1 };
        const message = (e.message.split('\n')[0] ?? e.message).replace(
          / at line \d+, column \d+:?$/,
          '',
        );
        return {
          file,
          line: at.line,
          column: at.col,
          path: '',
          message: `YAML syntax error: ${message}`,
        };
      }),
    };
  }
  const value: unknown = doc.toJS() ?? {};
  const result = scenarioSchema.safeParse(value, { error: describeIssue });
  if (result.success) return { ok: true, scenario: result.data };
  const problems: ScenarioProblem[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        problems.push(
          problemAt(doc.contents, lineCounter, file, [...path, key], `unknown field`, true),
        );
    } else {
      problems.push(
        problemAt(doc.contents, lineCounter, file, path, reword(issue.message, at(value, path))),
      );
    }
  }
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  return { ok: false, problems };
}

/** Reads and validates a scenario file; throws {@link ScenarioSpecError} listing every problem. */
export function loadScenarioFile(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new ScenarioSpecError(file, [
      { file, line: 1, column: 1, path: '', message: `cannot read the file (${reason})` },
    ]);
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

function at(value: unknown, path: readonly (string | number)[]): unknown {
  let v = value;
  for (const seg of path)
    v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[seg] : undefined;
  return v;
}

/** The node at `path` if it exists (a scalar at itself, else at its key), else its deepest ancestor. */
function problemAt(
  root: YamlNode | null,
  lc: LineCounter,
  file: string,
  path: readonly (string | number)[],
  message: string,
  atKey = false,
): ScenarioProblem {
  let node: unknown = root;
  let offset = root?.range?.[0] ?? 0;
  for (const [i, seg] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
      );
      if (!pair) break;
      offset = (pair.key as YamlNode).range?.[0] ?? offset;
      node = pair.value;
      if (!atKey && i === path.length - 1 && isScalar(node) && node.range) offset = node.range[0];
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as YamlNode | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  const pos = lc.linePos(offset);
  return { file, line: pos.line, column: pos.col, path: path.join('.'), message };
}

const EXPECTED: Record<string, string> = {
  int: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
};

function kindOf(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  return typeof input === 'string'
    ? `the string ${JSON.stringify(input)}`
    : `${typeof input} ${JSON.stringify(input) ?? ''}`;
}

/** Wording for zod's generic issues: what was found and what is allowed. */
function describeIssue(iss: z.core.$ZodRawIssue): string | undefined {
  switch (iss.code) {
    case 'invalid_type': {
      const expected = EXPECTED[iss.expected] ?? iss.expected;
      return iss.input === undefined
        ? `required; allowed: ${expected}`
        : `expected ${expected}, got ${kindOf(iss.input)}`;
    }
    case 'too_small':
      if (iss.origin === 'array') return `expected at least ${String(iss.minimum)} item(s)`;
      if (iss.origin === 'string') return 'must not be empty';
      return `${String(iss.input)} is too small; allowed: ${iss.inclusive ? '>=' : '>'} ${String(iss.minimum)}`;
    case 'too_big':
      return `${String(iss.input)} is too big; allowed: ${iss.inclusive ? '<=' : '<'} ${String(iss.maximum)}`;
    case 'invalid_value':
      return `got ${JSON.stringify(iss.input)}; allowed: ${iss.values.map((v) => String(v)).join(', ')}`;
    case 'invalid_union': {
      // A journey step: name the allowed operations rather than two nested schema failures.
      const op = (iss.input as { op?: unknown } | undefined)?.op;
      if (op !== undefined && typeof op === 'string' && !isKnownOp(op))
        return `unknown op ${JSON.stringify(op)}; allowed: ${OPS.join(', ')}`;
      return undefined;
    }
    default:
      return undefined;
  }
}
