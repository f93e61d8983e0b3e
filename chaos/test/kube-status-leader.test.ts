/**
 * `status --platform kubernetes` asks each scheduler pod who leads through the API server's pod
 * proxy (which reaches pod IPs that a kind host cannot). The API server proxies to no loopback
 * address, so the pods' IP is a test host in a network namespace of this test's own making
 * (198.18.0.0/15, needs root), where two small servers answer `/leader` as the scheduler does:
 * one leads (term 7), one follows. A pod whose port answers nothing shows "?" with the reason.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { startKubernetes, type KubernetesCluster } from '@faultline/kit/testing/kubernetes';
import { createTestNetwork, type TestNetwork } from '@faultline/kit/testing/network-namespace';
import { waitFor } from '@faultline/kit/testing/child-process';
import { kubePodRows } from '../src/cli/kube-status.js';

const NS = 'status-leader';
let net: TestNetwork;
let kube: KubernetesCluster;

// The scheduler's `/leader` answer, from a process inside the namespace.
const LEADER_SERVER = (port: number, isLeader: boolean) => `
require('node:http').createServer((req, res) => {
  if (req.url !== '/leader') { res.writeHead(404); return res.end(); }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ leader: 'scheduler-a', term: 7, me: ${JSON.stringify(isLeader ? 'scheduler-a' : 'scheduler-b')}, isLeader: ${isLeader} }));
}).listen(${port}, process.argv[1]);
`;

const pod = (name: string, port: number) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { 'app.kubernetes.io/name': 'scheduler' } },
  spec: {
    containers: [
      { name: 'scheduler', image: 'faultline:test', ports: [{ name: 'app', containerPort: port }] },
    ],
  },
});

before(async () => {
  net = await createTestNetwork(`fl-status-${process.pid}`, 'kube-status-leader.test');
  try {
    kube = await startKubernetes({ podIP: net.innerAddress });
  } catch (e) {
    await net.remove();
    throw e;
  }
  for (const [port, isLeader] of [
    [18080, true],
    [18081, false],
  ] as const)
    net.start(process.execPath, ['-e', LEADER_SERVER(port, isLeader), net.innerAddress]);
  await kube.createNamespace(NS);
  await kube.create(
    [pod('scheduler-a', 18080), pod('scheduler-b', 18081), pod('scheduler-c', 18082)],
    NS,
  );
});

after(async () => {
  await kube?.stop();
  await net?.remove();
});

test('the ROLE column says who leads, asked through the pod proxy; a silent pod says why not', async () => {
  const core = kube.admin.makeApiClient(CoreV1Api);
  await waitFor(
    async () =>
      (await core.listNamespacedPod({ namespace: NS })).items.filter(
        (p) => p.status?.phase === 'Running',
      ).length === 3,
    'three pods running',
    30_000,
    100,
  );
  let rows = await kubePodRows(kube.admin, NS);
  // The servers may still be starting: ask until both answer.
  await waitFor(
    async () => {
      rows = await kubePodRows(kube.admin, NS);
      return rows.filter((r) => !r.role.startsWith('?')).length === 2;
    },
    'both leader servers answering through the pod proxy',
    20_000,
    200,
  );
  const role = (name: string) => rows.find((r) => r.name === name)?.role;
  assert.equal(role('scheduler-a'), 'leader (term 7)');
  assert.equal(role('scheduler-b'), 'follower');
  assert.match(role('scheduler-c') ?? '', /^\? \(pod proxy: /);
});
