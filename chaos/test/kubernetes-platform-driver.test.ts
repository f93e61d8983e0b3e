/**
 * The kubernetes PlatformDriver against a real control plane (kube-harness.ts) with a real
 * faultline agent as booking-0's sidecar (pod IP 127.0.0.1 from the simulated kubelet, the
 * agent's port in the pod annotation): each fault applied, verified and recovered through the
 * API, and the engine (`runExperiment`) running a pod-kill and a NetworkPolicy partition
 * through the driver end to end.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Experiment } from '../src/experiment/spec.js';
import { experimentSchema } from '../src/experiment/spec.js';
import { runExperiment } from '../src/engine/experiment-run.js';
import type { FaultOrder } from '../src/engine/platform-driver.js';
import { KubernetesDriver } from '../src/kubernetes/kubernetes-driver.js';
import {
  EXPERIMENT_LABEL,
  PARTITIONED_POD_LABEL,
} from '../src/kubernetes/network-policy-partition.js';
import { bookingStatefulSet, OPT_IN, startChaosCluster } from './kube-harness.js';
import type { ChaosCluster } from './kube-harness.js';
import {
  adminPort,
  assertPauseLifecycle,
  clearAgentFaults,
  readPod,
  startBookingSidecar,
  waitForReadyPod,
} from './kube-cluster-helpers.js';
import type { BookingSidecar } from './kube-cluster-helpers.js';

const NS = 'chaos-platform';
let cluster: ChaosCluster;
let sidecar: BookingSidecar;
let driver: KubernetesDriver;

before(async () => {
  sidecar = await startBookingSidecar();
  cluster = await startChaosCluster(NS);
  await cluster.kube.create([bookingStatefulSet(NS, adminPort(sidecar.agent))]);
  await cluster.kube.waitForWorkload('StatefulSet', NS, 'booking');
  driver = new KubernetesDriver({
    apis: cluster.controller,
    namespace: NS,
    agentTokenFile: sidecar.tokenFile,
    pollMs: 20,
    replaceTimeoutMs: 30_000,
  });
});
after(async () => {
  await sidecar?.close();
  await cluster?.stop();
});
afterEach(async () => {
  await clearAgentFaults(sidecar);
  await cluster.kube.waitForWorkload('StatefulSet', NS, 'booking');
});

function experiment(spec: Record<string, unknown>): Experiment {
  return experimentSchema().parse({
    apiVersion: 'chaos.faultline.dev/v1alpha1',
    kind: 'Experiment',
    metadata: { name: 'k8s-test', namespace: NS },
    spec,
  });
}

const booking0 = { 'statefulset.kubernetes.io/pod-name': 'booking-0' };

async function orderFor(spec: Record<string, unknown>, pod = 'booking-0'): Promise<FaultOrder> {
  const candidates = await driver.listCandidates({ service: 'booking', roles: false });
  const target = candidates.find((c) => c.name === pod);
  assert.ok(target, `${pod} among ${candidates.map((c) => c.name).join()}`);
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

describe('KubernetesDriver (as the controller ServiceAccount)', () => {
  test('listCandidates: pods by the service label; uid, readiness and namespace from the API', async () => {
    const pods = await driver.listCandidates({ service: 'booking', roles: true });
    assert.deepEqual(pods.map((p) => [p.name, p.service, p.namespace, p.ready]).sort(), [
      ['booking-0', 'booking', NS, true],
      ['booking-1', 'booking', NS, true],
      ['booking-2', 'booking', NS, true],
    ]);
    const stored = await readPod(cluster.admin, NS, 'booking-0');
    assert.equal(pods.find((p) => p.name === 'booking-0')?.uid, stored?.metadata?.uid);
  });

  test('pod-kill: deleted with grace 0, verified by the StatefulSet controller recreating it', async () => {
    const order = await orderFor({
      target: { service: 'booking', selector: booking0 },
      fault: { type: 'pod-kill' },
      duration: '1s',
    });
    const applied = await driver.apply(order);
    assert.equal(applied[0]?.kind, 'one-shot');
    assert.equal(applied[0]?.uid, order.target.uid);
    const v = await driver.verify(order, applied);
    assert.equal(v.outcome, 'verified', v.observed);
    assert.match(v.observed, new RegExp(`uid ${order.target.uid} -> `));
    const now = await waitForReadyPod(cluster.admin, NS, 'booking-0');
    assert.notEqual(now.metadata?.uid, order.target.uid);
  });

  test('pod-kill negative control: a pod nobody replaces is not verified', async () => {
    await cluster.admin.core.createNamespacedPod({
      namespace: NS,
      body: {
        metadata: { name: 'booking-orphan', labels: { app: 'booking', ...OPT_IN } },
        spec: { containers: [{ name: 'app', image: 'faultline:dev' }] },
      },
    });
    await waitForReadyPod(cluster.admin, NS, 'booking-orphan');
    const order = await orderFor(
      { target: { service: 'booking' }, fault: { type: 'pod-kill' }, duration: '1s' },
      'booking-orphan',
    );
    const short = new KubernetesDriver({
      apis: cluster.controller,
      namespace: NS,
      agentTokenFile: sidecar.tokenFile,
      pollMs: 20,
      replaceTimeoutMs: 500,
    });
    const v = await short.verify(order, await short.apply(order));
    assert.equal(v.outcome, 'not-verified', v.observed);
  });

  test('partition (networkpolicy): label + policy labelled with the experiment; recover deletes both', async () => {
    const order = await orderFor({
      target: { service: 'booking', selector: booking0, link: 'redis' },
      fault: { type: 'partition', mode: 'hard', mechanism: 'networkpolicy' },
      duration: '1s',
    });
    const applied = await driver.apply(order);
    const policy = await cluster.admin.networking.readNamespacedNetworkPolicy({
      name: 'faultline-partition-exp-d1',
      namespace: NS,
    });
    assert.equal(policy.metadata?.labels?.[EXPERIMENT_LABEL], 'exp-d1');
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
    assert.deepEqual(
      (await driver.discoverApplied(order)).map((a) => a.faultId),
      ['faultline-partition-exp-d1'],
    );
    await driver.recover(applied[0]!);
    const left = await cluster.admin.networking.listNamespacedNetworkPolicy({ namespace: NS });
    assert.deepEqual(left.items, []);
    const pod = await readPod(cluster.admin, NS, 'booking-0');
    assert.equal(pod?.metadata?.labels?.[PARTITIONED_POD_LABEL], undefined);
    assert.equal(await driver.isActive(applied[0]!), false);
    assert.equal(await driver.renew(applied[0]!, 1000), false, 'a deleted policy is not renewed');
  });

  test('pod-pause through the pod agent (podIP + annotated port, token file): real SIGSTOP, reported unverifiable', async () => {
    const order = await orderFor({
      target: { service: 'booking', selector: booking0 },
      fault: { type: 'pod-pause' },
      duration: '1s',
    });
    const applied = await driver.apply(order);
    assert.equal(applied[0]?.agentUrl, `http://127.0.0.1:${adminPort(sidecar.agent)}`);
    const held = sidecar.agent.activeFaults();
    assert.deepEqual(
      held.map((f) => [f.type, f.experiment, f.ttlMs]),
      [['pause', 'exp-d1', 5000]],
    );
    await assertPauseLifecycle(driver, order, applied, sidecar);
  });

  test('a wrong agent token is an error naming the agent status, not a silent success', async () => {
    const order = await orderFor({
      target: { service: 'booking', selector: booking0 },
      fault: { type: 'pod-pause' },
      duration: '1s',
    });
    const bad = join(mkdtempSync(join(tmpdir(), 'faultline-bad-')), 'token');
    writeFileSync(bad, 'not-the-token\n');
    const wrong = new KubernetesDriver({
      apis: cluster.controller,
      namespace: NS,
      agentTokenFile: bad,
    });
    await assert.rejects(wrong.apply(order), /agent answered 401/);
    assert.deepEqual(sidecar.agent.activeFaults(), []);
  });
});

describe('the engine through the kubernetes driver', () => {
  test('pod-kill end to end: Completed, verified by the recreated pod', async () => {
    const lines: string[] = [];
    const uidBefore = (await readPod(cluster.admin, NS, 'booking-0'))?.metadata?.uid;
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
    const now = await waitForReadyPod(cluster.admin, NS, 'booking-0');
    assert.notEqual(now.metadata?.uid, uidBefore);
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
    // Verified = the driver read the policy back from the API server and it selected the pod.
    assert.match(
      out.record.verification[0]?.observed ?? '',
      new RegExp(`NetworkPolicy faultline-partition-${out.record.id} .* selects pod booking-0`),
    );
    const left = await cluster.admin.networking.listNamespacedNetworkPolicy({ namespace: NS });
    assert.deepEqual(left.items, [], 'nothing left behind');
    const pod = await readPod(cluster.admin, NS, 'booking-0');
    assert.equal(pod?.metadata?.labels?.[PARTITIONED_POD_LABEL], undefined);
  });
});
