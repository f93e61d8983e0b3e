/**
 * The zod journal schema has every field of the `Journal` type in `journal.ts`, with the same
 * optionality, at every depth. The compile-time check in journal-schema.ts catches renamed,
 * retyped and new required fields; this test catches what it cannot: an optional field added to
 * journal.ts (the runner's way to grow the journal) that the schema, and so the committed JSON
 * Schema and `parseJournal`, would silently drop. It walks the TypeScript types with the
 * compiler's own type checker.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { z } from 'zod';
import { journalSchema } from '../src/gameday/journal-schema.js';

const JOURNAL_TS = fileURLToPath(new URL('../../src/gameday/journal.ts', import.meta.url));

interface ZodDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
}
const def = (s: z.ZodType) => (s as unknown as { _zod: { def: ZodDef } })._zod.def;

/** Strips optional/nullable/default wrappers; says whether `optional` was one of them. */
function unwrap(s: z.ZodType): { schema: z.ZodType; optional: boolean } {
  let optional = false;
  let cur = s;
  for (;;) {
    const d = def(cur);
    if (!['optional', 'nullable', 'default'].includes(d.type) || !d.innerType) break;
    if (d.type === 'optional') optional = true;
    cur = d.innerType;
  }
  return { schema: cur, optional };
}

/** Field-by-field differences between a TypeScript type and a zod schema. */
function differences(
  checker: ts.TypeChecker,
  type: ts.Type,
  schema: z.ZodType,
  path: string,
  out: string[],
): void {
  const nonNull = type.isUnion()
    ? type.types.filter((t) => !(t.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined)))
    : [type];
  if (nonNull.length !== 1) return; // unions of literals/primitives: the compile-time check's job
  const t = nonNull[0]!;
  const d = def(schema);
  if (checker.isArrayType(t)) {
    const element = checker.getTypeArguments(t as ts.TypeReference)[0];
    if (d.type !== 'array' || !d.element)
      return void out.push(`${path}: array in journal.ts, ${d.type} in the schema`);
    if (element) differences(checker, element, unwrap(d.element).schema, `${path}[]`, out);
    return;
  }
  if (!(t.flags & ts.TypeFlags.Object) || checker.getIndexInfosOfType(t).length > 0) return;
  // A record over an enum (Partial<Record<Phase, ...>>): its keys are the compile-time check's.
  if (d.type === 'record') return;
  if (d.type !== 'object' || !d.shape)
    return void out.push(`${path}: object in journal.ts, ${d.type} in the schema`);
  const shape = d.shape;
  const props = checker.getPropertiesOfType(t);
  for (const p of props) {
    const at = path ? `${path}.${p.name}` : p.name;
    const field = shape[p.name];
    if (!field) {
      out.push(`${at}: in journal.ts, missing from journal-schema.ts`);
      continue;
    }
    const optional = (p.flags & ts.SymbolFlags.Optional) !== 0;
    const inner = unwrap(field);
    if (optional !== inner.optional)
      out.push(`${at}: ${optional ? 'optional' : 'required'} in journal.ts, not in the schema`);
    differences(checker, checker.getTypeOfSymbol(p), inner.schema, at, out);
  }
  for (const key of Object.keys(shape))
    if (!props.some((p) => p.name === key))
      out.push(`${path ? `${path}.` : ''}${key}: in the schema, not in journal.ts`);
}

function journalDifferences(source: string): string[] {
  const host = ts.createCompilerHost({ strict: true, noEmit: true });
  const read = host.readFile.bind(host);
  host.readFile = (f) => (f === JOURNAL_TS ? source : read(f));
  const program = ts.createProgram([JOURNAL_TS], { strict: true, noEmit: true, types: [] }, host);
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(JOURNAL_TS);
  assert.ok(file, JOURNAL_TS);
  const journal = checker
    .getExportsOfModule(checker.getSymbolAtLocation(file)!)
    .find((s) => s.name === 'Journal');
  assert.ok(journal, 'journal.ts exports Journal');
  const out: string[] = [];
  differences(checker, checker.getDeclaredTypeOfSymbol(journal), journalSchema, '', out);
  return out;
}

test('the zod journal schema has every field of journal.ts, optional where it is optional', () => {
  const source = ts.sys.readFile(JOURNAL_TS);
  assert.ok(source);
  assert.deepEqual(journalDifferences(source), []);
});

test('negative control: an optional field added to journal.ts only is reported by path', () => {
  const source = ts.sys.readFile(JOURNAL_TS) ?? '';
  const grown = source.replace(
    'export interface WitnessEvent {',
    'export interface WitnessEvent {\n  /** Added by a newer runner. */\n  replica?: string;',
  );
  assert.notEqual(grown, source);
  assert.deepEqual(journalDifferences(grown), [
    'checkers[].witness.events[].replica: in journal.ts, missing from journal-schema.ts',
  ]);
});
