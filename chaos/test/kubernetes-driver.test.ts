/**
 * Contract tests of the kubernetes driver against an API fake that serves the real API's JSON
 * shapes and records every call. Not run against a cluster here (no Docker on our machines):
 * these assert that we send exactly the requests the API expects and read its answers right.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { waitFor } from '@faultline/kit/testing/child-process';
import { createKubeApis, kubeConfigForServer } from '../src/kubernetes/kube-apis.js';
import type { KubeApis } from '../src/kubernetes/kube-apis.js';
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
import { experimentJson, podJson, startKubeApiFake } from './kube-api-fake.js';
import type { KubeApiFake, RecordedCall } from './kube-api-fake.js';

const NS = 'faultline';
const OPT_IN = { 'chaos.faultline.dev/enabled': 'true' };
let fake: KubeApiFake;
let apis: KubeApis;

before(async () => {
  fake = await startKubeApiFake();
  apis = createKubeApis(kubeConfigForServer(fake.url, 'test-token'));
});
after(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.calls.length = 0;
  for (const m of Object.values(fake.store)) m.clear();
  fake.onPodDelete = 'recreate';
  for (let i = 0; i < 3; i++) {
    const labels: Record<string, string> = { app: 'booking', ...OPT_IN };
    if (i === 1) labels['chaos.faultline.dev/role'] = 'leader';
    fake.store.pods.set(`${NS}/booking-${i}`, podJson(NS, `booking-${i}`, labels, i !== 2));
  }
  fake.store.pods.set(`${NS}/redis-0`, podJson(NS, 'redis-0', { app: 'redis' }));
});

/** The calls made, without the fields a test does not look at. */
function calls(): Pick<RecordedCall, 'method' | 'path' | 'query'>[] {
  return fake.calls.map(({ method, path, query }) => ({ method, path, query }));
}

describe('pods', () => {
  test('listPods: GET pods with a labelSelector; ready and role from the Pod JSON', async () => {
    const pods = await listPods(apis, NS, { labels: { app: 'booking' } });
    assert.deepEqual(calls(), [
      {
        method: 'GET',
        path: `/api/v1/namespaces/${NS}/pods`,
        query: { labelSelector: 'app=booking' },
      },
    ]);
    assert.equal(fake.calls[0]?.authorization, 'Bearer test-token');
    assert.deepEqual(
      pods.map((p) => [p.name, p.service, p.namespace, p.ready, p.role]),
      [
        ['booking-0', 'booking', NS, true, undefined],
        ['booking-1', 'booking', NS, true, 'leader'],
        ['booking-2', 'booking', NS, false, undefined],
      ],
    );
    assert.match(pods[0]?.uid ?? '', /^[0-9a-f-]{36}$/);
  });

  test('pod-kill: DELETE with gracePeriodSeconds=0, verified by a new uid (StatefulSet)', async () => {
    const [target] = await listPods(apis, NS, { labels: { app: 'booking' } });
    assert.ok(target);
    fake.calls.length = 0;
    const killed = await killPod(apis, target);
    assert.equal(killed.uid, target.uid, 'DELETE returns the Pod being deleted');
    const check = await verifyPodReplaced(
      apis,
      { ...target, uid: killed.uid },
      {
        labels: { app: 'booking' },
        before: ['booking-0', 'booking-1', 'booking-2'],
        timeoutMs: 5_000,
        intervalMs: 20,
      },
    );
    assert.equal(check.replaced, true, check.observed);
    assert.match(check.observed, new RegExp(`pod booking-0 recreated: uid ${target.uid} -> `));
    assert.deepEqual(calls().slice(0, 2), [
      {
        method: 'DELETE',
        path: `/api/v1/namespaces/${NS}/pods/booking-0`,
        query: { gracePeriodSeconds: '0' },
      },
      { method: 'GET', path: `/api/v1/namespaces/${NS}/pods/booking-0`, query: {} },
    ]);
  });

  test('pod-kill verified by a replacement under a new name (Deployment)', async () => {
    fake.onPodDelete = 'replace';
    const [target] = await listPods(apis, NS, { labels: { app: 'booking' } });
    assert.ok(target);
    await killPod(apis, target);
    const check = await verifyPodReplaced(apis, target, {
      labels: { app: 'booking' },
      before: ['booking-0', 'booking-1', 'booking-2'],
      timeoutMs: 5_000,
      intervalMs: 20,
    });
    assert.equal(check.replaced, true, check.observed);
    assert.match(check.replacement ?? '', /^booking-0-r\d+$/);
  });

  test('negative control: a pod that is not replaced is reported as not verified', async () => {
    fake.onPodDelete = 'stay';
    const [target] = await listPods(apis, NS, { labels: { app: 'booking' } });
    assert.ok(target);
    await killPod(apis, target);
    const check = await verifyPodReplaced(apis, target, {
      labels: { app: 'booking' },
      before: [],
      timeoutMs: 200,
      intervalMs: 20,
    });
    assert.equal(check.replaced, false);
    assert.match(check.observed, /booking-0 is terminating/);
  });
});

describe('NetworkPolicy partition', () => {
  test('apply labels the pods (merge patch) then creates a policy labelled with the experiment', async () => {
    const partition = new NetworkPolicyPartition(apis);
    const applied = await partition.apply({
      experimentId: 'exp-1',
      namespace: NS,
      pods: ['booking-0'],
      link: 'redis',
    });
    assert.deepEqual(calls(), [
      { method: 'PATCH', path: `/api/v1/namespaces/${NS}/pods/booking-0`, query: {} },
      {
        method: 'POST',
        path: `/apis/networking.k8s.io/v1/namespaces/${NS}/networkpolicies`,
        query: {},
      },
    ]);
    const [patch, create] = fake.calls;
    assert.equal(patch?.contentType, 'application/merge-patch+json');
    assert.deepEqual(patch?.body, { metadata: { labels: { [PARTITIONED_POD_LABEL]: 'exp-1' } } });
    const policy = create?.body as {
      metadata: { name: string; labels: Record<string, string> };
      spec: {
        podSelector: unknown;
        policyTypes: string[];
        ingress: { from: unknown[] }[];
        egress: { to: unknown[] }[];
      };
    };
    assert.equal(policy.metadata.name, 'faultline-partition-exp-1');
    assert.equal(policy.metadata.labels[EXPERIMENT_LABEL], 'exp-1');
    assert.deepEqual(policy.spec.podSelector, {
      matchLabels: { [PARTITIONED_POD_LABEL]: 'exp-1' },
    });
    assert.deepEqual(policy.spec.policyTypes, ['Ingress', 'Egress']);
    assert.ok(
      Array.isArray(policy.spec.ingress[0]?.from),
      'serialized as `from`, the API field name',
    );
    assert.deepEqual(policy.spec.egress[0]?.to[0], {
      podSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['redis'] }] },
    });
    assert.equal(
      fake.store.pods.get(`${NS}/booking-0`)?.metadata.labels?.[PARTITIONED_POD_LABEL],
      'exp-1',
    );
    assert.deepEqual(applied, {
      experimentId: 'exp-1',
      namespace: NS,
      policyName: 'faultline-partition-exp-1',
      pods: ['booking-0'],
    });

    fake.calls.length = 0;
    await partition.recover(applied);
    assert.deepEqual(calls(), [
      {
        method: 'DELETE',
        path: `/apis/networking.k8s.io/v1/namespaces/${NS}/networkpolicies/faultline-partition-exp-1`,
        query: {},
      },
      { method: 'PATCH', path: `/api/v1/namespaces/${NS}/pods/booking-0`, query: {} },
    ]);
    assert.deepEqual(fake.calls[1]?.body, {
      metadata: { labels: { [PARTITIONED_POD_LABEL]: null } },
    });
    assert.equal(fake.store.networkpolicies.size, 0, 'no policy left behind');
    assert.equal(
      fake.store.pods.get(`${NS}/booking-0`)?.metadata.labels?.[PARTITIONED_POD_LABEL],
      undefined,
    );
    await partition.recover(applied); // idempotent: already gone is fine
  });

  test('without a link the policy denies all ingress and egress', async () => {
    await new NetworkPolicyPartition(apis).apply({
      experimentId: 'exp-2',
      namespace: NS,
      pods: ['booking-1'],
    });
    const policy = fake.calls.at(-1)?.body as { spec: Record<string, unknown> };
    assert.deepEqual(Object.keys(policy.spec).sort(), ['podSelector', 'policyTypes']);
  });

  test('findStale lists policies whose experiment is gone or finished', async () => {
    const partition = new NetworkPolicyPartition(apis);
    const resources = new ExperimentResources(apis);
    for (const id of ['running', 'finished', 'deleted']) {
      await partition.apply({ experimentId: id, namespace: NS, pods: ['booking-0'] });
    }
    fake.store.experiments.set(
      `${NS}/running`,
      experimentJson(NS, 'running', {}, { phase: 'Running' }),
    );
    fake.store.experiments.set(
      `${NS}/finished`,
      experimentJson(NS, 'finished', {}, { phase: 'Completed' }),
    );
    fake.calls.length = 0;
    const stale = await partition.findStale(NS, (id) => resources.isLive(NS, id));
    assert.deepEqual(stale.map((s) => s.experimentId).sort(), ['deleted', 'finished']);
    assert.deepEqual(calls()[0], {
      method: 'GET',
      path: `/apis/networking.k8s.io/v1/namespaces/${NS}/networkpolicies`,
      query: { labelSelector: EXPERIMENT_LABEL },
    });
    for (const s of stale) await partition.recover(s);
    assert.deepEqual([...fake.store.networkpolicies.keys()], [`${NS}/faultline-partition-running`]);
  });
});

describe('Experiment objects', () => {
  const spec = {
    target: { service: 'booking', selector: { app: 'booking' }, mode: 'one' },
    fault: { type: 'pod-kill' },
    duration: '30s',
  };

  test('get, list, and a missing object', async () => {
    fake.store.experiments.set(`${NS}/kill`, experimentJson(NS, 'kill', spec));
    const r = new ExperimentResources(apis);
    assert.equal((await r.get(NS, 'kill'))?.metadata.name, 'kill');
    assert.equal(await r.get(NS, 'nope'), undefined);
    assert.equal((await r.list(NS)).length, 1);
    assert.deepEqual(calls(), [
      {
        method: 'GET',
        path: `/apis/chaos.faultline.dev/v1alpha1/namespaces/${NS}/experiments/kill`,
        query: {},
      },
      {
        method: 'GET',
        path: `/apis/chaos.faultline.dev/v1alpha1/namespaces/${NS}/experiments/nope`,
        query: {},
      },
      {
        method: 'GET',
        path: `/apis/chaos.faultline.dev/v1alpha1/namespaces/${NS}/experiments`,
        query: {},
      },
    ]);
  });

  test('patchStatus: PATCH the status subresource with a merge patch', async () => {
    fake.store.experiments.set(`${NS}/kill`, experimentJson(NS, 'kill', spec));
    const status = {
      phase: 'Running' as const,
      conditions: [
        {
          type: 'Applied',
          status: 'True' as const,
          reason: 'PodDeleted',
          lastTransitionTime: '2025-01-01T00:00:05Z',
        },
      ],
      targets: [{ pod: 'booking-0', namespace: NS, uid: 'u-1', service: 'booking' }],
      verification: [
        { pod: 'booking-0', outcome: 'verified' as const, observed: 'pod booking-0 recreated' },
      ],
    };
    const updated = await new ExperimentResources(apis).patchStatus(NS, 'kill', status);
    assert.deepEqual(calls(), [
      {
        method: 'PATCH',
        path: `/apis/chaos.faultline.dev/v1alpha1/namespaces/${NS}/experiments/kill/status`,
        query: {},
      },
    ]);
    assert.equal(fake.calls[0]?.contentType, 'application/merge-patch+json');
    assert.deepEqual(fake.calls[0]?.body, { status });
    assert.deepEqual(updated.status, status);
    assert.deepEqual(updated.spec, spec, 'the status subresource leaves spec alone');
  });

  test('setFinalizers: merge patch on the object, conditional on resourceVersion', async () => {
    const obj = experimentJson(NS, 'kill', spec);
    fake.store.experiments.set(`${NS}/kill`, obj);
    const r = new ExperimentResources(apis);
    const rv = String(obj.metadata.resourceVersion);
    const updated = await r.setFinalizers(NS, 'kill', ['chaos.faultline.dev/recover'], rv);
    assert.deepEqual(updated.metadata.finalizers, ['chaos.faultline.dev/recover']);
    assert.deepEqual(fake.calls[0]?.body, {
      metadata: { finalizers: ['chaos.faultline.dev/recover'], resourceVersion: rv },
    });
    await assert.rejects(
      r.setFinalizers(NS, 'kill', [], rv),
      (e: { code?: number }) => e.code === 409,
    );
  });

  test('watch: GET ?watch=true streams events until aborted', async () => {
    const events: [WatchEventType, ExperimentObject][] = [];
    let done = false;
    const ctl = await new ExperimentResources(apis).watch(
      NS,
      (t, o) => events.push([t, o]),
      () => (done = true),
    );
    await waitFor(() => fake.watchers() === 1 || undefined, 'watch open', 5_000);
    const watchCall = fake.calls.find((c) => c.query.watch === 'true');
    assert.equal(
      watchCall?.path,
      `/apis/chaos.faultline.dev/v1alpha1/namespaces/${NS}/experiments`,
    );
    assert.equal(watchCall?.query.allowWatchBookmarks, 'true');
    fake.emitExperiment('ADDED', experimentJson(NS, 'kill', spec));
    fake.emitExperiment('DELETED', experimentJson(NS, 'kill', spec));
    await waitFor(() => events.length === 2 || undefined, 'two watch events', 5_000);
    assert.deepEqual(
      events.map(([t, o]) => [t, o.metadata.name]),
      [
        ['ADDED', 'kill'],
        ['DELETED', 'kill'],
      ],
    );
    ctl.abort();
    await waitFor(() => done || fake.watchers() === 0 || undefined, 'watch closed', 5_000);
  });

  test('an object spec is validated with the file schema', () => {
    const ok = parseExperimentObjectSpec(
      experimentJson(NS, 'kill', spec) as unknown as ExperimentObject,
    );
    assert.ok(ok.ok);
    assert.equal(ok.spec.duration, 30_000);
    const bad = parseExperimentObjectSpec(
      experimentJson(NS, 'kill', { ...spec, duration: '-1s' }) as unknown as ExperimentObject,
    );
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.equal(bad.problems[0]?.path, 'spec.duration');
  });
});
