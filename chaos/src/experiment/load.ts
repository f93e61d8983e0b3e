/**
 * Loads an experiment YAML file and validates it against the spec. Every problem is reported at
 * once, positioned at the YAML node it concerns: `FILE:LINE:COL: spec.fault.latencyMs: ...;
 * allowed: ...`. Unknown fields point at the unknown key; missing fields at their parent's key.
 */
import { readFile } from 'node:fs/promises';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { experimentSchema } from './spec.js';
import type { Experiment, ExperimentSchemaOptions } from './spec.js';

/** One thing wrong with a spec file, positioned (1-based) in that file. */
export interface SpecProblem {
  file: string;
  line: number;
  column: number;
  /** YAML path such as `spec.fault.latencyMs` or `spec.safety.abortWhen.0.promql`; `` for the document. */
  path: string;
  /** What is wrong, usually ending in `; allowed: ...`. */
  message: string;
}

/** `FILE:LINE:COL: path: message`, the shape editors and terminals link to. */
export function formatSpecProblem(p: SpecProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.path === '' ? '(document)' : p.path}: ${p.message}`;
}

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

/**
 * Validates YAML text against any zod schema with the same positioned problems (game-day specs
 * use it too); `locate` positions further problems found after parsing. Never throws.
 */
export function parseSpecText<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
): { ok: true; value: z.output<S>; locate: Locate } | { ok: false; problems: SpecProblem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const at = e.linePos?.[0] ?? { line: 1, col: 1 };
        return {
          file,
          line: at.line,
          column: at.col,
          path: '',
          message: `YAML syntax error: ${firstLine(e.message)}`,
        };
      }),
    };
  }
  const value: unknown = doc.toJS();
  const result = schema.safeParse(value ?? {}, { error: describeIssue });
  if (result.success)
    return {
      ok: true,
      value: result.data,
      locate: (path, message) => problemAt(doc.contents, lineCounter, file, path, message),
    };

  const problems: SpecProblem[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        problems.push(
          problemAt(doc.contents, lineCounter, file, [...path, key], issue.message, true),
        );
    } else {
      problems.push(problemAt(doc.contents, lineCounter, file, path, issue.message));
    }
  }
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  return { ok: false, problems };
}

/** Positions a problem found after parsing at a YAML path of the same document. */
export type Locate = (path: readonly (string | number)[], message: string) => SpecProblem;

/** Reads and validates an experiment file; throws {@link ExperimentSpecError} listing every problem. */
export async function loadExperiment(
  file: string,
  options: ExperimentSchemaOptions = {},
): Promise<Experiment> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new ExperimentSpecError(file, [
      { file, line: 1, column: 1, path: '', message: `cannot read the file (${reason})` },
    ]);
  }
  const r = parseExperimentText(text, file, options);
  if (!r.ok) throw new ExperimentSpecError(file, r.problems);
  return r.experiment;
}

/** The message without yaml's code excerpt and position (we report the position ourselves). */
function firstLine(s: string): string {
  return (s.split('\n')[0] ?? s).replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * Positions a problem: the node at `path` if it exists (a scalar value itself, a collection or
 * an unknown key (`atKey`) at its key), else the key of the deepest ancestor that exists.
 */
function problemAt(
  root: YamlNode | null,
  lc: LineCounter,
  file: string,
  path: readonly (string | number)[],
  message: string,
  atKey = false,
): SpecProblem {
  let node: unknown = root;
  let offset = root?.range?.[0] ?? 0;
  for (const [i, seg] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
      );
      if (!pair) break;
      const keyNode = pair.key as YamlNode;
      offset = keyNode.range?.[0] ?? offset;
      node = pair.value;
      // A wrong scalar is pointed at itself; anything else at its key.
      if (!atKey && i === path.length - 1 && isScalar(node) && node.range) offset = node.range[0];
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as YamlNode | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
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
  record: 'a mapping',
  array: 'a list',
};

function kindOf(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  if (typeof input === 'string') return `the string ${JSON.stringify(input)}`;
  return `${typeof input} ${JSON.stringify(input) ?? typeof input}`;
}

/**
 * The loader's wording for zod's generic issues (schema-level messages win over this). Says
 * what was found and what is allowed.
 */
function describeIssue(iss: z.core.$ZodRawIssue): string | undefined {
  switch (iss.code) {
    case 'invalid_type': {
      const expected = EXPECTED[iss.expected] ?? iss.expected;
      if (iss.input === undefined) return `required; allowed: ${expected}`;
      return `expected ${expected}, got ${kindOf(iss.input)}`;
    }
    case 'too_small': {
      if (iss.origin === 'array') return `expected at least ${String(iss.minimum)} item(s)`;
      if (iss.origin === 'string') return `must not be empty`;
      return `${String(iss.input)} is too small; allowed: ${iss.inclusive ? '>=' : '>'} ${String(iss.minimum)}`;
    }
    case 'too_big': {
      if (iss.origin === 'string') return `longer than ${String(iss.maximum)} characters`;
      if (iss.origin === 'array') return `expected at most ${String(iss.maximum)} item(s)`;
      return `${String(iss.input)} is too big; allowed: ${iss.inclusive ? '<=' : '<'} ${String(iss.maximum)}`;
    }
    case 'invalid_value':
      return `got ${JSON.stringify(iss.input)}; allowed: ${iss.values.map((v) => String(v)).join(', ')}`;
    case 'invalid_format':
      if (iss.format === 'starts_with')
        return `expected a string starting with ${JSON.stringify((iss as { prefix?: string }).prefix ?? '')}`;
      return undefined;
    case 'invalid_key':
      return iss.issues[0]?.message ?? 'invalid key';
    default:
      return undefined;
  }
}
