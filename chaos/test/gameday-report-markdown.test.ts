/**
 * report.md on the four fixture journals: the verdict comes first, each verdict says what made
 * it (the witness for FAIL, the abort for ABORTED, "no data" for INCONCLUSIVE), and every table
 * keeps its column count whatever the values contain.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseJournal } from '../src/gameday/journal-schema.js';
import type { Journal } from '../src/gameday/journal.js';
import { renderMarkdown } from '../src/gameday/report-markdown.js';
import {
  abortedJournal,
  failJournal,
  inconclusiveJournal,
  passJournal,
} from './fixtures/gameday/journals.js';

/** Cells per table row, counting only unescaped pipes. */
function tableShapeProblems(markdown: string): string[] {
  const problems: string[] = [];
  let width: number | undefined;
  markdown.split('\n').forEach((line, i) => {
    if (!line.startsWith('|')) return void (width = undefined);
    const cells = line.replace(/\\\|/g, '').split('|').length - 2;
    if (width === undefined) width = cells;
    else if (cells !== width) problems.push(`line ${i + 1}: ${cells} cells, header has ${width}`);
  });
  return problems;
}

const cases: {
  name: string;
  journal: () => Journal;
  first: RegExp;
  present: RegExp[];
  absent?: RegExp[];
}[] = [
  {
    name: 'pass',
    journal: passJournal,
    first: /^# Game day `booking-under-chaos`: \*\*PASS\*\*$/,
    present: [
      /^## SLOs$/m,
      /\| booking-availability \| 99\.9 % \| met \|/,
      /\| pause-booking-past-lock-ttl \| SLOBurnRatePageGameDay \| 14\.0 s \|/,
      /^## Checkers$/m,
      /\| booking-ledger \| pass \|/,
      /Slowest traces:/,
      /^## Timings$/m,
      /^Requests sent per phase: baseline 4000, chaos 12000, recovery 4000\.$/m,
    ],
    absent: [/Witness/, /Aborted/, /NO DATA/],
  },
  {
    name: 'fail with a double-booking witness',
    journal: failJournal,
    first: /^# Game day `booking-under-chaos`: \*\*FAIL\*\*$/,
    present: [
      /^- booking-ledger failed: seat gala-7 has two active bookings \(b1, b2\)$/m,
      /\| booking-ledger \| \*\*FAIL\*\* \|/,
      /^\*\*Witness:\*\* seat gala-7: bookings b1 \(token 7\) and b2 \(token 8\) both active$/m,
      /\| seat gala-7 \| booking b1 accepted \(fencing token 7\).*\| bookingId=b1, fencingToken=7/,
      /\| seat gala-7 \| booking b2 accepted \(fencing token 8\)/,
      /Negative control: yes; overrides: `booking\.fencing=false`/,
      /^Exit code 1\./m,
    ],
  },
  {
    name: 'aborted',
    journal: abortedJournal,
    first: /^# Game day `booking-under-chaos`: \*\*ABORTED\*\*$/,
    present: [
      /^\*\*Aborted\*\* at \+\d\d:\d\d\.\d by alert: SLOBurnRatePageGameDay firing/m,
      /\| booking-availability \| 99\.9 % \| MISSED \|/,
      /\| chaos \| .* \| cut short: abort: SLOBurnRatePageGameDay firing \|/,
      /^Exit code 3\./m,
    ],
    absent: [/^\| recovery \|/m],
  },
  {
    name: 'inconclusive',
    journal: inconclusiveJournal,
    first: /^# Game day `booking-under-chaos`: \*\*INCONCLUSIVE\*\*$/,
    present: [
      /^- not steady before chaos: booking-ready was 2, wanted >= 3$/m,
      /\| booking-availability \| 99\.9 % \| NO DATA \| no data \|/,
      /\| booking-ready \(`sum\(up\{job="booking"\}\)` >= 3\) \| before \| \*\*FAILED\*\* \| 2 < 3 \|/,
      /cut short: not steady before chaos/,
      /^## Faults\n\n_none_$/m,
    ],
  },
];

for (const c of cases)
  test(`report.md: ${c.name}`, () => {
    const md = renderMarkdown(c.journal());
    assert.match(md.split('\n')[0] ?? '', c.first, 'the verdict is the first line');
    for (const re of c.present) assert.match(md, re);
    for (const re of c.absent ?? []) assert.doesNotMatch(md, re);
    assert.deepEqual(tableShapeProblems(md), []);
    assert.ok(md.endsWith('\n') && !md.includes('\n\n\n'));
  });

test('report.md: a phase the load sent nothing in is flagged (the real run whose load stopped at +10 s)', async () => {
  const file = fileURLToPath(
    new URL('../../test/fixtures/gameday/real-booking-under-chaos.journal.json', import.meta.url),
  );
  const md = renderMarkdown(parseJournal(await readFile(file, 'utf8'), file));
  assert.match(
    md,
    /^Requests sent per phase: baseline \d+, \*\*chaos none\*\*, \*\*recovery none\*\*\.$/m,
  );
});

test('report.md: a pipe or a line break in a value stays inside its cell', () => {
  const j = failJournal();
  const ledger = j.checkers.find((c) => c.name === 'booking-ledger');
  assert.ok(ledger?.witness);
  ledger.summary = 'two | active\nbookings';
  ledger.witness.events[0]!.detail = 'a|b|c';
  const md = renderMarkdown(j);
  assert.match(md, /\| two \\\| active<br>bookings \|/);
  assert.deepEqual(tableShapeProblems(md), []);
  // Negative control: the shape check catches an unescaped pipe.
  assert.notDeepEqual(tableShapeProblems(`${md}\n| a | b |\n| --- | --- |\n| x | y | z |\n`), []);
});
