/**
 * In Kubernetes a scheduler replica keeps its role on its own pod (label
 * chaos.faultline.dev/role), so "kill the leader" is found from the API: real replicas on real
 * etcd, real pods in the test control plane, each replica authenticated as the chart's scheduler
 * ServiceAccount (a Role allowing get/patch on pods, nothing more). The leader's pod says
 * leader, the other follower; SIGKILL the leader, and the survivor's pod says leader once it
 * takes over; the killed replica, restarted in its pod as the kubelet would, says follower.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { startEtcd, type EtcdCluster } from '@faultline/kit/testing/etcd-server';
import { startKubernetes, type KubernetesCluster } from '@faultline/kit/testing/kubernetes';
import { waitFor } from '@faultline/kit/testing/child-process';
import { ROLE_LABEL } from '@faultline/kit/pod-role-label';
import { leaderOf, startReplica, stopAll, type Replica } from './harness.js';

const NS = 'scheduler-roles';
let kube: KubernetesCluster;
let etcd: EtcdCluster;
let dir: string;
let kubeconfig: string;
const replicas: Replica[] = [];

// The chart's scheduler Role (charts/faultline/templates/scheduler.yaml) in the same words.
const RBAC = `
apiVersion: v1
kind: ServiceAccount
metadata: { name: scheduler }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: scheduler-pod-role }
rules:
  - { apiGroups: [''], resources: [pods], verbs: [get, patch] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: scheduler-pod-role }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: scheduler-pod-role }
subjects: [{ kind: ServiceAccount, name: scheduler, namespace: ${NS} }]
`;

const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: 'scheduler' } },
  spec: {
    serviceAccountName: 'scheduler',
    containers: [{ name: 'scheduler', image: 'faultline:test' }],
  },
});

async function roles(): Promise<Record<string, string | undefined>> {
  const list = await kube.admin.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: NS });
  return Object.fromEntries(
    list.items.map((p) => [p.metadata!.name!, p.metadata?.labels?.[ROLE_LABEL]]),
  );
}

const start = (name: string) =>
  startReplica(name, etcd.endpoints, {
    POD_NAME: `scheduler-${name}`,
    POD_NAMESPACE: NS,
    KUBECONFIG: kubeconfig,
  });

before(async () => {
  [kube, etcd, dir] = await Promise.all([
    startKubernetes(),
    startEtcd(1),
    mkdtemp(join(tmpdir(), 'faultline-roles-')),
  ]);
  await kube.createNamespace(NS);
  await kube.create(RBAC, NS);
  await kube.create([pod('scheduler-a'), pod('scheduler-b')], NS);
  const token = await kube.admin.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    name: 'scheduler',
    namespace: NS,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  kubeconfig = join(dir, 'scheduler.kubeconfig');
  await writeFile(kubeconfig, kube.kubeConfig(token.status!.token!, NS).exportConfig());
});

after(async () => {
  await stopAll(replicas);
  await Promise.all([kube?.stop(), etcd?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

test("each replica's pod says leader or follower; after the leader's SIGKILL the survivor's says leader", async () => {
  replicas.push(await start('a'), await start('b'));
  const [a, b] = replicas as [Replica, Replica];
  const leaderName = async () => {
    for (const r of [a, b]) if ((await leaderOf(r)).isLeader) return r.name;
    return undefined;
  };
  await waitFor(
    async () => {
      const leader = await leaderName();
      const r = await roles();
      return (
        leader !== undefined &&
        r[`scheduler-${leader}`] === 'leader' &&
        r[`scheduler-${leader === 'a' ? 'b' : 'a'}`] === 'follower'
      );
    },
    'one pod labelled leader (the replica that leads), the other follower',
    30_000,
    100,
  );
  const leader = (await leaderName())!;
  const [dead, survivor] = leader === 'a' ? [a, b] : [b, a];

  dead.child.kill('SIGKILL');
  await waitFor(
    async () =>
      (await leaderOf(survivor)).isLeader === true &&
      (await roles())[`scheduler-${survivor.name}`] === 'leader',
    `scheduler-${survivor.name} labelled leader after the takeover`,
    30_000,
    100,
  );

  // The kubelet restarts the container in the same pod: the new process starts as follower.
  replicas.push(await start(dead.name));
  await waitFor(
    async () => (await roles())[`scheduler-${dead.name}`] === 'follower',
    `scheduler-${dead.name} labelled follower after its restart`,
    30_000,
    100,
  );
  assert.deepEqual(await roles(), {
    [`scheduler-${survivor.name}`]: 'leader',
    [`scheduler-${dead.name}`]: 'follower',
  });
});
