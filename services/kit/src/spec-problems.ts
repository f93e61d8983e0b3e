/**
 * Problems in YAML spec files (experiments, game days, SLOs, load scenarios), positioned at the
 * YAML node they concern: `FILE:LINE:COL: spec.fault.latencyMs: what is wrong; allowed: ...`.
 * Every problem is reported at once. Unknown fields point at the unknown key; missing fields at
 * their parent's key. Each loader keeps its own error class; the wording and positions are here.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import type { z } from 'zod';

/** One thing wrong with a spec file, positioned (1-based) in that file. */
export interface SpecProblem {
  file: string;
  line: number;
  column: number;
  /** YAML path such as `spec.fault.latencyMs` or `journey.2.op`; `` for the document. */
  path: string;
  /** What is wrong, usually ending in `; allowed: ...`. */
  message: string;
}

/** A path into a YAML document: mapping keys and list indexes. */
export type YamlPath = readonly (string | number)[];

/** Positions a problem found after parsing at a YAML path of the same document. */
export type Locate = (path: YamlPath, message: string) => SpecProblem;

/** `FILE:LINE:COL: path: message`, the shape editors and terminals link to. */
export function formatSpecProblem(p: SpecProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.path === '' ? '(document)' : p.path}: ${p.message}`;
}

/** The one problem of a file that cannot be read at all. */
export function unreadableFileProblem(file: string, e: unknown): SpecProblem {
  const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
  return { file, line: 1, column: 1, path: '', message: `cannot read the file (${reason})` };
}

/** What a kind of file words differently from the common wording. */
export interface SpecWording {
  /** Tried before the common wording, for issues only this kind of file has. */
  issue?: (iss: z.core.$ZodRawIssue) => string | undefined;
  /** The message for an unknown key in the mapping at `parent`; default: the issue's message. */
  unknownField?: (parent: YamlPath, issue: z.core.$ZodIssue) => string;
  /** Rewrites the message of every other issue, given the input found at its path. */
  message?: (issue: z.core.$ZodIssue, input: unknown) => string;
}

export type SpecParseResult<T> =
  { ok: true; value: T; locate: Locate } | { ok: false; problems: SpecProblem[] };

/**
 * Validates YAML text against a zod schema; `file` only labels problems. `locate` positions
 * problems found after parsing (cross-file checks). Never throws for bad input.
 */
export function parseSpecText<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
  wording: SpecWording = {},
): SpecParseResult<z.output<S>> {
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
  const value: unknown = doc.toJS() ?? {};
  const own = wording.issue;
  const result = schema.safeParse(value, {
    error: own ? (iss) => own(iss) ?? describeIssue(iss) : describeIssue,
  });
  const locate: Locate = (path, message) =>
    problemAt(doc.contents, lineCounter, file, path, message);
  if (result.success) return { ok: true, value: result.data, locate };

  const problems: SpecProblem[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    if (issue.code === 'unrecognized_keys') {
      const message = wording.unknownField?.(path, issue) ?? issue.message;
      for (const key of issue.keys)
        problems.push(problemAt(doc.contents, lineCounter, file, [...path, key], message, true));
    } else {
      const message = wording.message?.(issue, valueAt(value, path)) ?? issue.message;
      problems.push(locate(path, message));
    }
  }
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  return { ok: false, problems };
}

/** The message without yaml's code excerpt and position (we report the position ourselves). */
function firstLine(s: string): string {
  return (s.split('\n')[0] ?? s).replace(/ at line \d+, column \d+:?$/, '');
}

function valueAt(value: unknown, path: YamlPath): unknown {
  let v = value;
  for (const seg of path)
    v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[seg] : undefined;
  return v;
}

/**
 * Positions a problem: the node at `path` if it exists (a scalar value itself, a collection or
 * an unknown key (`atKey`) at its key), else the key of the deepest ancestor that exists.
 */
function problemAt(
  root: YamlNode | null,
  lc: LineCounter,
  file: string,
  path: YamlPath,
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
 * The common wording for zod's generic issues (schema-level messages win over this): what was
 * found and what is allowed.
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
