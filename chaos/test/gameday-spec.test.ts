// Game-day files: the shipped ones load; bad ones are refused with file:line:col, the YAML
// path and what is allowed; overrides only with negativeControl: true; --phase-scale scales
// phases, offsets and fault durations without touching the file.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isExperimentSpecError } from '../src/experiment/load.js';
import { loadGameDay } from '../src/gameday/load-gameday.js';

const DIR = fileURLToPath(new URL('../../../gamedays/', import.meta.url));
const SLOS = [
  'booking-availability',
  'booking-latency',
  'gateway-availability',
  'scheduler-freshness',
];

describe('shipped game days', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));
  test('there are three', () =>
    assert.deepEqual(files.sort(), [
      'booking-under-chaos.yaml',
      'gateway-backend-loss.yaml',
      'leader-failover.yaml',
    ]));
  for (const f of files)
    test(`${f} loads, with minutes-long phases`, async () => {
      const g = await loadGameDay(join(DIR, f), { sloIds: SLOS });
      const p = g.gameDay.spec.phases;
      assert.ok(p.baseline + p.chaos + p.recovery >= 3 * 60_000, 'realistic durations');
      assert.equal(g.gameDay.spec.negativeControl, false);
    });
});

const HEAD = `apiVersion: chaos.faultline.dev/v1alpha1
kind: GameDay
metadata:
  name: t
spec:
  hypothesis:
    statement: s
    slos: [booking-availability]
  load: { scenario: booking-rush, rate: 10 }
  phases: { baseline: 1m, chaos: 2m, recovery: 1m }
`;
const INLINE = `  schedule:
    - at: 30s
      inline:
        metadata: { name: kill }
        spec:
          target: { service: booking, mode: one }
          fault: { type: pod-kill }
          duration: 20s
`;

async function problems(text: string): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), 'gameday-spec-')), 'g.yaml');
  writeFileSync(file, text);
  try {
    await loadGameDay(file, { sloIds: SLOS });
  } catch (e) {
    if (isExperimentSpecError(e)) return e.message;
    throw e;
  }
  return '';
}

describe('bad game days', () => {
  const cases: [string, string, RegExp][] = [
    [
      'unknown SLO',
      HEAD.replace('[booking-availability]', '[booking-availabilty]') + INLINE,
      /g\.yaml:8:\d+: spec\.hypothesis\.slos\.0: no SLO "booking-availabilty" in slos\/; allowed: booking-availability/,
    ],
    [
      'unknown checker',
      HEAD + INLINE + '  checkers: [booking-ledgr]\n',
      /g\.yaml:\d+:\d+: spec\.checkers\.0: got "booking-ledgr"; allowed: booking-ledger, booking-history/,
    ],
    [
      'overrides without negativeControl',
      HEAD + INLINE + '  overrides:\n    booking.fencing: false\n',
      /spec\.overrides: overrides weaken the system under test; allowed only with negativeControl: true/,
    ],
    [
      'an unknown override',
      HEAD + INLINE + '  negativeControl: true\n  overrides:\n    booking.fencng: false\n',
      /spec\.overrides\.booking\.fencng|spec\.overrides: .*allowed|booking\.fencing/,
    ],
    [
      'a k6 runner (game days drive load with the embedded generator)',
      HEAD.replace('rate: 10 }', 'rate: 10, runner: k6 }') + INLINE,
      /g\.yaml:\d+:\d+: spec\.load\.runner: k6 does not drive game days yet/,
    ],
    [
      'an experiment file that is not there',
      HEAD + '  schedule:\n    - at: 0s\n      experiment: nope.yaml\n',
      /g\.yaml:13:19: spec\.schedule\.0\.experiment: cannot read the file \(ENOENT\)/,
    ],
    [
      'past the chaos phase',
      HEAD + INLINE.replace('at: 30s', 'at: 1m50s'),
      /spec\.schedule\.0\.at: runs past the chaos phase/,
    ],
    [
      'a bad inline fault',
      HEAD + INLINE.replace('pod-kill', 'pod-kil'),
      /spec\.schedule\.0\.inline\.spec\.fault/,
    ],
    [
      'a bad tolerance',
      HEAD.replace(
        '    slos: [booking-availability]\n',
        "    slos: [booking-availability]\n    steadyState:\n      - { name: up, promql: up, tolerance: 'about 3' }\n",
      ) + INLINE,
      /steadyState\.0\.tolerance: expected a comparison such as ">= 2"/,
    ],
  ];
  for (const [name, text, expected] of cases)
    test(name, async () => assert.match(await problems(text), expected));
  test('a good one has no problems', async () => assert.equal(await problems(HEAD + INLINE), ''));
  test('a negative control may override', async () =>
    assert.equal(
      await problems(
        HEAD + INLINE + '  negativeControl: true\n  overrides:\n    booking.fencing: false\n',
      ),
      '',
    ));
});

test('--phase-scale scales phases, offsets and fault durations', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'gameday-spec-')), 'g.yaml');
  writeFileSync(file, HEAD + INLINE);
  const g = await loadGameDay(file, { sloIds: SLOS, phaseScale: 0.2 });
  assert.deepEqual(g.gameDay.spec.phases, { baseline: 12_000, chaos: 24_000, recovery: 12_000 });
  assert.equal(g.schedule[0]!.startOffsetMs, 6000);
  assert.equal(g.schedule[0]!.durationMs, 4000);
  assert.equal(g.schedule[0]!.experiment.spec.duration, 4000);
});

test('the committed JSON Schema equals fresh output (node chaos/dist/src/gameday/generate-spec-schema.js)', async () => {
  const { GAMEDAY_SCHEMA_FILE, renderGameDaySchema } =
    await import('../src/gameday/spec-schema-file.js');
  const { readFileSync } = await import('node:fs');
  assert.equal(readFileSync(GAMEDAY_SCHEMA_FILE, 'utf8'), await renderGameDaySchema());
});
