/**
 * The journal schema: the committed JSON Schema equals fresh output from the zod schema
 * (regenerate: node chaos/dist/src/gameday/journal-schema-generate.js), every fixture journal and
 * the journal.json writeReports writes validate and rebuild the same reports, and a broken
 * journal is refused naming each bad path, before any file is written.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  JOURNAL_SCHEMA_FILE,
  renderJournalSchemaFile,
} from '../src/gameday/journal-schema-file.js';
import { JournalFileError, parseJournal } from '../src/gameday/journal-schema.js';
import type { Journal } from '../src/gameday/journal.js';
import { renderMarkdown } from '../src/gameday/report-markdown.js';
import { rewriteReportsFrom, writeReports } from '../src/gameday/reports.js';
import {
  abortedJournal,
  failJournal,
  inconclusiveJournal,
  passJournal,
} from './fixtures/gameday/journals.js';

test('committed journal.schema.json equals freshly generated output', async () => {
  assert.equal(
    await readFile(JOURNAL_SCHEMA_FILE, 'utf8'),
    await renderJournalSchemaFile(),
    'stale: run node chaos/dist/src/gameday/journal-schema-generate.js',
  );
});

test('journal.json round-trips: written, validated, read back, rendered the same', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'faultline-journal-'));
  try {
    for (const journal of [passJournal(), failJournal(), abortedJournal(), inconclusiveJournal()]) {
      const paths = await writeReports(journal, join(dir, journal.verdict.overall));
      const back = parseJournal(await readFile(paths.json, 'utf8'), paths.json);
      assert.deepEqual(back, JSON.parse(JSON.stringify(journal)) as Journal);
      assert.equal(renderMarkdown(back), await readFile(paths.markdown, 'utf8'));
      const again = await rewriteReportsFrom(
        paths.json,
        join(dir, `${journal.verdict.overall}-again`),
      );
      for (const k of ['markdown', 'junit', 'html'] as const)
        assert.equal(await readFile(again[k], 'utf8'), await readFile(paths[k], 'utf8'), k);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a broken journal is refused naming each bad path, and nothing is written', async () => {
  const broken = passJournal() as unknown as Record<string, unknown>;
  (broken.verdict as Record<string, unknown>).overall = 'MOSTLY_FINE';
  ((broken.faults as Record<string, unknown>[])[1] as Record<string, unknown>).startedAt = 'soon';
  delete broken.timeline;
  assert.throws(
    () => parseJournal(JSON.stringify(broken), 'out/journal.json'),
    (err: unknown) => {
      assert.ok(err instanceof JournalFileError);
      assert.match(err.message, /^out\/journal\.json: not a game-day journal/);
      const paths = err.problems.map((p) => p.split(':')[0]).sort();
      assert.deepEqual(paths, ['faults.1.startedAt', 'timeline', 'verdict.overall']);
      return true;
    },
  );
  assert.throws(() => parseJournal('{"version":', 'j.json'), /j\.json: .*invalid JSON/s);
  const dir = await mkdtemp(join(tmpdir(), 'faultline-journal-'));
  try {
    await assert.rejects(writeReports(broken as unknown as Journal, dir), /verdict\.overall/);
    assert.deepEqual(await readdir(dir), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
