/**
 * Problems in SLO files, positioned at the YAML node they concern (`FILE:LINE:COL: path:
 * message; allowed: …`), the same shape the experiment spec loader reports in chaos/.
 */
import { isMap, isPair, isScalar, isSeq, type LineCounter } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import type { z } from 'zod';

/** One thing wrong with an SLO file, positioned (1-based) in that file. */
export interface SloProblem {
  file: string;
  line: number;
  column: number;
  /** YAML path such as `spec.indicator.latency.thresholdSeconds`; `` for the document. */
  path: string;
  /** What is wrong, usually ending in `; allowed: …`. */
  message: string;
}

/** `FILE:LINE:COL: path: message`, the shape editors and terminals link to. */
export function formatSloProblem(p: SloProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.path === '' ? '(document)' : p.path}: ${p.message}`;
}

const SLO_SPEC_ERROR = Symbol.for('faultline.SloSpecError');

/** SLO files that cannot be used, with every problem found in all of them. */
export class SloSpecError extends Error {
  readonly [SLO_SPEC_ERROR] = true;
  constructor(readonly problems: readonly SloProblem[]) {
    super(
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in SLO files:\n` +
        problems.map(formatSloProblem).join('\n'),
    );
    this.name = 'SloSpecError';
  }
}

/** Brand guard (works across package copies, unlike instanceof). */
export function isSloSpecError(e: unknown): e is SloSpecError {
  return typeof e === 'object' && e !== null && SLO_SPEC_ERROR in e;
}

/**
 * Positions a problem: the node at `path` if it exists (a scalar value itself, a collection or
 * an unknown key (`atKey`) at its key), else the key of the deepest ancestor that exists.
 */
export function problemAt(
  root: YamlNode | null,
  lc: LineCounter,
  file: string,
  path: readonly (string | number)[],
  message: string,
  atKey = false,
): SloProblem {
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

/** Wording for zod's generic issues (schema-level messages win): what was found, what is allowed. */
export function describeIssue(iss: z.core.$ZodRawIssue): string | undefined {
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
      if (iss.origin === 'array') return `expected at most ${String(iss.maximum)} item(s)`;
      if (iss.origin === 'string') return `longer than ${String(iss.maximum)} characters`;
      return `${String(iss.input)} is too big; allowed: ${iss.inclusive ? '<=' : '<'} ${String(iss.maximum)}`;
    }
    case 'invalid_value':
      return `got ${JSON.stringify(iss.input)}; allowed: ${iss.values.map((v) => String(v)).join(', ')}`;
    default:
      return undefined;
  }
}
