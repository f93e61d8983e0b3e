/**
 * The kubernetes driver's building blocks against a real control plane (kube-harness.ts):
 * pods listed by label with readiness from the simulated kubelet; pod-kill = delete with grace 0,
 * replaced by the real StatefulSet controller (same name, new uid) or the real ReplicaSet
 * controller (new name, new uid); NetworkPolicy partitions created, read back as the server
 * stores them, deleted, and stale ones found; Experiment objects through the CRD (status
 * subresource, a stale resourceVersion answered 409, a real watch); and every shipped example
 * stored through the API server comes back in a shape the controller's schema accepts.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { waitFor } from '@faultline/kit/testing/child-process';
import { killPod, listPods, verifyPodReplaced } from '../src/kubernetes/pods.js';
import {
  EXPERIMENT_LABEL,
  NetworkPolicyPartition,
  PARTITIONED_POD_LABEL,
} from '../src/kubernetes/network-policy-partition.js';
import {
  ExperimentResources,
  parseExperimentObjectSpec,
} from '../src/kubernetes/experiment-resources.js';
import type { ExperimentObject, WatchEventType } from '../src/kubernetes/experiment-resources.js';
import { isNotFound, MERGE_PATCH } from '../src/kubernetes/kube-apis.js';
import { bookingStatefulSet, deployment, OPT_IN, startChaosCluster } from './kube-harness.js';
import type { ChaosCluster } from './kube-harness.js';
import {
  apiError,
  createExperiment,
  deleteExperiment,
  plain,
  readPod,
  waitForReadyPod,
} from './kube-cluster-helpers.js';

const NS = 'chaos-driver';
const ROLE_LABEL = 'chaos.faultline.dev/role';
let cluster: ChaosCluster;

before(async () => {
  cluster = await startChaosCluster(NS);
  await cluster.kube.create([bookingStatefulSet(NS, 9901), deployment(NS, 'web', 2)]);
  await cluster.kube.waitForWorkload('StatefulSet', NS, 'booking');
  await cluster.kube.waitForWorkload('Deployment', NS, 'web');
});
after(async () => {
  await cluster?.stop();
});

const apis = () => cluster.admin;

describe('pods', () => {
  test('listPods: by label selector; uid, readiness (from the kubelet) and role from the API', async () => {
    await apis().core.patchNamespacedPod(
      {
        name: 'booking-1',
        namespace: NS,
        body: { metadata: { labels: { [ROLE_LABEL]: 'leader' } } },
      },
      MERGE_PATCH,
    );
    await cluster.kube.simulator.setReady(NS, 'booking-2', false);
    try {
      const pods = await listPods(apis(), NS, { labels: { app: 'booking' } });
      assert.deepEqual(pods.map((p) => [p.name, p.service, p.namespace, p.ready, p.role]).sort(), [
        ['booking-0', 'booking', NS, true, undefined],
        ['booking-1', 'booking', NS, true, 'leader'],
        ['booking-2', 'booking', NS, false, undefined],
      ]);
      const stored = await apis().core.readNamespacedPod({ name: 'booking-0', namespace: NS });
      assert.equal(pods.find((p) => p.name === 'booking-0')?.uid, stored.metadata?.uid);
      assert.deepEqual(
        (await listPods(apis(), NS, { labels: { app: 'web' } })).map((p) => p.service),
        ['web', 'web'],
        'the selector is applied by the server',
      );
    } finally {
      await cluster.kube.simulator.setReady(NS, 'booking-2', true);
    }
  });

  test('pod-kill on a StatefulSet pod: the StatefulSet controller recreates the name with a new uid', async () => {
    const [target] = (await listPods(apis(), NS, { labels: { app: 'booking' } })).filter(
      (p) => p.name === 'booking-0',
    );
    assert.ok(target);
    const killed = await killPod(apis(), target);
    assert.equal(killed.uid, target.uid, 'DELETE returns the pod being deleted');
    const check = await verifyPodReplaced(
      apis(),
      { ...target, uid: killed.uid },
      {
        labels: { app: 'booking' },
        before: ['booking-0', 'booking-1', 'booking-2'],
        timeoutMs: 30_000,
        intervalMs: 20,
      },
    );
    assert.equal(check.replaced, true, check.observed);
    assert.match(check.observed, new RegExp(`pod booking-0 recreated: uid ${target.uid} -> `));
    const again = await waitForReadyPod(apis(), NS, 'booking-0');
    assert.notEqual(again.metadata?.uid, target.uid);
    assert.equal(again.metadata?.ownerReferences?.[0]?.kind, 'StatefulSet');
  });

  test('pod-kill on a Deployment pod: the ReplicaSet controller replaces it under a new name and uid', async () => {
    const before = await listPods(apis(), NS, { labels: { app: 'web' } });
    const target = before[0];
    assert.ok(target);
    const killed = await killPod(apis(), target);
    const check = await verifyPodReplaced(
      apis(),
      { ...target, uid: killed.uid },
      {
        labels: { app: 'web' },
        before: before.map((p) => p.name),
        timeoutMs: 30_000,
        intervalMs: 20,
      },
    );
    assert.equal(check.replaced, true, check.observed);
    const replacement = check.replacement ?? '';
    assert.ok(!before.some((p) => p.name === replacement), `${replacement} is a new pod`);
    const pod = await waitForReadyPod(apis(), NS, replacement);
    assert.notEqual(pod.metadata?.uid, target.uid);
    const owner = pod.metadata?.ownerReferences?.[0];
    assert.equal(owner?.kind, 'ReplicaSet', 'made by the ReplicaSet controller');
    assert.match(owner?.name ?? '', /^web-/);
    assert.equal(await readPod(apis(), NS, target.name), undefined, 'the killed pod is gone');
  });

  test('negative control: a pod no controller owns is not replaced, and not verified', async () => {
    await apis().core.createNamespacedPod({
      namespace: NS,
      body: {
        metadata: { name: 'lonely', labels: { app: 'lonely', ...OPT_IN } },
        spec: { containers: [{ name: 'app', image: 'faultline:dev' }] },
      },
    });
    const pod = await waitForReadyPod(apis(), NS, 'lonely');
    const killed = await killPod(apis(), { name: 'lonely', namespace: NS });
    const check = await verifyPodReplaced(
      apis(),
      { name: 'lonely', namespace: NS, uid: killed.uid },
      { labels: { app: 'lonely' }, before: ['lonely'], timeoutMs: 1_000, intervalMs: 50 },
    );
    assert.equal(check.replaced, false);
    assert.equal(killed.uid, pod.metadata?.uid);
    assert.match(check.observed, /lonely is gone and no replacement exists yet/);
  });
});

describe('NetworkPolicy partition', () => {
  test('apply labels the pod then creates a policy labelled with the experiment; recover removes both', async () => {
    const partition = new NetworkPolicyPartition(apis());
    const applied = await partition.apply({
      experimentId: 'exp-1',
      namespace: NS,
      pods: ['booking-1'],
      link: 'redis',
    });
    assert.deepEqual(applied, {
      experimentId: 'exp-1',
      namespace: NS,
      policyName: 'faultline-partition-exp-1',
      pods: ['booking-1'],
    });
    const policy = await apis().networking.readNamespacedNetworkPolicy({
      name: 'faultline-partition-exp-1',
      namespace: NS,
    });
    assert.equal(policy.metadata?.labels?.[EXPERIMENT_LABEL], 'exp-1');
    assert.deepEqual(plain(policy.spec?.podSelector), {
      matchLabels: { [PARTITIONED_POD_LABEL]: 'exp-1' },
    });
    assert.deepEqual(policy.spec?.policyTypes, ['Ingress', 'Egress']);
    assert.deepEqual(plain(policy.spec?.egress?.[0]?.to?.[0]), {
      podSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['redis'] }] },
    });
    assert.equal(
      policy.spec?.ingress?.[0]?._from?.length,
      2,
      'the server kept both peers of `from`',
    );
    const pod = await readPod(apis(), NS, 'booking-1');
    assert.equal(pod?.metadata?.labels?.[PARTITIONED_POD_LABEL], 'exp-1');

    await partition.recover(applied);
    await assert.rejects(
      apis().networking.readNamespacedNetworkPolicy({ name: applied.policyName, namespace: NS }),
      (e: unknown) => isNotFound(e),
    );
    const after = await readPod(apis(), NS, 'booking-1');
    assert.equal(after?.metadata?.labels?.[PARTITIONED_POD_LABEL], undefined);
    assert.equal(after?.metadata?.labels?.app, 'booking', 'other labels untouched');
    await partition.recover(applied); // idempotent: already gone is fine
  });

  test('without a link the stored policy denies all ingress and egress', async () => {
    const partition = new NetworkPolicyPartition(apis());
    const applied = await partition.apply({
      experimentId: 'exp-2',
      namespace: NS,
      pods: ['booking-2'],
    });
    const policy = await apis().networking.readNamespacedNetworkPolicy({
      name: applied.policyName,
      namespace: NS,
    });
    assert.equal(policy.spec?.ingress, undefined);
    assert.equal(policy.spec?.egress, undefined);
    assert.deepEqual(policy.spec?.policyTypes, ['Ingress', 'Egress']);
    await partition.recover(applied);
  });

  test('findStale: policies whose experiment is gone or finished', async () => {
    const partition = new NetworkPolicyPartition(apis());
    const resources = new ExperimentResources(apis());
    const spec = { target: { service: 'booking' }, fault: { type: 'pod-kill' }, duration: '30s' };
    for (const id of ['running', 'finished', 'deleted'])
      await partition.apply({ experimentId: id, namespace: NS, pods: ['booking-2'] });
    await createExperiment(apis(), NS, 'running', spec);
    await createExperiment(apis(), NS, 'finished', spec);
    await resources.patchStatus(NS, 'running', { phase: 'Running' });
    await resources.patchStatus(NS, 'finished', { phase: 'Completed' });
    try {
      const stale = await partition.findStale(NS, (id) => resources.isLive(NS, id));
      assert.deepEqual(stale.map((s) => s.experimentId).sort(), ['deleted', 'finished']);
      for (const s of stale) await partition.recover(s);
      const left = await apis().networking.listNamespacedNetworkPolicy({ namespace: NS });
      assert.deepEqual(
        left.items.map((p) => p.metadata?.name),
        ['faultline-partition-running'],
      );
    } finally {
      await partition.recover({
        experimentId: 'running',
        namespace: NS,
        policyName: 'faultline-partition-running',
        pods: ['booking-2'],
      });
      await deleteExperiment(apis(), NS, 'running');
      await deleteExperiment(apis(), NS, 'finished');
    }
  });
});

describe('Experiment objects through the CRD', () => {
  const spec = {
    target: { service: 'booking', selector: { app: 'booking' }, mode: 'one' },
    fault: { type: 'pod-kill' },
    duration: '30s',
  };

  test('get, list, and a missing object', async () => {
    await createExperiment(apis(), NS, 'kill', spec);
    try {
      const r = new ExperimentResources(apis());
      const got = await r.get(NS, 'kill');
      assert.equal(got?.metadata.name, 'kill');
      assert.equal(got?.metadata.generation, 1);
      assert.equal(await r.get(NS, 'nope'), undefined);
      const listed = await r.listWithVersion(NS);
      assert.deepEqual(
        listed.items.map((o) => o.metadata.name),
        ['kill'],
      );
      assert.match(listed.resourceVersion ?? '', /^\d+$/);
    } finally {
      await deleteExperiment(apis(), NS, 'kill');
    }
  });

  test('patchStatus goes through the status subresource: spec and generation stay as they were', async () => {
    const created = await createExperiment(apis(), NS, 'status-only', spec);
    try {
      const status = {
        phase: 'Running' as const,
        targets: [{ pod: 'booking-0', namespace: NS, uid: 'u-1', service: 'booking' }],
        verification: [{ pod: 'booking-0', outcome: 'verified' as const, observed: 'recreated' }],
      };
      const updated = await new ExperimentResources(apis()).patchStatus(NS, 'status-only', status);
      assert.deepEqual(updated.status, status);
      assert.deepEqual(updated.spec, created.spec, 'the status subresource leaves spec alone');
      assert.equal(updated.metadata.generation, 1, 'a status write is not a new generation');
      // And the main resource ignores status: what a controller must not rely on.
      await apis().custom.patchNamespacedCustomObject(
        {
          group: 'chaos.faultline.dev',
          version: 'v1alpha1',
          namespace: NS,
          plural: 'experiments',
          name: 'status-only',
          body: { status: { phase: 'Failed' } },
        },
        MERGE_PATCH,
      );
      const after = await new ExperimentResources(apis()).get(NS, 'status-only');
      assert.equal(after?.status?.phase, 'Running');
    } finally {
      await deleteExperiment(apis(), NS, 'status-only');
    }
  });

  test('setFinalizers with a stale resourceVersion: the API server answers 409 Conflict', async () => {
    const created = await createExperiment(apis(), NS, 'fin', spec);
    const r = new ExperimentResources(apis());
    const rv = created.metadata.resourceVersion;
    const updated = await r.setFinalizers(NS, 'fin', ['chaos.faultline.dev/recover'], rv);
    assert.deepEqual(updated.metadata.finalizers, ['chaos.faultline.dev/recover']);
    await assert.rejects(
      r.setFinalizers(NS, 'fin', [], rv),
      (e: { code?: number }) => e.code === 409,
    );
    await r.setFinalizers(NS, 'fin', [], updated.metadata.resourceVersion);
    await deleteExperiment(apis(), NS, 'fin');
  });

  test('watch: ADDED, MODIFIED and DELETED from the server, resumed from a list version', async () => {
    const r = new ExperimentResources(apis());
    const { resourceVersion } = await r.listWithVersion(NS);
    const events: [WatchEventType, ExperimentObject][] = [];
    const ctl = await r.watch(
      NS,
      (t, o) => events.push([t, o]),
      () => {},
      resourceVersion,
    );
    try {
      await createExperiment(apis(), NS, 'watched', spec);
      await r.patchStatus(NS, 'watched', { phase: 'Running' });
      await deleteExperiment(apis(), NS, 'watched');
      const seen = () =>
        events.filter(([t]) => t !== 'BOOKMARK').map(([t, o]) => [t, o.metadata.name]);
      await waitFor(() => seen().length >= 3 || undefined, 'three watch events', 10_000);
      assert.deepEqual(seen(), [
        ['ADDED', 'watched'],
        ['MODIFIED', 'watched'],
        ['DELETED', 'watched'],
      ]);
    } finally {
      ctl.abort();
    }
  });

  test('the CRD schema refuses what it can say is wrong (an unknown fault type) before the controller sees it', async () => {
    await assert.rejects(
      createExperiment(apis(), NS, 'bad-type', { ...spec, fault: { type: 'meteor' } }),
      (e: unknown) =>
        apiError(e).code === 422 &&
        /spec\.fault\.type: Unsupported value: "meteor"/.test(apiError(e).message),
    );
  });

  test('every shipped example, stored through the API server, comes back as a spec the controller accepts', async () => {
    const dir = fileURLToPath(new URL('../../examples/', import.meta.url));
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    assert.ok(files.length >= 5, files.join());
    for (const file of files) {
      const doc = parse(readFileSync(`${dir}${file}`, 'utf8')) as {
        metadata: { name: string };
        spec: Record<string, unknown>;
      };
      const name = `example-${doc.metadata.name}`.slice(0, 63);
      const stored = await createExperiment(apis(), NS, name, doc.spec);
      try {
        const parsed = parseExperimentObjectSpec(stored);
        assert.ok(
          parsed.ok,
          `${file}: ${parsed.ok ? '' : JSON.stringify(parsed.problems)} (stored spec ${JSON.stringify(stored.spec)})`,
        );
      } finally {
        await deleteExperiment(apis(), NS, name);
      }
    }
  });
});
