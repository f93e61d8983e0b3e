/**
 * The terminal summary at the end of a game day: the verdict line first, a fault no alert caught
 * said as "not detected", and the worst burn rates in window order (5s before 30s before 1m),
 * not in the string order of their keys.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gameDaySummary } from '../src/gameday/summary.js';
import { passJournal } from './fixtures/gameday/journals.js';

test('verdict first, undetected faults named, burn windows shortest first', () => {
  const j = passJournal();
  const v = j.verdicts[0]!;
  v.worstBurnRate = {
    '1h': { value: 0.5, at: j.startedAt },
    '30s': { value: 2, at: j.startedAt },
    '5s': { value: 3, at: j.startedAt },
    '6m': null,
  };
  v.detection = [
    {
      experimentId: 'caught',
      alert: 'SLOBurnRatePageGameDay',
      detectedAt: 1,
      timeToDetectMs: 4200,
    },
    { experimentId: 'missed', timeToDetectMs: null },
  ];
  const out = gameDaySummary(j, { json: '/tmp/x/journal.json' }).split('\n');
  assert.equal(out[0], `game day ${j.spec.name}: PASS (exit 0)`);
  const slo = out.find((l) => l.startsWith(`  SLO ${v.slo}:`));
  assert.ok(slo, out.join('\n'));
  assert.match(slo, /worst burn 5s ×3\.0, 30s ×2\.0, 1h ×0\.5$/);
  assert.ok(
    out.includes('    caught: detected after 4.2 s (SLOBurnRatePageGameDay)'),
    out.join('\n'),
  );
  assert.ok(
    out.includes('    missed: not detected (no page or ticket alert fired)'),
    out.join('\n'),
  );
  assert.ok(out.some((l) => l.includes('/tmp/x/journal.json')));
});
