/**
 * The experiment controller against a real control plane (kube-harness.ts), running under the
 * faultline-controller ServiceAccount bound to chaos/schema/controller-rbac.yaml (never as
 * admin), with a real agent as booking-0's sidecar: the finalizer; invalid specs refused by the
 * CRD schema where it can say so and by the controller (Failed) where it cannot; refusal; the
 * happy path through the status subresource; deletion recovering faults; restart-safety (a
 * controller stopped mid-run without recovering, a new one resumes or recovers, re-applying
 * with the run's recorded seed on the recorded pods); a stale
 * resourceVersion answered 409 and retried; 403 for what the Role does not grant; and every
 * shipped example accepted once stored by the API server (its structural defaults included).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import { AppsV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import type { V1Deployment } from '@kubernetes/client-node';
import { createLogger } from '@faultline/kit/logging';
import { waitFor } from '@faultline/kit/testing/child-process';
import { ExperimentController, RECOVER_FINALIZER } from '../src/kubernetes/controller.js';
import { AGENT_PORT_ANNOTATION, KubernetesDriver } from '../src/kubernetes/kubernetes-driver.js';
import { ExperimentResources } from '../src/kubernetes/experiment-resources.js';
import type { ExperimentObject } from '../src/kubernetes/experiment-resources.js';
import { MERGE_PATCH } from '../src/kubernetes/kube-apis.js';
import type { KubeApis } from '../src/kubernetes/kube-apis.js';
import { PARTITIONED_POD_LABEL } from '../src/kubernetes/network-policy-partition.js';
import {
  bookingStatefulSet,
  CONTROLLER_SA,
  deployment,
  OPT_IN,
  rbacFor,
  startChaosCluster,
} from './kube-harness.js';
import type { ChaosCluster } from './kube-harness.js';
import {
  adminPort,
  apiError,
  clearAgentFaults,
  cond,
  createExperiment,
  deleteAllExperiments,
  deleteExperiment,
  processState,
  readExperiment,
  readPod,
  startBookingSidecar,
  startTestController,
  waitForStatus,
} from './kube-cluster-helpers.js';
import { startAgent } from './agent-helpers.js';
import type { BookingSidecar, TestControllerOptions } from './kube-cluster-helpers.js';

const NS = 'chaos-controller';
const booking0 = { 'statefulset.kubernetes.io/pod-name': 'booking-0' };
let cluster: ChaosCluster;
let sidecar: BookingSidecar;
const controllers: ExperimentController[] = [];

before(async () => {
  sidecar = await startBookingSidecar();
  cluster = await startChaosCluster(NS);
  await cluster.kube.create([bookingStatefulSet(NS, adminPort(sidecar.agent))]);
  await cluster.kube.waitForWorkload('StatefulSet', NS, 'booking');
});
after(async () => {
  for (const c of controllers.splice(0)) await c.stop();
  await sidecar?.close();
  await cluster?.stop();
});
afterEach(async () => {
  for (const c of controllers.splice(0)) await c.stop();
  await clearAgentFaults(sidecar);
  await deleteAllExperiments(cluster.admin, NS);
  const left = await cluster.admin.networking.listNamespacedNetworkPolicy({ namespace: NS });
  for (const p of left.items)
    await cluster.admin.networking.deleteNamespacedNetworkPolicy({
      name: p.metadata!.name!,
      namespace: NS,
    });
  await cluster.kube.waitForWorkload('StatefulSet', NS, 'booking');
});

const admin = (): KubeApis => cluster.admin;

async function startController(
  opts: TestControllerOptions & { apis?: KubeApis } = {},
): Promise<ExperimentController> {
  const c = await startTestController(opts.apis ?? cluster.controller, NS, sidecar.tokenFile, opts);
  controllers.push(c);
  return c;
}
async function stopController(c: ExperimentController): Promise<void> {
  await c.stop(); // killed mid-run: nothing recovered
  controllers.splice(controllers.indexOf(c), 1);
}
const statusOf = async (name: string) => (await readExperiment(admin(), NS, name))?.status ?? {};
const waitForPhase = (name: string, phase: string, ms = 30_000) =>
  waitForStatus(admin(), NS, name, (s) => s.phase === phase, phase, ms);
const waitForApplied = (name: string) =>
  waitForStatus(admin(), NS, name, (s) => cond(s, 'Applied')?.status === 'True', 'Applied');

/** Every version of an experiment the API server announced, from a watch opened now. */
async function recordVersions(
  name: string,
): Promise<{ objects: ExperimentObject[]; stop: () => void }> {
  const objects: ExperimentObject[] = [];
  const r = new ExperimentResources(admin());
  const { resourceVersion } = await r.listWithVersion(NS);
  const ctl = await r.watch(
    NS,
    (type, o) => {
      if (o.metadata.name === name && type !== 'BOOKMARK') objects.push(o);
    },
    () => {},
    resourceVersion,
  );
  return { objects, stop: () => ctl.abort() };
}

describe('ExperimentController under its ServiceAccount', () => {
  test('happy path (pod-kill): finalizer first, Running with targets before the kill, verified by the recreated pod, Completed', async () => {
    const versions = await recordVersions('kill-one');
    await startController();
    const uid = (await readPod(admin(), NS, 'booking-0'))?.metadata?.uid;
    await createExperiment(admin(), NS, 'kill-one', {
      target: { service: 'booking', selector: booking0 },
      fault: { type: 'pod-kill' },
      duration: '1s',
    });
    const done = await waitForPhase('kill-one', 'Completed');
    versions.stop();
    const seen = versions.objects;
    const firstWithStatus = seen.findIndex((o) => o.status?.phase !== undefined);
    assert.ok(firstWithStatus > 0, 'status comes after the finalizer');
    assert.deepEqual(seen[firstWithStatus]?.metadata.finalizers, [RECOVER_FINALIZER]);
    const running = seen[firstWithStatus].status!;
    assert.equal(running.phase, 'Running');
    assert.equal(
      cond(running, 'Applied')?.status,
      'Unknown',
      'Running is recorded before the kill',
    );
    assert.deepEqual(running.targets, [
      { pod: 'booking-0', namespace: NS, service: 'booking', uid },
    ]);
    assert.equal(running.mechanism, 'pod-delete');
    assert.equal(running.experimentId, 'kill-one');
    assert.equal(cond(done, 'Applied')?.reason, 'PodDeleted');
    assert.equal(cond(done, 'Verified')?.status, 'True');
    assert.equal(done.verification?.[0]?.outcome, 'verified');
    assert.match(done.verification?.[0]?.observed ?? '', new RegExp(`uid ${uid} -> `));
    assert.equal(cond(done, 'Recovered')?.status, 'True');
    assert.ok(done.finishedAt);
    assert.notEqual((await readPod(admin(), NS, 'booking-0'))?.metadata?.uid, uid);
  });

  test('invalid specs: the CRD refuses a malformed duration; the controller fails one the schema cannot judge', async () => {
    await assert.rejects(
      createExperiment(admin(), NS, 'bad-duration', {
        target: { service: 'booking' },
        fault: { type: 'pod-kill' },
        duration: '-5s',
      }),
      (e: unknown) => apiError(e).code === 422 && /spec\.duration/.test(apiError(e).message),
    );
    await startController();
    await createExperiment(admin(), NS, 'too-long', {
      target: { service: 'booking' },
      fault: { type: 'pod-kill' },
      duration: '2h',
    });
    const s = await waitForPhase('too-long', 'Failed');
    const c = cond(s, 'Validated');
    assert.equal(c?.status, 'False');
    assert.equal(c?.reason, 'InvalidSpec');
    assert.match(c?.message ?? '', /^spec\.duration: /);
    assert.equal(s.targets, undefined, 'nothing was targeted');
  });

  test('a target without the opt-in label → Refused with the reason, nothing applied', async () => {
    await admin().core.patchNamespacedPod(
      {
        name: 'booking-0',
        namespace: NS,
        body: { metadata: { labels: { [Object.keys(OPT_IN)[0]!]: null } } },
      },
      MERGE_PATCH,
    );
    try {
      await startController();
      await createExperiment(admin(), NS, 'no-opt-in', {
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
    } finally {
      await admin().core.patchNamespacedPod(
        { name: 'booking-0', namespace: NS, body: { metadata: { labels: OPT_IN } } },
        MERGE_PATCH,
      );
    }
  });

  test('deleting a running NetworkPolicy partition recovers it before the finalizer lets the object go', async () => {
    await startController();
    await createExperiment(admin(), NS, 'cut', {
      target: { service: 'booking', selector: booking0, link: 'redis' },
      fault: { type: 'partition', mode: 'hard', mechanism: 'networkpolicy' },
      duration: '10m',
    });
    const s = await waitForApplied('cut');
    assert.equal(s.mechanism, 'networkpolicy');
    assert.equal(s.verification?.[0]?.outcome, 'verified');
    await admin().networking.readNamespacedNetworkPolicy({
      name: 'faultline-partition-cut',
      namespace: NS,
    });
    const versions = await recordVersions('cut');
    await deleteExperiment(admin(), NS, 'cut');
    await waitFor(
      async () => (await readExperiment(admin(), NS, 'cut')) === undefined,
      'object deleted',
      20_000,
    );
    versions.stop();
    assert.ok(
      versions.objects.some(
        (o) => o.metadata.deletionTimestamp && o.metadata.finalizers?.includes(RECOVER_FINALIZER),
      ),
      'the server kept the object, deleting, while the finalizer was there',
    );
    const left = await admin().networking.listNamespacedNetworkPolicy({ namespace: NS });
    assert.deepEqual(
      left.items.map((p) => p.metadata?.name),
      [],
      'the policy was deleted',
    );
    const pod = await readPod(admin(), NS, 'booking-0');
    assert.equal(pod?.metadata?.labels?.[PARTITIONED_POD_LABEL], undefined);
  });

  test('restart-safety, time left: a new controller finds the agent fault and keeps renewing it', async () => {
    const a = await startController({ renewIntervalMs: 200 }); // TTL 600 ms
    await createExperiment(admin(), NS, 'pause-0', {
      target: { service: 'booking', selector: booking0 },
      fault: { type: 'pod-pause' },
      duration: '5s',
    });
    const applied = await waitForApplied('pause-0');
    const [fault] = sidecar.agent.activeFaults();
    assert.equal(fault?.experiment, 'pause-0');
    assert.equal(
      cond(applied, 'Verified')?.status,
      'Unknown',
      'agent faults are reported unverifiable',
    );
    await stopController(a);
    assert.equal((await statusOf('pause-0')).phase, 'Running');
    await startController({ renewIntervalMs: 200 });
    const resumed = cond(
      await waitForStatus(
        admin(),
        NS,
        'pause-0',
        (s) => cond(s, 'Resumed') !== undefined,
        'Resumed',
      ),
      'Resumed',
    );
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
    const a = await startController({ renewIntervalMs: 100 }); // TTL 300 ms
    await createExperiment(admin(), NS, 'pause-1', {
      target: { service: 'booking', selector: booking0 },
      fault: { type: 'pod-pause' },
      duration: '4s',
    });
    await waitForApplied('pause-1');
    const first = sidecar.agent.activeFaults()[0]?.id;
    await stopController(a);
    await waitFor(
      () => sidecar.agent.activeFaults().length === 0 || undefined,
      'expired by TTL',
      5_000,
    );
    await startController({ renewIntervalMs: 100 });
    const s = await waitForStatus(
      admin(),
      NS,
      'pause-1',
      (x) => cond(x, 'Resumed') !== undefined,
      'Resumed',
    );
    assert.equal(cond(s, 'Resumed')?.reason, 'FaultsReapplied');
    const again = sidecar.agent.activeFaults();
    assert.equal(again.length, 1);
    assert.notEqual(again[0]?.id, first);
    assert.equal(again[0]?.experiment, 'pause-1');
    await waitForPhase('pause-1', 'Completed');
    assert.deepEqual(sidecar.agent.activeFaults(), []);
  });

  test('restart-safety, seed: a restarted controller re-applies exactly what it applied (the drawn seed, the same pod, the same parameters)', async () => {
    // One agent per pod, so where a fault landed is observable; mode one without spec.seed, so
    // the pod and the jitter draws come from a seed drawn at random for this run.
    const shards = ['a', 'b', 'c'];
    const agents = await Promise.all(
      shards.map(() =>
        startAgent([{ name: 'redis', target: '127.0.0.1:9' }], undefined, sidecar.tokenFile),
      ),
    );
    const apps = cluster.kube.admin.makeApiClient(AppsV1Api);
    try {
      await cluster.kube.create(shards.map((s, i) => shardDeployment(s, adminPort(agents[i]!))));
      for (const s of shards) await cluster.kube.waitForWorkload('Deployment', NS, `seeded-${s}`);
      const faultsByShard = () =>
        agents.map((ag) => ag.activeFaults().filter((f) => f.experiment === 'seeded'));
      const a = await startController({ renewIntervalMs: 100 }); // TTL 300 ms
      await createExperiment(admin(), NS, 'seeded', {
        target: { service: 'seeded', mode: 'one', link: 'redis' },
        fault: { type: 'latency', latencyMs: 40, jitterMs: 20 },
        duration: '20s',
      });
      const applied = await waitForApplied('seeded');
      const seed = applied.seed;
      assert.equal(typeof seed, 'number', 'the run records its seed');
      const [target] = applied.targets ?? [];
      const shard = shards.findIndex((s) => target?.pod.startsWith(`seeded-${s}-`));
      assert.ok(shard >= 0, `target ${target?.pod}`);
      const before = faultsByShard();
      assert.deepEqual(
        before.map((f) => f.length),
        shards.map((_, i) => (i === shard ? 1 : 0)),
        'one fault, on the recorded pod',
      );
      const first = before[shard]![0]!;
      assert.equal(first.params.seed, seed, 'the first target draws from the run seed');
      await stopController(a);
      await waitFor(
        () => faultsByShard().every((f) => f.length === 0) || undefined,
        'expired by TTL',
        5_000,
      );
      await startController({ renewIntervalMs: 100 });
      const resumed = await waitForStatus(
        admin(),
        NS,
        'seeded',
        (x) => cond(x, 'Resumed') !== undefined,
        'Resumed',
      );
      assert.equal(cond(resumed, 'Resumed')?.reason, 'FaultsReapplied');
      assert.equal(resumed.seed, seed);
      assert.deepEqual(resumed.targets, applied.targets);
      const after = faultsByShard();
      assert.deepEqual(
        after.map((f) => f.length),
        shards.map((_, i) => (i === shard ? 1 : 0)),
        're-applied on the same pod, and only there',
      );
      const again = after[shard]![0]!;
      assert.notEqual(again.id, first.id, 'a new fault');
      assert.deepEqual(
        { type: again.type, link: again.link, params: again.params },
        { type: first.type, link: first.link, params: first.params },
        'the same fault and parameters, seed included',
      );
      await deleteExperiment(admin(), NS, 'seeded');
      await waitFor(
        async () => (await readExperiment(admin(), NS, 'seeded')) === undefined,
        'object deleted',
        20_000,
      );
      assert.deepEqual(faultsByShard().flat(), [], 'recovered on deletion');
    } finally {
      for (const c of controllers.splice(0)) await c.stop();
      for (const s of shards)
        await apps.deleteNamespacedDeployment({ name: `seeded-${s}`, namespace: NS });
      await Promise.all(agents.map((ag) => ag.stop()));
    }
  });

  test('restart-safety, time up: a new controller recovers the NetworkPolicy and completes', async () => {
    const a = await startController();
    await createExperiment(admin(), NS, 'cut-short', {
      target: { service: 'booking', selector: booking0 },
      fault: { type: 'partition', mode: 'hard', mechanism: 'networkpolicy' },
      duration: '1500ms',
    });
    const applied = await waitForApplied('cut-short');
    await stopController(a);
    const endsAt = Date.parse(applied.endsAt ?? '');
    while (Date.now() <= endsAt + 100) await sleep(100);
    await admin().networking.readNamespacedNetworkPolicy({
      name: 'faultline-partition-cut-short',
      namespace: NS,
    });
    assert.equal((await statusOf('cut-short')).phase, 'Running', 'left by the dead controller');
    await startController();
    const s = await waitForPhase('cut-short', 'Completed');
    assert.equal(cond(s, 'Recovered')?.status, 'True');
    const left = await admin().networking.listNamespacedNetworkPolicy({ namespace: NS });
    assert.deepEqual(left.items, []);
    const pod = await readPod(admin(), NS, 'booking-0');
    assert.equal(pod?.metadata?.labels?.[PARTITIONED_POD_LABEL], undefined);
  });

  test('a write from a stale resourceVersion gets the real 409 Conflict and is retried', async () => {
    const errors: unknown[] = [];
    let raced = false;
    const resources = new ExperimentResources(cluster.controller);
    // Someone else (here: the admin, labelling it) writes the object between the controller's
    // read and its conditional finalizer patch, once.
    const racing: Pick<
      ExperimentResources,
      'get' | 'listWithVersion' | 'patchStatus' | 'setFinalizers' | 'watch'
    > = {
      get: (ns, n) => resources.get(ns, n),
      listWithVersion: (ns) => resources.listWithVersion(ns),
      patchStatus: (ns, n, s) => resources.patchStatus(ns, n, s),
      watch: (...args) => resources.watch(...args),
      async setFinalizers(ns, n, f, rv) {
        if (!raced) {
          raced = true;
          await admin().custom.patchNamespacedCustomObject(
            {
              group: 'chaos.faultline.dev',
              version: 'v1alpha1',
              namespace: ns,
              plural: 'experiments',
              name: n,
              body: { metadata: { labels: { touched: 'yes' } } },
            },
            MERGE_PATCH,
          );
        }
        return resources.setFinalizers(ns, n, f, rv);
      },
    };
    const c = new ExperimentController({
      resources: racing,
      driver: new KubernetesDriver({
        apis: cluster.controller,
        namespace: NS,
        agentTokenFile: sidecar.tokenFile,
      }),
      namespace: NS,
      logger: createLogger({ service: 'controller-test', level: 'silent' }),
      baseBackoffMs: 20,
      maxBackoffMs: 200,
      onReconcileError: (_n, e) => errors.push(e),
    });
    await c.start();
    controllers.push(c);
    await createExperiment(admin(), NS, 'raced', {
      target: { service: 'booking', selector: booking0 },
      fault: { type: 'pod-kill' },
      duration: '1s',
      safety: { dryRun: true },
    });
    const s = await waitForPhase('raced', 'Completed');
    assert.ok(raced);
    assert.equal((errors[0] as { code?: number }).code, 409, `first error: ${String(errors[0])}`);
    assert.match(apiError(errors[0]).message, /the object has been modified/);
    const obj = await readExperiment(admin(), NS, 'raced');
    assert.deepEqual(obj?.metadata.finalizers, [RECOVER_FINALIZER], 'retried from a fresh read');
    assert.equal(obj?.metadata.labels?.touched, 'yes', "the other writer's change survived");
    assert.match(s.message ?? '', /^dry run/);
  });

  test('least privilege: the ServiceAccount is refused (403) what its Role does not grant', async () => {
    const sa = cluster.controller;
    const forbidden = (e: unknown) => (e as { code?: number }).code === 403;
    await cluster.kube.createNamespace('elsewhere');
    await assert.rejects(
      sa.core.listNamespacedPod({ namespace: 'elsewhere' }),
      forbidden,
      'pods in another namespace',
    );
    await assert.rejects(
      sa.core.deleteNamespacedPod({ name: 'booking-0', namespace: 'elsewhere' }),
      forbidden,
      'a pod-kill in another namespace',
    );
    const kc = cluster.kube.kubeConfig(cluster.controllerToken, NS);
    await assert.rejects(
      kc.makeApiClient(RbacAuthorizationV1Api).createClusterRole({
        body: {
          metadata: { name: 'faultline-escalate' },
          rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
        },
      }),
      forbidden,
      'a ClusterRole',
    );
    await assert.rejects(
      kc.makeApiClient(AppsV1Api).deleteNamespacedStatefulSet({ name: 'booking', namespace: NS }),
      forbidden,
      'a workload in its own namespace (only pods are granted)',
    );
    await assert.rejects(sa.core.listNamespacedSecret({ namespace: NS }), forbidden, 'secrets');
    // Negative control: what the Role grants works under the same identity.
    const pods = await sa.core.listNamespacedPod({ namespace: NS, labelSelector: 'app=booking' });
    assert.equal(pods.items.length, 3);
  });

  test('every shipped example, stored through the API server, is accepted by the controller (Validated)', async () => {
    await startController();
    const dir = fileURLToPath(new URL('../../examples/', import.meta.url));
    const names: string[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
      const doc = parse(readFileSync(`${dir}${file}`, 'utf8')) as {
        metadata: { name: string };
        spec: { safety?: Record<string, unknown> };
      };
      // A dry run: validated, resolved and safety-checked, nothing applied.
      const spec = { ...doc.spec, safety: { ...doc.spec.safety, dryRun: true } };
      await createExperiment(admin(), NS, doc.metadata.name, spec);
      names.push(doc.metadata.name);
    }
    assert.ok(names.length >= 5);
    for (const name of names) {
      const s = await waitForStatus(
        admin(),
        NS,
        name,
        (x) => cond(x, 'Validated') !== undefined,
        'validated',
      );
      assert.equal(cond(s, 'Validated')?.status, 'True', `${name}: ${s.message}`);
      assert.ok(
        s.phase === 'Completed' || s.phase === 'Refused',
        `${name}: ${s.phase} ${s.message}`,
      );
    }
  });

  test('the Role is minimal: every verb it grants was used by the controller here, and only the 403 test was refused (audit log)', () => {
    const user = `system:serviceaccount:${NS}:${CONTROLLER_SA}`;
    const events = readFileSync(cluster.kube.auditLogFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditEvent)
      .filter((e) => e.user.username === user && e.stage === 'ResponseComplete');
    const attrs = (e: AuditEvent) =>
      `${e.objectRef?.apiGroup ?? ''} ${e.objectRef?.resource ?? ''}${e.objectRef?.subresource ? `/${e.objectRef.subresource}` : ''} ${e.verb}`;
    const allowed = new Set(
      events.filter((e) => e.annotations?.['authorization.k8s.io/decision'] === 'allow').map(attrs),
    );
    const role = rbacFor(NS).find((o) => o.kind === 'Role') as unknown as { rules: Rule[] };
    const granted = role.rules.flatMap((r) =>
      r.resources.flatMap((res) => r.verbs.map((v) => `${r.apiGroups[0]} ${res} ${v}`)),
    );
    assert.ok(allowed.size > 5, [...allowed].join('\n'));
    assert.deepEqual(granted.filter((g) => !allowed.has(g)).sort(), [], 'granted but never used');
    const denied = events
      .filter((e) => e.annotations?.['authorization.k8s.io/decision'] === 'forbid')
      .map((e) => `${attrs(e)} ${e.objectRef?.namespace ?? '(cluster)'}`);
    assert.deepEqual(
      [...new Set(denied)].sort(),
      [
        ' pods delete elsewhere',
        ' pods list elsewhere',
        ` secrets list ${NS}`,
        `apps statefulsets delete ${NS}`,
        'rbac.authorization.k8s.io clusterroles create (cluster)',
      ].sort(),
      'the controller itself was never refused',
    );
  });
});

/**
 * One pod of the `seeded` service per Deployment, whose agent-port annotation points at that
 * shard's own agent.
 */
function shardDeployment(shard: string, agentPort: number): V1Deployment {
  const d = deployment(NS, 'seeded', 1);
  const labels = { app: 'seeded', shard };
  return {
    ...d,
    metadata: { name: `seeded-${shard}`, namespace: NS },
    spec: {
      ...d.spec!,
      selector: { matchLabels: labels },
      template: {
        ...d.spec!.template,
        metadata: {
          labels: { ...labels, ...OPT_IN },
          annotations: { [AGENT_PORT_ANNOTATION]: String(agentPort) },
        },
      },
    },
  };
}

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** The fields of an audit.k8s.io/v1 Event this test reads. */
interface AuditEvent {
  stage: string;
  verb: string;
  user: { username: string };
  objectRef?: { apiGroup?: string; resource?: string; subresource?: string; namespace?: string };
  annotations?: Record<string, string>;
}
