/**
 * Contract tests of the kubernetes PlatformDriver against the API fake (not a cluster: there is
 * no Docker here), with a real faultline agent as booking-0's sidecar: the exact API calls of
 * each fault, and the engine (`runExperiment`) running a pod-kill and a NetworkPolicy partition
 * through the driver end to end.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { waitFor } from '@faultline/kit/testing/child-process';
import type { Experiment } from '../src/experiment/spec.js';
import { experimentSchema } from '../src/experiment/spec.js';
import { runExperiment } from '../src/engine/experiment-run.js';
import type { FaultOrder } from '../src/engine/platform-driver.js';
import { createKubeApis, kubeConfigForServer } from '../src/kubernetes/kube-apis.js';
import type { KubeApis } from '../src/kubernetes/kube-apis.js';
import { KubernetesDriver } from '../src/kubernetes/kubernetes-driver.js';
import {
  EXPERIMENT_LABEL,
  PARTITIONED_POD_LABEL,
} from '../src/kubernetes/network-policy-partition.js';
import { startKubeApiFake } from './kube-api-fake.js';
import type { KubeApiFake, RecordedCall } from './kube-api-fake.js';
import {
  adminPort,
  NS,
  processState,
  resetCluster,
  startBookingSidecar,
} from './kube-cluster-helpers.js';
import type { BookingSidecar } from './kube-cluster-helpers.js';

let fake: KubeApiFake;
let apis: KubeApis;
let sidecar: BookingSidecar;
let driver: KubernetesDriver;

before(async () => {
  fake = await startKubeApiFake();
  apis = createKubeApis(kubeConfigForServer(fake.url, 'test-token'));
  sidecar = await startBookingSidecar();
  driver = new KubernetesDriver({
    apis,
    namespace: NS,
    agentTokenFile: sidecar.tokenFile,
    pollMs: 20,
    replaceTimeoutMs: 5_000,
  });
});
after(async () => {
  await sidecar?.close();
  await fake?.close();
});
beforeEach(() => resetCluster(fake, adminPort(sidecar.agent)));

function calls(): Pick<RecordedCall, 'method' | 'path' | 'query'>[] {
  return fake.calls.map(({ method, path, query }) => ({ method, path, query }));
}

function experiment(spec: Record<string, unknown>): Experiment {
  return experimentSchema().parse({
    apiVersion: 'chaos.faultline.dev/v1alpha1',
    kind: 'Experiment',
    metadata: { name: 'k8s-test', namespace: NS },
    spec,
  });
}

const booking0 = { 'statefulset.kubernetes.io/pod-name': 'booking-0' };

async function orderFor(spec: Record<string, unknown>): Promise<FaultOrder> {
  const candidates = await driver.listCandidates({ service: 'booking', roles: false });
  const target = candidates.find((c) => c.name === 'booking-0');
  assert.ok(target);
  const e = experiment(spec);
  return {
    experimentId: 'exp-d1',
    fault: e.spec.fault,
    target,
    ...(e.spec.target.link ? { link: e.spec.target.link } : {}),
    ttlMs: 5_000,
    seed: 1,
  };
}

describe('KubernetesDriver', () => {
  test('listCandidates: GET pods by the service label; uid, readiness and namespace from the API', async () => {
    const pods = await driver.listCandidates({ service: 'booking', roles: true });
    assert.deepEqual(calls(), [
      {
        method: 'GET',
        path: `/api/v1/namespaces/${NS}/pods`,
        query: { labelSelector: 'app=booking' },
      },
    ]);
    assert.deepEqual(
      pods.map((p) => [p.name, p.service, p.namespace, p.ready]),
      [
        ['booking-0', 'booking', NS, true],
        ['booking-1', 'booking', NS, true],
        ['booking-2', 'booking', NS, true],
      ],
    );
    assert.equal(pods[0]?.uid, fake.store.pods.get(`${NS}/booking-0`)?.metadata.uid);
  });

  test('pod-kill: list, DELETE with gracePeriodSeconds=0; verified by the new uid', async () => {
    const order = await orderFor({
      target: { service: 'booking', selector: booking0 },
      fault: { type: 'pod-kill' },
      duration: '1s',
    });
    fake.calls.length = 0;
    const applied = await driver.apply(order);
    assert.deepEqual(calls(), [
      {
        method: 'GET',
        path: `/api/v1/namespaces/${NS}/pods`,
        query: { labelSelector: 'app=booking' },
      },
      {
        method: 'DELETE',
        path: `/api/v1/namespaces/${NS}/pods/booking-0`,
        query: { gracePeriodSeconds: '0' },
      },
    ]);
    assert.equal(applied[0]?.kind, 'one-shot');
    assert.equal(applied[0]?.uid, order.target.uid);
    const v = await driver.verify(order, applied);
    assert.equal(v.outcome, 'verified', v.observed);
    assert.match(v.observed, new RegExp(`uid ${order.target.uid} -> `));
  });

  test('pod-kill negative control: a pod that is not replaced is not verified', async () => {
    fake.onPodDelete = 'stay';
    const order = await orderFor({
      target: { service: 'booking', selector: booking0 },
      fault: { type: 'pod-kill' },
      duration: '1s',
    });
    const short = new KubernetesDriver({
      apis,
      namespace: NS,
      agentTokenFile: sidecar.tokenFile,
      pollMs: 20,
      replaceTimeoutMs: 200,
    });
    const v = await short.verify(order, await short.apply(order));
    assert.equal(v.outcome, 'not-verified');
  });

  test('partition (networkpolicy): label + policy labelled with the experiment; recover deletes both', async () => {
    const order = await orderFor({
      target: { service: 'booking', selector: booking0, link: 'redis' },
      fault: { type: 'partition', mode: 'hard', mechanism: 'networkpolicy' },
      duration: '1s',
    });
    fake.calls.length = 0;
    const applied = await driver.apply(order);
    assert.deepEqual(calls(), [
      { method: 'PATCH', path: `/api/v1/namespaces/${NS}/pods/booking-0`, query: {} },
      {
        method: 'POST',
        path: `/apis/networking.k8s.io/v1/namespaces/${NS}/networkpolicies`,
        query: {},
      },
    ]);
    const policy = fake.store.networkpolicies.get(`${NS}/faultline-partition-exp-d1`);
    assert.equal(policy?.metadata.labels?.[EXPERIMENT_LABEL], 'exp-d1');
    assert.deepEqual(
      applied.map((a) => [a.kind, a.faultId, a.link]),
      [['platform', 'faultline-partition-exp-d1', 'redis']],
    );
    const v = await driver.verify(order, applied);
    assert.equal(v.outcome, 'verified', v.observed);
    assert.match(
      v.observed,
      /^API: NetworkPolicy faultline-partition-exp-d1 \(denies traffic to and from redis pods\) selects pod booking-0/,
    );
    assert.equal(await driver.renew(applied[0]!, 1000), true);
    assert.deepEqual(await driver.discoverApplied(order).then((d) => d.map((a) => a.faultId)), [
      'faultline-partition-exp-d1',
    ]);

    fake.calls.length = 0;
    await driver.recover(applied[0]!);
    assert.deepEqual(calls(), [
      {
        method: 'DELETE',
        path: `/apis/networking.k8s.io/v1/namespaces/${NS}/networkpolicies/faultline-partition-exp-d1`,
        query: {},
      },
      { method: 'PATCH', path: `/api/v1/namespaces/${NS}/pods/booking-0`, query: {} },
    ]);
    assert.equal(fake.store.networkpolicies.size, 0);
    assert.equal(
      fake.store.pods.get(`${NS}/booking-0`)?.metadata.labels?.[PARTITIONED_POD_LABEL],
      undefined,
    );
    assert.equal(await driver.isActive(applied[0]!), false);
    assert.equal(await driver.renew(applied[0]!, 1000), false, 'a deleted policy is not renewed');
  });

  test('pod-pause through the pod agent (podIP + annotated port, token file): real SIGSTOP, reported unverifiable', async () => {
    const order = await orderFor({
      target: { service: 'booking', selector: booking0 },
      fault: { type: 'pod-pause' },
      duration: '1s',
    });
    fake.calls.length = 0;
    const applied = await driver.apply(order);
    assert.deepEqual(calls(), [
      { method: 'GET', path: `/api/v1/namespaces/${NS}/pods/booking-0`, query: {} },
    ]);
    assert.equal(applied[0]?.agentUrl, `http://127.0.0.1:${adminPort(sidecar.agent)}`);
    const held = sidecar.agent.activeFaults();
    assert.deepEqual(
      held.map((f) => [f.type, f.experiment, f.ttlMs]),
      [['pause', 'exp-d1', 5000]],
    );
    assert.equal(await processState(sidecar.app.pid!), 'T', 'the app is really stopped');
    const v = await driver.verify(order, applied);
    assert.equal(v.outcome, 'unverifiable');
    assert.match(v.observed, new RegExp(`holds pause \\(pid ${sidecar.app.pid}\\) ${held[0]?.id}`));
    assert.equal(await driver.renew(applied[0], 4000), true);
    assert.deepEqual(
      (await driver.discoverApplied(order)).map((a) => a.faultId),
      [held[0]?.id],
    );
    await driver.recover(applied[0]);
    assert.deepEqual(sidecar.agent.activeFaults(), []);
    await waitFor(
      async () => (await processState(sidecar.app.pid!)) !== 'T' || undefined,
      'resumed',
      5_000,
    );
    assert.equal(await driver.isActive(applied[0]), false);
    assert.equal(await driver.renew(applied[0], 1000), false);
  });

  test('a wrong agent token is an error naming the agent status, not a silent success', async () => {
    const order = await orderFor({
      target: { service: 'booking', selector: booking0 },
      fault: { type: 'pod-pause' },
      duration: '1s',
    });
    const bad = join(mkdtempSync(join(tmpdir(), 'faultline-bad-')), 'token');
    writeFileSync(bad, 'not-the-token\n');
    const wrong = new KubernetesDriver({ apis, namespace: NS, agentTokenFile: bad });
    await assert.rejects(wrong.apply(order), /agent answered 401/);
    assert.deepEqual(sidecar.agent.activeFaults(), []);
  });
});

describe('the engine through the kubernetes driver', () => {
  test('pod-kill end to end: Completed, verified by a new uid', async () => {
    const lines: string[] = [];
    const uidBefore = fake.store.pods.get(`${NS}/booking-0`)?.metadata.uid;
    const out = await runExperiment({
      driver,
      experiment: experiment({
        target: { service: 'booking', selector: booking0 },
        fault: { type: 'pod-kill' },
        duration: '1s',
      }),
      file: 'k8s-test.yaml',
      durationMs: 300,
      onProgress: (l) => lines.push(l),
    });
    assert.equal(out.exitCode, 0, lines.join('\n'));
    assert.equal(out.record.phase, 'Completed');
    assert.equal(out.record.platform, 'kubernetes');
    assert.deepEqual(
      out.record.targets.map((t) => [t.pod, t.uid]),
      [['booking-0', uidBefore]],
    );
    assert.equal(
      out.record.verification[0]?.outcome,
      'verified',
      out.record.verification[0]?.observed,
    );
    assert.notEqual(fake.store.pods.get(`${NS}/booking-0`)?.metadata.uid, uidBefore);
    assert.ok(fake.calls.some((c) => c.method === 'DELETE' && c.query.gracePeriodSeconds === '0'));
  });

  test('networkpolicy partition end to end: the policy is created, verified, then deleted', async () => {
    const lines: string[] = [];
    const out = await runExperiment({
      driver,
      experiment: experiment({
        target: { service: 'booking', selector: booking0 },
        fault: { type: 'partition', mode: 'hard', mechanism: 'networkpolicy' },
        duration: '1s',
      }),
      file: 'k8s-test.yaml',
      durationMs: 500,
      renewIntervalMs: 100,
      onProgress: (l) => lines.push(l),
    });
    assert.equal(out.exitCode, 0, lines.join('\n'));
    assert.equal(out.record.phase, 'Completed');
    assert.equal(out.record.verification[0]?.outcome, 'verified');
    const id = out.record.id;
    const policyPath = `/apis/networking.k8s.io/v1/namespaces/${NS}/networkpolicies`;
    const created = fake.calls.find((c) => c.method === 'POST' && c.path === policyPath);
    assert.equal(
      (created?.body as { metadata: { labels: Record<string, string> } }).metadata.labels[
        EXPERIMENT_LABEL
      ],
      id,
    );
    assert.ok(
      fake.calls.some(
        (c) => c.method === 'DELETE' && c.path === `${policyPath}/faultline-partition-${id}`,
      ),
      'deleted at the end',
    );
    assert.equal(fake.store.networkpolicies.size, 0, 'nothing left behind');
    assert.equal(
      fake.store.pods.get(`${NS}/booking-0`)?.metadata.labels?.[PARTITIONED_POD_LABEL],
      undefined,
    );
  });
});
