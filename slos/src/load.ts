/**
 * Loads `slos/*.yaml` (one SLO per file) and validates each against the format in spec.ts.
 * Every problem in every file is reported at once, positioned at the YAML node it concerns:
 * `FILE:LINE:COL: spec.indicator.latency.thresholdSeconds: …; allowed: …`. Unknown fields point
 * at the unknown key and list the allowed ones; missing fields point at their parent's key.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { packageRoot } from './paths.js';
import { describeIssue, problemAt, SloSpecError, type SloProblem } from './problems.js';
import { sloId, type Slo, type SliSpec } from './slo.js';
import { sloFileSchema, type SloFile } from './spec.js';

export type SloParseResult = { ok: true; slo: Slo } | { ok: false; problems: SloProblem[] };

/** Validates one SLO file's text; `file` labels problems and becomes `Slo.file`. Never throws. */
export function parseSloText(text: string, file: string): SloParseResult {
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
  const result = sloFileSchema.safeParse(doc.toJS() ?? {}, { error: describeIssue });
  if (result.success) return { ok: true, slo: toSlo(result.data, file) };

  const problems: SloProblem[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeys(sloFileSchema, path);
      for (const key of issue.keys)
        problems.push(
          problemAt(
            doc.contents,
            lineCounter,
            file,
            [...path, key],
            `unknown field; allowed: ${allowed.join(', ')}`,
            true,
          ),
        );
    } else {
      problems.push(problemAt(doc.contents, lineCounter, file, path, issue.message));
    }
  }
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  return { ok: false, problems };
}

/**
 * Every SLO in `dir` (default: the slos workspace), sorted by file name. Throws
 * {@link SloSpecError} listing every problem of every file, and when two files define the same
 * `<service>-<name>`.
 */
export function loadSlos(dir: string = packageRoot): Slo[] {
  const root = resolve(dir);
  const files = readdirSync(root)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort();
  const slos: Slo[] = [];
  const problems: SloProblem[] = [];
  const seen = new Map<string, string>();
  for (const name of files) {
    const file = join(root, name);
    const r = parseSloText(readFileSync(file, 'utf8'), file);
    if (!r.ok) {
      problems.push(...r.problems);
      continue;
    }
    const id = sloId(r.slo);
    const first = seen.get(id);
    if (first !== undefined) {
      problems.push({
        file,
        line: 1,
        column: 1,
        path: 'metadata.name',
        message: `SLO ${id} is already defined in ${first}; allowed: one file per service and name`,
      });
      continue;
    }
    seen.set(id, file);
    slos.push(r.slo);
  }
  if (problems.length > 0) throw new SloSpecError(problems);
  return slos;
}

function toSlo(f: SloFile, file: string): Slo {
  const i = f.spec.indicator;
  const sli: SliSpec = i.availability
    ? { kind: 'availability', ...i.availability }
    : i.latency
      ? { kind: 'latency', ...i.latency }
      : { kind: 'ratio', ...i.ratio! };
  return {
    name: f.metadata.name,
    service: f.spec.service,
    description: f.spec.description,
    objective: f.spec.objectives[0]!.target,
    window: f.spec.timeWindow[0]!.duration,
    sli,
    file,
  };
}

/** The keys a strict object at `path` of `schema` allows (for "unknown field" messages). */
function allowedKeys(schema: z.ZodType, path: readonly (string | number)[]): string[] {
  let node: z.ZodType | undefined = schema;
  for (const seg of path) {
    node = unwrap(node);
    if (node instanceof z.ZodObject) node = (node.shape as Record<string, z.ZodType>)[seg];
    else if (node instanceof z.ZodArray) node = node.element as z.ZodType;
    else return [];
  }
  node = unwrap(node);
  return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
}

function unwrap(node: z.ZodType | undefined): z.ZodType | undefined {
  while (node instanceof z.ZodOptional) node = node.unwrap() as z.ZodType;
  return node;
}

/** The message without yaml's code excerpt and position (we report the position ourselves). */
function firstLine(s: string): string {
  return (s.split('\n')[0] ?? s).replace(/ at line \d+, column \d+:?$/, '');
}
