/**
 * Loads `slos/*.yaml` (one SLO per file) and validates each against the format in spec.ts.
 * Every problem in every file is reported at once, positioned at the YAML node it concerns:
 * `FILE:LINE:COL: spec.indicator.latency.thresholdSeconds: …; allowed: …`. Unknown fields point
 * at the unknown key and list the allowed ones; missing fields point at their parent's key.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseSpecText, type SpecProblem, type YamlPath } from '@faultline/kit/spec-problems';
import { z } from 'zod';
import { packageRoot } from './paths.js';
import { SloSpecError } from './problems.js';
import { sloId, type Slo, type SliSpec } from './slo.js';
import { sloFileSchema, type SloFile } from './spec.js';

export type SloParseResult = { ok: true; slo: Slo } | { ok: false; problems: SpecProblem[] };

/** Validates one SLO file's text; `file` labels problems and becomes `Slo.file`. Never throws. */
export function parseSloText(text: string, file: string): SloParseResult {
  const r = parseSpecText(text, file, sloFileSchema, {
    unknownField: (parent) =>
      `unknown field; allowed: ${allowedKeys(sloFileSchema, parent).join(', ')}`,
  });
  return r.ok ? { ok: true, slo: toSlo(r.value, file) } : r;
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
  const problems: SpecProblem[] = [];
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
function allowedKeys(schema: z.ZodType, path: YamlPath): string[] {
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
