/**
 * A threshold with `abortOnFail` (the fast-burn twin of an SLO) ends the run early, as k6 does;
 * the summary says so and the run's thresholds fail (exit 99 from the CLI). Control: the same
 * scenario against a healthy server runs its whole schedule.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runLoad } from '../src/run-load.js';
import { thresholdsPassed } from '../src/summary.js';
import { constantScenario, startFixture, type Fixture } from './fixtures.js';

let failing: Fixture;
let healthy: Fixture;
before(async () => {
  failing = await startFixture((_q, res) => res.writeHead(500).end());
  healthy = await startFixture((_q, res) => res.writeHead(200).end('{}'));
});
after(async () => {
  await failing.close();
  await healthy.close();
});

function abortingScenario() {
  const c = constantScenario('leader', 50, '30s');
  c.thresholds = {
    'http_req_failed{route:/leader}': [
      'rate<=0.005',
      { threshold: 'rate<=0.072', abortOnFail: true, delayAbortEval: '1s' },
    ],
  };
  return c;
}

test('abortOnFail: a failing fast-burn threshold stops the run before its schedule ends', async () => {
  const s = await runLoad({
    scenario: 'x',
    compiled: abortingScenario(),
    target: failing.url,
    progressIntervalMs: 200,
  });
  assert.equal(s.faultline.aborted, true);
  assert.ok(
    s.faultline.scheduled < 50 * 30,
    `stopped early: ${s.faultline.scheduled} of ${50 * 30} scheduled`,
  );
  assert.equal(thresholdsPassed(s), false);
});

test('control: the same thresholds against a healthy server run the whole schedule', async () => {
  const c = abortingScenario();
  c.arrival = {
    ...c.arrival,
    executor: 'constant-arrival-rate',
    rate: 50,
    timeUnit: '1s',
    duration: '2s',
  };
  const s = await runLoad({
    scenario: 'x',
    compiled: c,
    target: healthy.url,
    progressIntervalMs: 200,
  });
  assert.equal(s.faultline.aborted, false);
  assert.equal(s.faultline.scheduled, 100);
  assert.equal(thresholdsPassed(s), true);
});
