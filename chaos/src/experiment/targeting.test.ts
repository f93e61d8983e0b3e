import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { experimentSchema } from './spec.js';
import type { Experiment, ExperimentInput } from './spec.js';
import { choosePods, countForMode, resolveTargets } from './targeting.js';
import type { CandidatePod } from './targeting.js';

const OPT_IN = { 'chaos.faultline.dev/enabled': 'true' };

function pod(name: string, extra: Partial<CandidatePod> = {}): CandidatePod {
  const service = name.replace(/-\d+$/, '');
  return { name, service, namespace: 'local', labels: { app: service, ...OPT_IN }, ...extra };
}

const BOOKING = [pod('booking-0'), pod('booking-1'), pod('booking-2')];
const SCHEDULER = [
  pod('scheduler-0', { role: 'follower' }),
  pod('scheduler-1', { role: 'leader' }),
  pod('scheduler-2', { role: 'follower' }),
];
const ETCD = ['etcd-0', 'etcd-1', 'etcd-2'].map((n, i) =>
  pod(n, { labels: { app: 'etcd', member: String(i) } }),
);
const ALL = [...BOOKING, ...SCHEDULER, ...ETCD];

function experiment(
  spec: Partial<ExperimentInput['spec']> & { target: ExperimentInput['spec']['target'] },
): Experiment {
  return experimentSchema().parse({
    apiVersion: 'chaos.faultline.dev/v1alpha1',
    kind: 'Experiment',
    metadata: { name: 't' },
    spec: { fault: { type: 'pod-kill' }, duration: '30s', ...spec },
  });
}

describe('resolveTargets: selection', () => {
  test('one: a single pod, the same one for the same seed', () => {
    const exp = experiment({ target: { service: 'booking' } });
    const a = resolveTargets(exp, ALL, { seed: 7 });
    const b = resolveTargets(exp, [...ALL].reverse(), { seed: 7 });
    assert.ok(a.ok && b.ok);
    assert.equal(a.plan.targets.length, 1);
    assert.deepEqual(a.plan.targets, b.plan.targets, 'input order must not matter');
    assert.equal(a.plan.seed, 7);
    assert.equal(a.plan.replicas.length, 3);
  });

  test('different seeds spread the choice over the replicas', () => {
    const exp = experiment({ target: { service: 'booking' } });
    const chosen = new Set<string>();
    for (let seed = 0; seed < 50; seed++) {
      const r = resolveTargets(exp, ALL, { seed });
      assert.ok(r.ok);
      chosen.add(r.plan.targets[0]?.name ?? '');
    }
    assert.deepEqual([...chosen].sort(), ['booking-0', 'booking-1', 'booking-2']);
  });

  test('role picks the leader resolved by the caller', () => {
    const r = resolveTargets(
      experiment({ target: { service: 'scheduler', role: 'leader' } }),
      ALL,
      { seed: 1 },
    );
    assert.ok(r.ok);
    assert.deepEqual(
      r.plan.targets.map((p) => p.name),
      ['scheduler-1'],
    );
  });

  test('selector narrows by labels', () => {
    const exp = experiment({ target: { service: 'booking', selector: { app: 'booking' } } });
    const pods = [...BOOKING, pod('booking-3', { labels: { app: 'other', ...OPT_IN } })];
    const r = resolveTargets(exp, pods, { seed: 3 });
    assert.ok(r.ok);
    assert.equal(r.plan.matched.length, 3);
  });

  test('fixed and percent count as documented', () => {
    assert.equal(countForMode('one', 3), 1);
    assert.equal(countForMode('all', 3), 3);
    assert.equal(countForMode({ fixed: 2 }, 3), 2);
    assert.equal(countForMode({ percent: 50 }, 3), 1);
    assert.equal(countForMode({ percent: 10 }, 3), 1, 'at least one');
    assert.equal(countForMode({ percent: 100 }, 4), 4);
    assert.deepEqual(
      choosePods(BOOKING, 2, 5).map((p) => p.name),
      choosePods(BOOKING, 2, 5).map((p) => p.name),
    );
  });

  test('namespace comes from metadata, else the default', () => {
    const exp = experiment({ target: { service: 'booking' } });
    const r = resolveTargets(exp, ALL, { defaultNamespace: 'prod', seed: 1 });
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.refusals[0]?.code, 'no-matching-pods');
  });
});

describe('resolveTargets: refusals', () => {
  test('no matching pods', () => {
    const r = resolveTargets(experiment({ target: { service: 'gateway' } }), ALL, { seed: 1 });
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.refusals[0]?.code, 'no-matching-pods');
    assert.match(r.refusals[0]?.message ?? '', /no pods of service gateway in namespace local/);
  });

  test('role that no pod reports', () => {
    const pods = SCHEDULER.map((p) => ({ ...p, role: undefined }));
    const r = resolveTargets(
      experiment({ target: { service: 'scheduler', role: 'leader' } }),
      pods,
      { seed: 1 },
    );
    assert.equal(r.ok, false);
    if (!r.ok)
      assert.match(r.refusals[0]?.message ?? '', /match role leader \(no pod reported a role\)/);
  });

  test('fixed N larger than the matching pods is a targeting error', () => {
    const r = resolveTargets(
      experiment({ target: { service: 'booking', mode: { fixed: 4 } } }),
      ALL,
      { seed: 1 },
    );
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.refusals[0]?.code, 'not-enough-pods');
    assert.match(r.refusals[0]?.message ?? '', /fixed: 4 but only 3 booking pods match/);
  });

  test('a target without the opt-in label is refused', () => {
    const r = resolveTargets(
      experiment({ target: { service: 'etcd', selector: { member: '1' } } }),
      ALL,
      { seed: 1 },
    );
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.deepEqual(
      r.refusals.map((x) => x.code),
      ['opt-in-label-missing'],
    );
    assert.deepEqual(r.refusals[0]?.pods, ['etcd-1']);
    assert.match(
      r.refusals[0]?.message ?? '',
      /etcd-1 does not carry the opt-in label chaos.faultline.dev\/enabled=true/,
    );
  });

  test('the opt-in label is checked on every matching pod, not only the chosen one', () => {
    const pods = [
      pod('booking-0'),
      pod('booking-1'),
      pod('booking-2', { labels: { app: 'booking' } }),
    ];
    for (let seed = 0; seed < 10; seed++) {
      const r = resolveTargets(experiment({ target: { service: 'booking' } }), pods, { seed });
      assert.equal(r.ok, false, `seed ${seed}`);
    }
  });

  test('a custom opt-in label is honoured', () => {
    const exp = experiment({
      target: { service: 'etcd', selector: { member: '1' } },
      safety: { optInLabel: 'app=etcd' },
    });
    assert.ok(resolveTargets(exp, ALL, { seed: 1 }).ok);
  });

  test('100% of a service without allowFullService is refused', () => {
    const r = resolveTargets(experiment({ target: { service: 'booking', mode: 'all' } }), ALL, {
      seed: 1,
    });
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.refusals[0]?.code, 'replica-share-exceeded');
    assert.match(
      r.refusals[0]?.message ?? '',
      /3 of 3 booking replicas unavailable \(100%\), the whole service; set spec.safety.allowFullService: true/,
    );
  });

  test('100% is refused even when maxReplicaShare is 1', () => {
    const exp = experiment({
      target: { service: 'booking', mode: 'all' },
      safety: { maxReplicaShare: 1 },
    });
    assert.equal(resolveTargets(exp, ALL, { seed: 1 }).ok, false);
  });

  test('more than maxReplicaShare is refused; allowFullService lets it through', () => {
    const two = experiment({ target: { service: 'booking', mode: { fixed: 2 } } });
    const r = resolveTargets(two, ALL, { seed: 1 });
    assert.equal(r.ok, false);
    if (!r.ok)
      assert.match(r.refusals[0]?.message ?? '', /2 of 3 .* more than maxReplicaShare 0.5/);
    const allowed = experiment({
      target: { service: 'booking', mode: 'all' },
      safety: { allowFullService: true },
    });
    const ok = resolveTargets(allowed, ALL, { seed: 1 });
    assert.ok(ok.ok);
    assert.equal(ok.plan.targets.length, 3);
  });

  test('replicas already not ready count against the share', () => {
    const canary = { labels: { app: 'booking', canary: 'yes', ...OPT_IN } };
    const pods = [
      pod('booking-0', { ready: false }),
      pod('booking-1', canary),
      pod('booking-2', canary),
      pod('booking-3', canary),
    ];
    const exp = experiment({
      target: { service: 'booking', selector: { canary: 'yes' }, mode: { fixed: 2 } },
    });
    const r = resolveTargets(exp, pods, { seed: 99 });
    assert.equal(r.ok, false);
    if (!r.ok)
      assert.match(
        r.refusals[0]?.message ?? '',
        /3 of 4 booking replicas unavailable \(75%, 1 already not ready\)/,
      );
  });

  test('namespace and service allow-lists', () => {
    const exp = experiment({
      target: { service: 'booking' },
      safety: { allowedNamespaces: ['prod'], allowedServices: ['scheduler'] },
    });
    const r = resolveTargets(exp, ALL, { seed: 1 });
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.deepEqual(
      r.refusals.map((x) => x.code),
      ['namespace-not-allowed', 'service-not-allowed'],
    );
    assert.match(r.refusals[0]?.message ?? '', /namespace local is not allowed; allowed: prod/);
    assert.match(
      r.refusals[1]?.message ?? '',
      /service booking is not allowed; allowed: scheduler/,
    );
  });
});
