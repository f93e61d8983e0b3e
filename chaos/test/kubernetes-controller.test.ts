/**
 * The experiment controller against the API fake (watch stream of ADDED/MODIFIED/DELETED
 * events, status patches recorded) with a real agent as booking-0's sidecar: finalizer, spec
 * validation, refusal, the happy path, deletion recovering faults, restart-safety (a controller
 * stopped mid-run without recovering; a new one resumes or recovers), and requeue on API errors.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@faultline/kit/testing/child-process';
import type { ExperimentStatus } from '../src/experiment/status.js';
import { RECOVER_FINALIZER, type ExperimentController } from '../src/kubernetes/controller.js';
import { createKubeApis, kubeConfigForServer } from '../src/kubernetes/kube-apis.js';
import type { KubeApis } from '../src/kubernetes/kube-apis.js';
import { PARTITIONED_POD_LABEL } from '../src/kubernetes/network-policy-partition.js';
import { startKubeApiFake } from './kube-api-fake.js';
import type { KubeApiFake, Obj, RecordedCall } from './kube-api-fake.js';
import {
  adminPort,
  bookingPod,
  NS,
  processState,
  resetCluster,
  startBookingSidecar,
  clearAgentFaults,
  createExperiment,
  startTestController,
} from './kube-cluster-helpers.js';
import type { BookingSidecar } from './kube-cluster-helpers.js';

let fake: KubeApiFake;
let apis: KubeApis;
let sidecar: BookingSidecar;
const controllers: ExperimentController[] = [];
const EXP_PATH = `/apis/chaos.faultline.dev/v1alpha1/namespaces/${NS}/experiments`;
const booking0 = { 'statefulset.kubernetes.io/pod-name': 'booking-0' };

let controllerApis: KubeApis;
before(async () => {
  fake = await startKubeApiFake();
  apis = createKubeApis(kubeConfigForServer(fake.url, 'test-token'));
  controllerApis = createKubeApis(kubeConfigForServer(fake.url, 'controller-token'));
  sidecar = await startBookingSidecar();
});
after(async () => {
  await sidecar?.close();
  await fake?.close();
});
beforeEach(() => resetCluster(fake, adminPort(sidecar.agent)));
/** Every API call the controllers made, for the RBAC check at the end. */
const controllerCalls: RecordedCall[] = [];
afterEach(async () => {
  for (const c of controllers.splice(0)) await c.stop();
  // Test-made calls (create/delete experiments) use another token.
  controllerCalls.push(...fake.calls.filter((c) => c.authorization === 'Bearer controller-token'));
  await clearAgentFaults(sidecar);
});

async function startController(
  renewIntervalMs = 200,
  onReconcileError?: (name: string, e: unknown, retryInMs: number) => void,
): Promise<ExperimentController> {
  const c = await startTestController(fake, controllerApis, sidecar, {
    renewIntervalMs,
    ...(onReconcileError ? { onReconcileError } : {}),
  });
  controllers.push(c);
  return c;
}

function stored(name: string): Obj | undefined {
  return fake.store.experiments.get(`${NS}/${name}`);
}
function statusOf(name: string): ExperimentStatus {
  return stored(name)?.status ?? {};
}
async function waitForPhase(name: string, phase: string, ms = 15_000): Promise<ExperimentStatus> {
  await waitFor(() => statusOf(name).phase === phase || undefined, `${name} ${phase}`, ms);
  return statusOf(name);
}
/** Every status patch sent for `name`, in order. */
function statusPatches(name: string): ExperimentStatus[] {
  return fake.calls
    .filter((c) => c.method === 'PATCH' && c.path === `${EXP_PATH}/${name}/status`)
    .map((c) => (c.body as { status: ExperimentStatus }).status);
}
const cond = (s: ExperimentStatus, type: string) => s.conditions?.find((c) => c.type === type);

describe('ExperimentController', () => {
  test('happy path (pod-kill): finalizer first, Running with targets and verification, then Completed', async () => {
    await startController();
    const uid = fake.store.pods.get(`${NS}/booking-0`)?.metadata.uid;
    await createExperiment(apis, 'kill-one', {
      target: { service: 'booking', selector: booking0 },
      fault: { type: 'pod-kill' },
      duration: '1s',
    });
    const done = await waitForPhase('kill-one', 'Completed');
    const objectPatches = fake.calls.filter(
      (c) => c.method === 'PATCH' && c.path === `${EXP_PATH}/kill-one`,
    );
    assert.deepEqual(
      (objectPatches[0]?.body as { metadata: { finalizers: string[] } }).metadata.finalizers,
      [RECOVER_FINALIZER],
      'the finalizer is added before anything else',
    );
    assert.equal(objectPatches[0]?.contentType, 'application/merge-patch+json');
    const firstStatus = fake.calls.findIndex((c) => c.path === `${EXP_PATH}/kill-one/status`);
    assert.ok(fake.calls.indexOf(objectPatches[0]) < firstStatus);
    const patches = statusPatches('kill-one');
    assert.deepEqual(
      patches.map((p) => p.phase),
      ['Running', 'Running', 'Completed'],
    );
    assert.equal(
      cond(patches[0]!, 'Applied')?.status,
      'Unknown',
      'Running is recorded before the kill',
    );
    assert.deepEqual(patches[0]?.targets, [
      { pod: 'booking-0', namespace: NS, service: 'booking', uid },
    ]);
    assert.equal(patches[0]?.mechanism, 'pod-delete');
    assert.equal(patches[0]?.experimentId, 'kill-one');
    assert.equal(cond(patches[1]!, 'Applied')?.reason, 'PodDeleted');
    assert.equal(cond(patches[1]!, 'Verified')?.status, 'True');
    assert.equal(patches[1]?.verification?.[0]?.outcome, 'verified');
    assert.match(patches[1]?.verification?.[0]?.observed ?? '', new RegExp(`uid ${uid} -> `));
    const killIndex = fake.calls.findIndex(
      (c) => c.method === 'DELETE' && c.path.endsWith('/pods/booking-0'),
    );
    assert.ok(killIndex > firstStatus, 'the pod is deleted only after Running was recorded');
    assert.equal(fake.calls[killIndex]?.query.gracePeriodSeconds, '0');
    assert.equal(cond(done, 'Recovered')?.status, 'True');
    assert.ok(done.finishedAt);
    assert.notEqual(fake.store.pods.get(`${NS}/booking-0`)?.metadata.uid, uid);
  });

  test('an invalid spec → Failed with a Validated=False condition naming the field', async () => {
    await startController();
    await createExperiment(apis, 'bad', {
      target: { service: 'booking' },
      fault: { type: 'pod-kill' },
      duration: '-5s',
    });
    const s = await waitForPhase('bad', 'Failed');
    const c = cond(s, 'Validated');
    assert.equal(c?.status, 'False');
    assert.equal(c?.reason, 'InvalidSpec');
    assert.match(c?.message ?? '', /^spec\.duration: negative duration -5s/);
    assert.ok(!fake.calls.some((x) => x.method === 'DELETE'), 'nothing was done to any pod');
  });

  test('a target without the opt-in label → Refused with the reason, nothing applied', async () => {
    fake.store.pods.set(`${NS}/booking-0`, bookingPod(0, adminPort(sidecar.agent), false));
    await startController();
    await createExperiment(apis, 'no-opt-in', {
      target: { service: 'booking', selector: booking0 },
      fault: { type: 'pod-pause' },
      duration: '5s',
    });
    const s = await waitForPhase('no-opt-in', 'Refused');
    assert.equal(cond(s, 'SafetyChecked')?.status, 'False');
    assert.match(
      s.message ?? '',
      /booking-0 does not carry the opt-in label chaos\.faultline\.dev\/enabled=true/,
    );
    assert.deepEqual(sidecar.agent.activeFaults(), []);
  });

  test('deletion of a running NetworkPolicy partition recovers it, then removes the finalizer', async () => {
    await startController();
    await createExperiment(apis, 'cut', {
      target: { service: 'booking', selector: booking0, link: 'redis' },
      fault: { type: 'partition', mode: 'hard', mechanism: 'networkpolicy' },
      duration: '10m',
    });
    await waitFor(
      () => cond(statusOf('cut'), 'Applied')?.status === 'True' || undefined,
      'applied',
      10_000,
    );
    assert.equal(statusOf('cut').mechanism, 'networkpolicy');
    assert.equal(statusOf('cut').verification?.[0]?.outcome, 'verified');
    assert.ok(fake.store.networkpolicies.has(`${NS}/faultline-partition-cut`));
    await apis.custom.deleteNamespacedCustomObject({
      group: 'chaos.faultline.dev',
      version: 'v1alpha1',
      namespace: NS,
      plural: 'experiments',
      name: 'cut',
    });
    await waitFor(() => stored('cut') === undefined || undefined, 'object deleted', 10_000);
    assert.equal(fake.store.networkpolicies.size, 0, 'the policy was deleted');
    assert.equal(
      fake.store.pods.get(`${NS}/booking-0`)?.metadata.labels?.[PARTITIONED_POD_LABEL],
      undefined,
    );
    const policyDelete = fake.calls.findIndex(
      (c) => c.method === 'DELETE' && c.path.endsWith('/networkpolicies/faultline-partition-cut'),
    );
    const finalizerRemoval = fake.calls.findIndex(
      (c) =>
        c.method === 'PATCH' &&
        c.path === `${EXP_PATH}/cut` &&
        JSON.stringify((c.body as { metadata: { finalizers: string[] } }).metadata.finalizers) ===
          '[]',
    );
    assert.ok(
      policyDelete >= 0 && finalizerRemoval > policyDelete,
      'recover first, then the finalizer',
    );
  });

  test('restart-safety, time left: a new controller finds the agent fault and keeps renewing it', async () => {
    const a = await startController(200); // TTL 600 ms
    await createExperiment(apis, 'pause-0', {
      target: { service: 'booking', selector: booking0 },
      fault: { type: 'pod-pause' },
      duration: '4s',
    });
    await waitFor(
      () => cond(statusOf('pause-0'), 'Applied')?.status === 'True' || undefined,
      'applied',
      10_000,
    );
    const [fault] = sidecar.agent.activeFaults();
    assert.equal(fault?.experiment, 'pause-0');
    assert.equal(
      cond(statusOf('pause-0'), 'Verified')?.status,
      'Unknown',
      'agent faults are reported unverifiable',
    );
    await a.stop(); // killed mid-run: nothing recovered
    controllers.splice(controllers.indexOf(a), 1);
    assert.equal(statusOf('pause-0').phase, 'Running');
    await startController(200);
    await waitFor(() => cond(statusOf('pause-0'), 'Resumed') || undefined, 'resumed', 10_000);
    const resumed = cond(statusOf('pause-0'), 'Resumed');
    assert.equal(resumed?.reason, 'FaultsRenewed');
    assert.match(resumed?.message ?? '', /^controller restarted: renewed 1 fault/);
    await sleep(1_200); // two TTLs: only renewals by the new controller keep it
    assert.deepEqual(
      sidecar.agent.activeFaults().map((f) => f.id),
      [fault.id],
      'the same fault, renewed',
    );
    assert.equal(await processState(sidecar.app.pid!), 'T');
    const s = await waitForPhase('pause-0', 'Completed');
    assert.equal(cond(s, 'Recovered')?.status, 'True');
    assert.deepEqual(sidecar.agent.activeFaults(), []);
    await waitFor(
      async () => (await processState(sidecar.app.pid!)) !== 'T' || undefined,
      'app resumed',
      5_000,
    );
  });

  test('restart-safety, fault expired meanwhile: the new controller re-applies it', async () => {
    const a = await startController(100); // TTL 300 ms
    await createExperiment(apis, 'pause-1', {
      target: { service: 'booking', selector: booking0 },
      fault: { type: 'pod-pause' },
      duration: '3s',
    });
    await waitFor(
      () => cond(statusOf('pause-1'), 'Applied')?.status === 'True' || undefined,
      'applied',
      10_000,
    );
    const first = sidecar.agent.activeFaults()[0]?.id;
    await a.stop();
    controllers.splice(controllers.indexOf(a), 1);
    await waitFor(
      () => sidecar.agent.activeFaults().length === 0 || undefined,
      'expired by TTL',
      5_000,
    );
    await startController(100);
    await waitFor(() => cond(statusOf('pause-1'), 'Resumed') || undefined, 'resumed', 10_000);
    assert.equal(cond(statusOf('pause-1'), 'Resumed')?.reason, 'FaultsReapplied');
    const again = sidecar.agent.activeFaults();
    assert.equal(again.length, 1);
    assert.notEqual(again[0]?.id, first);
    assert.equal(again[0]?.experiment, 'pause-1');
    await waitForPhase('pause-1', 'Completed');
    assert.deepEqual(sidecar.agent.activeFaults(), []);
  });

  test('restart-safety, time up: a new controller recovers the NetworkPolicy and completes', async () => {
    const a = await startController();
    await createExperiment(apis, 'cut-short', {
      target: { service: 'booking', selector: booking0 },
      fault: { type: 'partition', mode: 'hard', mechanism: 'networkpolicy' },
      duration: '1500ms',
    });
    await waitFor(
      () => cond(statusOf('cut-short'), 'Applied')?.status === 'True' || undefined,
      'applied',
      10_000,
    );
    await a.stop();
    controllers.splice(controllers.indexOf(a), 1);
    const endsAt = Date.parse(statusOf('cut-short').endsAt ?? '');
    while (Date.now() <= endsAt + 100) await sleep(100);
    assert.ok(
      fake.store.networkpolicies.has(`${NS}/faultline-partition-cut-short`),
      'left by the dead controller',
    );
    assert.equal(statusOf('cut-short').phase, 'Running');
    await startController();
    const s = await waitForPhase('cut-short', 'Completed');
    assert.equal(cond(s, 'Recovered')?.status, 'True');
    assert.equal(fake.store.networkpolicies.size, 0);
    assert.equal(
      fake.store.pods.get(`${NS}/booking-0`)?.metadata.labels?.[PARTITIONED_POD_LABEL],
      undefined,
    );
  });

  test('API errors requeue with back-off until the status is written', async () => {
    const errors: number[] = [];
    await startController(200, (_n, _e, retryInMs) => errors.push(retryInMs));
    fake.failNext(3, (c) => c.method === 'PATCH' && c.path === `${EXP_PATH}/flaky/status`);
    await createExperiment(apis, 'flaky', {
      target: { service: 'booking' },
      fault: { type: 'pod-kill' },
      duration: 'soon',
    });
    const s = await waitForPhase('flaky', 'Failed');
    assert.match(cond(s, 'Validated')?.message ?? '', /spec\.duration/);
    assert.deepEqual(errors, [20, 40, 80], 'three failures, doubling back-off');
  });

  test('a watch closed by the server is re-listed and re-watched', async () => {
    await startController();
    const watchCalls = () =>
      fake.calls.filter((c) => c.path === EXP_PATH && c.query.watch === 'true').length;
    assert.equal(watchCalls(), 1);
    fake.endWatches();
    await waitFor(
      () => (watchCalls() === 2 && fake.watchers() === 1) || undefined,
      'watching again',
      10_000,
    );
    const lists = fake.calls.filter(
      (c) => c.path === EXP_PATH && c.method === 'GET' && c.query.watch === undefined,
    );
    assert.equal(lists.length, 2, 'listed again before watching again');
    await createExperiment(apis, 'after-rewatch', {
      target: { service: 'booking' },
      fault: { type: 'pod-kill' },
      duration: 'x',
    });
    await waitForPhase('after-rewatch', 'Failed');
  });

  test('every call the controller made is allowed by schema/controller-rbac.yaml (a namespaced Role)', () => {
    const docs = parseAllDocuments(
      readFileSync(new URL('../../schema/controller-rbac.yaml', import.meta.url), 'utf8'),
    ).map((d) => d.toJS() as { kind: string; rules?: Rule[] });
    assert.ok(!docs.some((d) => d.kind.startsWith('Cluster')), 'no cluster-wide RBAC');
    const rules = docs.find((d) => d.kind === 'Role')?.rules ?? [];
    assert.ok(controllerCalls.length > 50, `calls seen: ${controllerCalls.length}`);
    const needed = new Set(controllerCalls.map((c) => requestAttributes(c)));
    const denied = [...needed].filter((n) => {
      const [group, resource, verb] = n.split(' ');
      return !rules.some(
        (r) =>
          r.apiGroups.includes(group ?? '') &&
          r.resources.includes(resource ?? '') &&
          r.verbs.includes(verb ?? ''),
      );
    });
    assert.deepEqual(denied, []);
    // Minimal: every verb granted is used by some call.
    const granted = rules.flatMap((r) =>
      r.resources.flatMap((res) => r.verbs.map((v) => `${r.apiGroups[0]} ${res} ${v}`)),
    );
    assert.deepEqual(granted.filter((g) => !needed.has(g)).sort(), []);
  });
});

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** `group resource verb` of an API call, as RBAC sees it. */
function requestAttributes(c: RecordedCall): string {
  const p = c.path.split('/').filter(Boolean);
  const [group, rest] = p[0] === 'api' ? ['', p.slice(2)] : [p[1] ?? '', p.slice(3)];
  // rest: namespaces, ns, resource, [name, [subresource]]
  const resource = rest[4] ? `${rest[2]}/${rest[4]}` : (rest[2] ?? '');
  const named = rest[3] !== undefined;
  const verb =
    c.method === 'GET'
      ? named
        ? 'get'
        : c.query.watch === 'true'
          ? 'watch'
          : 'list'
      : ((
          { POST: 'create', PATCH: 'patch', DELETE: 'delete', PUT: 'update' } as Record<
            string,
            string
          >
        )[c.method] ?? c.method);
  return `${group} ${resource} ${verb}`;
}
