import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkJobLog } from './job-log-check.js';
import type { JobRecord } from './job-record.js';

const rec = (seq: number, term: number, leader: string): JobRecord => ({
  seq,
  term,
  leader,
  at: new Date(seq * 1000).toISOString(),
});
const good: JobRecord[] = [
  rec(1, 5, 'a'),
  rec(2, 5, 'a'),
  rec(3, 9, 'b'),
  rec(4, 9, 'b'),
  rec(5, 12, 'a'),
];

test('a valid log passes and is summarised by term', () => {
  const r = checkJobLog(good);
  assert.equal(r.ok, true);
  assert.deepEqual(r.terms, [
    { term: 5, leader: 'a', records: 2 },
    { term: 9, leader: 'b', records: 2 },
    { term: 12, leader: 'a', records: 1 },
  ]);
  assert.equal(checkJobLog([]).ok, true);
});

// Negative controls: hand-corrupted copies of the valid log, one violation each.
const corruptions: { name: string; log: JobRecord[]; rule: string }[] = [
  {
    name: 'a duplicated seq (a stale leader wrote seq 3 again)',
    log: [...good.slice(0, 3), rec(3, 5, 'a'), ...good.slice(3)],
    rule: 'seq-duplicate',
  },
  { name: 'a gap', log: [good[0]!, good[1]!, good[3]!, good[4]!], rule: 'seq-gap' },
  {
    name: 'a term going backwards',
    log: [...good.slice(0, 4), rec(5, 7, 'c')],
    rule: 'term-backwards',
  },
  {
    name: 'two leaders in one term (split brain)',
    log: [...good.slice(0, 3), rec(4, 9, 'c'), good[4]!],
    rule: 'two-leaders-one-term',
  },
  { name: 'a log not starting at seq 1', log: good.slice(1), rule: 'seq-gap' },
];

for (const c of corruptions) {
  test(`the checker fails on ${c.name}`, () => {
    const r = checkJobLog(c.log);
    assert.equal(r.ok, false);
    assert.ok(
      r.violations.some((v) => v.rule === c.rule),
      JSON.stringify(r.violations),
    );
  });
}

test('a page of the log can be checked from its first seq', () => {
  assert.equal(checkJobLog(good.slice(2), 3).ok, true);
});
