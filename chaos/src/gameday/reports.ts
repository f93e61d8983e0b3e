/**
 * Writes the four game-day reports from a journal into one directory: `journal.json`,
 * `report.md`, `junit.xml` and `report.html`. Each file is written to a temporary name and
 * renamed, so a reader (CI picking up junit.xml, a browser reloading) never sees half a file.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseJournal } from './journal-schema.js';
import type { Journal } from './journal.js';
import { renderHtml } from './report-html.js';
import { renderJson } from './report-json.js';
import { renderJunit } from './report-junit.js';
import { renderMarkdown } from './report-markdown.js';

/** The paths of the written reports. */
export interface ReportPaths {
  json: string;
  markdown: string;
  junit: string;
  html: string;
}

/** The reports' file names inside the output directory. */
export const REPORT_FILES = {
  json: 'journal.json',
  markdown: 'report.md',
  junit: 'junit.xml',
  html: 'report.html',
} as const satisfies Record<keyof ReportPaths, string>;

async function writeAtomically(path: string, content: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, content);
  await rename(tmp, path);
}

/**
 * Renders every report of `journal` into `outDir` (created when missing) and returns their
 * paths. Rendering happens before any write, so a journal that breaks its schema leaves the
 * directory as it was.
 */
export async function writeReports(journal: Journal, outDir: string): Promise<ReportPaths> {
  const content: Record<keyof ReportPaths, string> = {
    json: renderJson(journal),
    markdown: renderMarkdown(journal),
    junit: renderJunit(journal),
    html: renderHtml(journal),
  };
  await mkdir(outDir, { recursive: true });
  const paths = {
    json: join(outDir, REPORT_FILES.json),
    markdown: join(outDir, REPORT_FILES.markdown),
    junit: join(outDir, REPORT_FILES.junit),
    html: join(outDir, REPORT_FILES.html),
  };
  await Promise.all(
    (Object.keys(paths) as (keyof ReportPaths)[]).map((k) => writeAtomically(paths[k], content[k])),
  );
  return paths;
}

/**
 * Rebuilds every report from a `journal.json` alone (after a report change, or for a journal
 * copied from CI), into `outDir` or beside the journal. Throws a `JournalFileError` naming each
 * bad path when the file is not a journal.
 */
export async function rewriteReportsFrom(
  journalFile: string,
  outDir?: string,
): Promise<ReportPaths> {
  const journal = parseJournal(await readFile(journalFile, 'utf8'), journalFile);
  return writeReports(journal, outDir ?? dirname(journalFile));
}
