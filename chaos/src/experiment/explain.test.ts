import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explainExperiment } from './explain.js';
import { experimentSchema } from './spec.js';
import type { ExperimentInput } from './spec.js';
import { resolveTargets } from './targeting.js';
import type { CandidatePod } from './targeting.js';

const OPT_IN = { 'chaos.faultline.dev/enabled': 'true' };
const PODS: CandidatePod[] = ['booking-0', 'booking-1', 'booking-2'].map((name) => ({
  name,
  service: 'booking',
  namespace: 'local',
  labels: { app: 'booking', ...OPT_IN },
}));

function explain(spec: ExperimentInput['spec'], pods = PODS) {
  const exp = experimentSchema().parse({
    apiVersion: 'chaos.faultline.dev/v1alpha1',
    kind: 'Experiment',
    metadata: { name: 'demo' },
    spec,
  });
  return explainExperiment(exp, resolveTargets(exp, pods, { seed: 1 }));
}

test('pod-kill: which pod of how many, once', () => {
  const e = explain({
    target: { service: 'booking' },
    fault: { type: 'pod-kill' },
    duration: '30s',
  });
  assert.match(
    e.action,
    /^kill 1 of 3 booking pods \(booking-\d\), once; the platform restarts it$/,
  );
  assert.deepEqual(e.refusals, []);
});

test('pod-kill with repeat says how often', () => {
  const e = explain({
    target: { service: 'booking' },
    fault: { type: 'pod-kill' },
    duration: '2m',
    repeat: { interval: '20s' },
  });
  assert.match(e.action, /, every 20 s for 2 min;/);
});

test('latency: amount, jitter, link, pod, duration, direction, mechanism', () => {
  const e = explain({
    target: { service: 'booking', link: 'redis' },
    fault: { type: 'latency', latencyMs: 200, jitterMs: 50, direction: 'both' },
    duration: '30s',
  });
  assert.match(
    e.action,
    /^add 200 ms ± 50 ms latency to redis traffic of booking-\d for 30 s, both directions, via the agent$/,
  );
});

test('partition and http-fault read as plain words', () => {
  const p = explain({
    target: { service: 'booking', link: 'redis' },
    fault: { type: 'partition', mode: 'hard' },
    duration: '20s',
  });
  assert.match(
    p.action,
    /^hard-partition booking-\d from redis for 20 s \(new and established connections go silent\), via the agent$/,
  );
  const h = explain({
    target: { service: 'booking', link: 'booking', mode: 'all' },
    fault: { type: 'http-fault', percent: 20, abortStatus: 503 },
    duration: '30s',
    safety: { allowFullService: true },
  });
  assert.match(
    h.action,
    /^answer 20% of requests under \/ through the booking link of booking-0, booking-1, booking-2 with HTTP 503, for 30 s, via the agent$/,
  );
  assert.match(
    h.text,
    /3 of 3 booking replicas affected \(100%, limit 50%, allowFullService: true\)/,
  );
});

test('a refused spec says so and why', () => {
  const e = explain({
    target: { service: 'booking', mode: 'all' },
    fault: { type: 'pod-pause' },
    duration: '10s',
  });
  assert.equal(e.refusals.length, 1);
  assert.match(e.text, /^demo: REFUSED, would pause the app process of 3 of 3 booking pods/);
  assert.match(e.text, /refused: would make 3 of 3 booking replicas unavailable/);
});

test('dry run and abort conditions are listed', () => {
  const e = explain({
    target: { service: 'booking' },
    fault: { type: 'pod-kill' },
    duration: '30s',
    safety: { dryRun: true, abortWhen: [{ promql: 'up == 0', for: '10s' }] },
  });
  assert.ok(e.details.includes('dry run: nothing will be changed'));
  assert.ok(e.details.includes('abort when: up == 0 holds for 10 s'));
});
