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

// The safety properties must hold every time. The freshness SLO is borderline at this scale:
// a failover's gap (up to the 3 s lease) does not shrink with --phase-scale while the calm time
// does, and measured runs ended PASS (SLI 100 %) and FAIL (SLI 97 %, when the etcd partition
// forced extra elections), and ABORTED when that partition's gap made the freshness page fire
// (the spec aborts on a page). Those verdicts are deserved; anything else (INCONCLUSIVE, another
// abort, a harness error, a checker failing) is not.
test(
  'leader-failover: three leader kills are three new terms, the job log stays fenced',
  { timeout: 400_000 },
  async () => {
    const r = await gameDay({}, file('leader-failover'));
    const why = `${r.journal.verdict.reasons.join('\n')}\n${r.out}`;
    const terms = r.journal.checkers.find((c) => c.name === 'scheduler-terms');
    assert.equal(terms?.status, 'pass', terms?.summary);
    const kills = r.journal.faults.find((f) => f.name === 'kill-scheduler-leader-x3');
    assert.equal(kills?.targets.length, 3, 'the leader was resolved and killed three times');
    assert.ok(new Set(kills?.targets).size >= 2, 'each kill found the leader of its time');
    assert.ok(r.journal.leadership.terms.length >= 4, JSON.stringify(r.journal.leadership.terms));
    assert.deepEqual(
      r.journal.faults.map((f) => f.observed.status),
      ['confirmed', 'confirmed'],
    );
    if (r.journal.verdict.overall === 'PASS') assert.equal(r.status, 0);
    else if (r.journal.verdict.overall === 'ABORTED') {
      // The spec aborts on a page: a partition-forced election gap in windows scaled ×0.2 can
      // burn the freshness budget fast enough to page (seen on a quiet CI run). The checkers
      // still ran and passed above; the abort must be that page and nothing else.
      const [abort, ...rest] = r.journal.verdict.reasons;
      assert.match(
        abort ?? '',
        /^aborted: page alert SLOBurnRatePage fired for scheduler\/freshness/,
        why,
      );
      assert.deepEqual(rest, ['SLO scheduler-freshness missed'], why);
      assert.equal(r.status, 3);
    } else {
      assert.equal(r.journal.verdict.overall, 'FAIL', why);
      assert.deepEqual(r.journal.verdict.reasons, ['SLO scheduler-freshness missed'], why);
      assert.equal(r.status, 1);
    }
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
