// leader-failover and gateway-backend-loss on the local platform, through the real CLI, each
// ending with the verdict its hypothesis deserves on a healthy playground: PASS, with every
// fault confirmed and the checker's evidence in the journal.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { gameDay, playgrounds } from './gameday-harness.js';

const file = (name: string) =>
  fileURLToPath(new URL(`../../../gamedays/${name}.yaml`, import.meta.url));

after(() => {
  for (const pg of playgrounds) pg.cli('down');
});

test(
  'leader-failover: three leader kills are three new terms; PASS',
  { timeout: 400_000 },
  async () => {
    const r = await gameDay({}, file('leader-failover'));
    assert.equal(
      r.journal.verdict.overall,
      'PASS',
      `${r.journal.verdict.reasons.join('\n')}\n${r.out}`,
    );
    const terms = r.journal.checkers.find((c) => c.name === 'scheduler-terms');
    assert.equal(terms?.status, 'pass', terms?.summary);
    const kills = r.journal.faults.find((f) => f.name === 'kill-scheduler-leader-x3');
    assert.equal(kills?.targets.length, 3, 'the leader was resolved and killed three times');
    assert.ok(r.journal.leadership.terms.length >= 4, JSON.stringify(r.journal.leadership.terms));
  },
);

test(
  'gateway-backend-loss: the gateway hides killed and paused replicas; PASS',
  { timeout: 400_000 },
  async () => {
    const r = await gameDay({}, file('gateway-backend-loss'));
    assert.equal(
      r.journal.verdict.overall,
      'PASS',
      `${r.journal.verdict.reasons.join('\n')}\n${r.out}`,
    );
    assert.deepEqual(
      r.journal.faults.map((f) => f.observed.status),
      ['confirmed', 'confirmed', 'confirmed', 'confirmed'],
    );
    const v = r.journal.verdicts.find((x) => x.slo === 'gateway-availability');
    assert.ok(v?.met === true, JSON.stringify(v?.sli));
  },
);
