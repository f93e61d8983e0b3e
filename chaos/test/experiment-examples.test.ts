/**
 * Every shipped example experiment validates, resolves against the local platform's pod
 * layout as documented (the etcd one is refused where the member lacks the opt-in label), and
 * explains.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { test } from 'node:test';
import { explainExperiment } from '../src/experiment/explain.js';
import { formatSpecProblem } from '@faultline/kit/spec-problems';
import { isExperimentSpecError, loadExperiment } from '../src/experiment/load.js';
import { resolveTargets } from '../src/experiment/targeting.js';
import type { CandidatePod } from '../src/experiment/targeting.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const OPT_IN = { 'chaos.faultline.dev/enabled': 'true' };

/** The local platform's pods as chaos/src/local/pod-plan.ts labels them. */
const LOCAL_PODS: CandidatePod[] = [
  ...[0, 1, 2].map((i) => ({
    name: `booking-${i}`,
    service: 'booking',
    namespace: 'local',
    labels: { app: 'booking', tier: 'app', replica: String(i), ...OPT_IN },
  })),
  ...[0, 1, 2].map((i) => ({
    name: `scheduler-${i}`,
    service: 'scheduler',
    namespace: 'local',
    labels: { app: 'scheduler', tier: 'app', replica: String(i), ...OPT_IN },
    role: i === 2 ? ('leader' as const) : ('follower' as const),
  })),
  ...[0, 1, 2].map((i) => ({
    name: `etcd-${i}`,
    service: 'etcd',
    namespace: 'local',
    labels: { ...etcdLabels(i), ...OPT_IN },
  })),
];

/** An etcd member's labels as the local plan gives them (the ordinal also as a StatefulSet would). */
function etcdLabels(i: number): Record<string, string> {
  return {
    app: 'etcd',
    tier: 'infra',
    member: String(i),
    'apps.kubernetes.io/pod-index': String(i),
  };
}

const EXPECTED = [
  'booking-http-503.yaml',
  'kill-booking-replica.yaml',
  'kill-scheduler-leader.yaml',
  'partition-etcd-member.yaml',
  'pause-booking-past-lock-ttl.yaml',
  'redis-latency-200ms.yaml',
];

test('every example validates', async () => {
  const files = (await readdir(EXAMPLES)).filter((f) => f.endsWith('.yaml')).sort();
  assert.deepEqual(files, EXPECTED);
  for (const f of files) {
    try {
      const exp = await loadExperiment(join(EXAMPLES, f));
      assert.equal(`${exp.metadata.name}.yaml`, f, 'file named after the experiment');
    } catch (e) {
      if (isExperimentSpecError(e)) assert.fail(e.problems.map(formatSpecProblem).join('\n'));
      throw e;
    }
  }
});

test('examples resolve against the local pods as their comments say', async () => {
  const explain = async (f: string) => {
    const exp = await loadExperiment(join(EXAMPLES, f));
    return explainExperiment(exp, resolveTargets(exp, LOCAL_PODS, { seed: 1 }));
  };
  assert.equal(
    (await explain('kill-scheduler-leader.yaml')).action,
    'kill 1 of 3 scheduler pods (scheduler-2) (the leader), once; the platform restarts it',
  );
  assert.match(
    (await explain('kill-booking-replica.yaml')).action,
    /^kill 1 of 3 booking pods \(booking-\d\), once; the platform restarts it$/,
  );
  assert.match(
    (await explain('redis-latency-200ms.yaml')).action,
    /^add 200 ms ± 50 ms latency to redis traffic of booking-\d for 30 s, requests only \(upstream\), via the agent$/,
  );
  assert.match(
    (await explain('pause-booking-past-lock-ttl.yaml')).action,
    /^pause the app process of 1 of 3 booking pods \(booking-\d\) for 15 s/,
  );
  assert.match(
    (await explain('booking-http-503.yaml')).action,
    /^answer 20% of requests under \/bookings through the inbound link of booking-0, booking-1, booking-2 with HTTP 503/,
  );
  const etcd = await explain('partition-etcd-member.yaml');
  assert.match(etcd.action, /^hard-partition etcd-1 from everything/);
  assert.deepEqual(etcd.refusals, []);

  // Without the opt-in label (as on a kubernetes cluster until someone labels the member)
  // the same experiment is refused.
  const unlabelled = LOCAL_PODS.map((p) =>
    p.service === 'etcd' ? { ...p, labels: etcdLabels(Number(p.labels.member)) } : p,
  );
  const exp = await loadExperiment(join(EXAMPLES, 'partition-etcd-member.yaml'));
  const refused = resolveTargets(exp, unlabelled, { seed: 1 });
  assert.equal(refused.ok, false);
  assert.match(
    explainExperiment(exp, refused).refusals.join('\n'),
    /etcd-1 does not carry the opt-in label/,
  );
});
