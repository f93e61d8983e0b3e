// The verdict maths, table-driven: budget burn, time to detect, time to recover, requested
// versus observed, and the overall verdict's order (failure > harness error > unknown > pass).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AlertRecord } from '../src/gameday/journal.js';
import {
  budgetBurn,
  judgeFault,
  overallVerdict,
  timeToDetect,
  timeToRecover,
  VERDICT_EXIT_CODES,
} from '../src/gameday/verdict.js';
import type { VerdictInputs } from '../src/gameday/verdict.js';

describe('budgetBurn', () => {
  const cases: [string, number | null, number, number, number | null, number | null][] = [
    ['no data', null, 0.99, 600_000, null, null],
    ['no errors', 0, 0.99, 600_000, 0, 0],
    ['exactly the budget', 0.01, 0.99, 600_000, 1, 600_000 / (30 * 24 * 3600 * 1000)],
    [
      'twice the budget for ten minutes',
      0.01,
      0.995,
      600_000,
      2,
      (2 * 600_000) / (30 * 24 * 3600 * 1000),
    ],
  ];
  for (const [name, ratio, objective, ms, game, thirty] of cases)
    test(name, () => {
      const b = budgetBurn(ratio, objective, ms);
      if (game === null) assert.equal(b.gameDayShare, null);
      else assert.ok(Math.abs(b.gameDayShare! - game) < 1e-9, `${b.gameDayShare} vs ${game}`);
      if (thirty === null) assert.equal(b.thirtyDayShare, null);
      else assert.ok(Math.abs(b.thirtyDayShare! - thirty) < 1e-12);
    });
});

const alert = (name: string, severity: string, slo: string, starts: number[]): AlertRecord => ({
  name,
  labels: { alertname: name, severity, sloth_slo: slo, sloth_service: 'booking' },
  severity,
  firing: starts.map((start) => ({ start, end: start + 10 })),
  duringFaults: [],
});

describe('timeToDetect', () => {
  const fault = { experimentId: 'e1', startedAt: 1000, endedAt: 2000 };
  const cases: [string, AlertRecord[], number | null, string | undefined][] = [
    ['no alert: not detected', [], null, undefined],
    ['a page after the start', [alert('Page', 'page', 'availability', [1500])], 500, 'Page'],
    [
      'the first of page and ticket',
      [
        alert('Ticket', 'ticket', 'availability', [1300]),
        alert('Page', 'page', 'availability', [1500]),
      ],
      300,
      'Ticket',
    ],
    [
      'before the fault: not this fault',
      [alert('Page', 'page', 'availability', [900])],
      null,
      undefined,
    ],
    [
      'after end + grace: not this fault',
      [alert('Page', 'page', 'availability', [2600])],
      null,
      undefined,
    ],
    ['within the grace', [alert('Page', 'page', 'availability', [2400])], 1400, 'Page'],
    ['another SLO', [alert('Page', 'page', 'latency', [1500])], null, undefined],
    ['not page or ticket', [alert('Info', 'info', 'availability', [1500])], null, undefined],
  ];
  for (const [name, alerts, ms, by] of cases)
    test(name, () => {
      const d = timeToDetect(fault, alerts, 'availability', 500, 'booking');
      assert.equal(d.timeToDetectMs, ms);
      assert.equal(d.alert, by);
    });
});

describe('timeToRecover', () => {
  const fault = { experimentId: 'e1', startedAt: 0, endedAt: 10 };
  const s = (pairs: [number, number | null][]) => pairs.map(([at, sli]) => ({ at, sli }));
  const cases: [string, ReturnType<typeof s>, number, number | null][] = [
    [
      'back at once',
      s([
        [10, 1],
        [12, 1],
        [14, 1],
      ]),
      3,
      0,
    ],
    [
      'three good after a bad one',
      s([
        [10, 0.5],
        [12, 0.999],
        [14, 1],
        [16, 1],
      ]),
      3,
      2,
    ],
    [
      'a gap breaks the run',
      s([
        [10, 1],
        [12, null],
        [14, 1],
        [16, 1],
        [18, 1],
      ]),
      3,
      4,
    ],
    [
      'never three in a row',
      s([
        [10, 1],
        [12, 0.9],
        [14, 1],
        [16, 0.9],
      ]),
      3,
      null,
    ],
    [
      'samples before the end do not count',
      s([
        [2, 1],
        [4, 1],
        [6, 1],
        [12, 0.5],
      ]),
      3,
      null,
    ],
  ];
  for (const [name, samples, n, fromEnd] of cases)
    test(name, () => {
      const r = timeToRecover(fault, samples, 0.99, n);
      assert.equal(r.fromFaultEndMs, fromEnd);
      if (fromEnd !== null) assert.equal(r.fromFaultStartMs, fromEnd + 10);
    });
});

describe('judgeFault', () => {
  const v = (outcome: string) => ({ pod: 'p', outcome, observed: 'seen' });
  const quiet = { errorShare: 0, p99Ms: 50, baselineErrorShare: 0, baselineP99Ms: 50 };
  const noisy = { errorShare: 0.2, p99Ms: 50, baselineErrorShare: 0, baselineP99Ms: 50 };
  const cases: [string, string, ReturnType<typeof v>[], typeof quiet | undefined, string][] = [
    ['verified', 'Completed', [v('verified')], quiet, 'confirmed'],
    ['one target not verified', 'Failed', [v('verified'), v('not-verified')], quiet, 'mismatch'],
    ['refused: never applied', 'Refused', [], undefined, 'mismatch'],
    ['unverifiable, clients saw nothing', 'Completed', [v('unverifiable')], quiet, 'inconclusive'],
    ['unverifiable, clients saw errors', 'Completed', [v('unverifiable')], noisy, 'confirmed'],
  ];
  for (const [name, phase, verification, client, status] of cases)
    test(name, () => assert.equal(judgeFault(phase, verification, client).status, status));
});

describe('overallVerdict', () => {
  const base: VerdictInputs = {
    harnessErrors: [],
    slos: [{ slo: 'a', met: true }],
    checkers: [],
    faults: [],
  };
  const fail = { name: 'booking-ledger', status: 'fail' as const, summary: 'double booking' };
  const unknown = { name: 'booking-history', status: 'unknown' as const, summary: '3 unknown' };
  const cases: [string, VerdictInputs, string][] = [
    ['all good', base, 'PASS'],
    ['not steady before chaos', { ...base, notSteady: 'no data' }, 'INCONCLUSIVE'],
    ['aborted', { ...base, aborted: 'page alert' }, 'ABORTED'],
    ['an SLO missed', { ...base, slos: [{ slo: 'a', met: false }] }, 'FAIL'],
    ['a checker failed', { ...base, checkers: [fail] }, 'FAIL'],
    ['failure outranks unknown', { ...base, checkers: [fail, unknown] }, 'FAIL'],
    [
      'failure outranks a harness error',
      { ...base, checkers: [fail], harnessErrors: ['x'] },
      'FAIL',
    ],
    [
      'a harness error is not a failed hypothesis',
      { ...base, harnessErrors: ['redis down'] },
      'HARNESS_ERROR',
    ],
    ['unknown outranks pass', { ...base, checkers: [unknown] }, 'INCONCLUSIVE'],
    ['no SLO data', { ...base, slos: [{ slo: 'a', met: null }] }, 'INCONCLUSIVE'],
    [
      'a fault that did not take effect',
      { ...base, faults: [{ experimentId: 'e', status: 'mismatch' }] },
      'INCONCLUSIVE',
    ],
  ];
  for (const [name, inputs, overall] of cases)
    test(name, () => assert.equal(overallVerdict(inputs).overall, overall));
  test('exit codes', () =>
    assert.deepEqual(VERDICT_EXIT_CODES, {
      PASS: 0,
      FAIL: 1,
      ABORTED: 3,
      INCONCLUSIVE: 4,
      HARNESS_ERROR: 4,
    }));
});
