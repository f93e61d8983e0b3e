/**
 * A game day's Kubernetes side, against a real control plane (kube-harness.ts), as a runner on a
 * kind host would see it: readiness and each pod's environment from the API, the scheduler
 * pods' own `/leader` through the API server's pod proxy (a real scheduler on the host end of a
 * veth pair of this test's own making: the API server proxies to no loopback address), and
 * `faultline gameday run --platform kubernetes` refusing, before anything is injected, pods
 * that run with an override the game day did not ask for. What needs kind (the cluster's
 * network, the gateway, in-cluster Prometheus, the load through it) is not here.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import type { V1Container } from '@kubernetes/client-node';
import { startProcess, waitFor, type ManagedProcess } from '@faultline/kit/testing/child-process';
import { startEtcd, type EtcdCluster } from '@faultline/kit/testing/etcd-server';
import { freePort } from '@faultline/kit/testing/free-port';
import { createTestNetwork, type TestNetwork } from '@faultline/kit/testing/network-namespace';
import { KubernetesGameDayPlatform } from '../src/gameday/kubernetes-platform.js';
import { LeadershipPoll } from '../src/gameday/leadership-poll.js';
import { KubernetesDriver } from '../src/kubernetes/kubernetes-driver.js';
import { bookingStatefulSet, deployment, startChaosCluster } from './kube-harness.js';
import type { ChaosCluster } from './kube-harness.js';
import { CLI } from './local-harness.js';

const NS = 'chaos-gameday';
const SCHEDULER_ENTRY = fileURLToPath(
  new URL('../../../services/scheduler/dist/src/main.js', import.meta.url),
);
const GAME_DAY = fileURLToPath(
  new URL('../../../gamedays/booking-under-chaos.yaml', import.meta.url),
);

let net: TestNetwork;
let etcd: EtcdCluster;
let scheduler: ManagedProcess;
let schedulerPort: number;
let tokenFile: string;
let cluster: ChaosCluster;
let platform: KubernetesGameDayPlatform;
let dir: string;

const container = (name: string, extra: Partial<V1Container>): V1Container => ({
  name,
  image: 'faultline:dev',
  ...extra,
});

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'faultline-kube-gameday-'));
  // No fault is applied here: the token file only has to exist.
  tokenFile = join(dir, 'agent-token');
  writeFileSync(tokenFile, 'unused\n', { mode: 0o600 });
  net = await createTestNetwork(`fl-gameday-${process.pid}`, 'kubernetes-gameday.test');
  try {
    etcd = await startEtcd(1);
    schedulerPort = await freePort();
    scheduler = startProcess(process.execPath, [SCHEDULER_ENTRY], {
      env: {
        ...process.env,
        SCHEDULER_HOST: net.hostAddress,
        SCHEDULER_PORT: String(schedulerPort),
        SCHEDULER_ETCD_ENDPOINTS: etcd.endpoints.join(','),
        SCHEDULER_INSTANCE: 'scheduler-on-veth',
        SCHEDULER_LEASE_TTL_S: '2',
        SCHEDULER_TICK_MS: '500',
      },
    });
    await waitFor(
      async () =>
        (await fetch(`http://${net.hostAddress}:${schedulerPort}/readyz`).catch(() => undefined))
          ?.status === 200,
      `the scheduler ready on ${net.hostAddress}:${schedulerPort}`,
      20_000,
      50,
    );
    cluster = await startChaosCluster(NS, { podIP: net.hostAddress });
    // booking as the chart has it: a StatefulSet whose app container sets its variables, one
    // of them the negative control's override (fencing off).
    const booking = bookingStatefulSet(NS, 9901, 3);
    booking.spec!.template.spec!.containers = [
      container('booking', {
        env: [
          { name: 'BOOKING_FENCING', value: 'off' },
          { name: 'BOOKING_INSTANCE', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        ],
      }),
    ];
    const sched = deployment(NS, 'scheduler', 1);
    sched.spec!.template.spec!.containers = [
      container('scheduler', { ports: [{ name: 'app', containerPort: schedulerPort }] }),
    ];
    await cluster.kube.create([booking, sched]);
    await cluster.kube.waitForWorkload('StatefulSet', NS, 'booking');
    await cluster.kube.waitForWorkload('Deployment', NS, 'scheduler');
    platform = await KubernetesGameDayPlatform.open({
      driver: new KubernetesDriver({
        apis: cluster.admin,
        namespace: NS,
        agentTokenFile: tokenFile,
        agentRoute: 'api-server-proxy',
        kubeConfig: cluster.kube.admin,
      }),
      apis: cluster.admin,
      kubeConfig: cluster.kube.admin,
      namespace: NS,
      gatewayUrl: 'http://127.0.0.1:1',
      prometheusUrl: 'http://127.0.0.1:1',
    });
  } catch (e) {
    await stopAll();
    throw e;
  }
});

async function stopAll(): Promise<void> {
  await platform?.close();
  await cluster?.stop();
  await scheduler?.stop();
  await etcd?.stop();
  await net?.remove();
  rmSync(dir, { recursive: true, force: true });
}
after(stopAll);

test('readiness and pod environments come from the API; replicas carry their ordinal', async () => {
  const lines = await platform.ready();
  assert.deepEqual(
    lines.map((l) => [l.name, l.ok, l.detail]),
    [
      ['playground running', true, `4 pods in namespace ${NS}`],
      ['every pod ready', true, '4 pods ready'],
    ],
  );
  await cluster.kube.simulator.setReady(NS, 'booking-1', false);
  try {
    await waitFor(
      async () => (await platform.ready())[1]?.detail === 'not ready: booking-1',
      'booking-1 reported not ready',
      10_000,
      100,
    );
    assert.equal((await platform.ready())[1]?.ok, false);
  } finally {
    await cluster.kube.simulator.setReady(NS, 'booking-1', true);
  }
  const envs = (await platform.podEnvs('booking')).sort((a, b) => a.pod.localeCompare(b.pod));
  assert.deepEqual(
    envs.map((e) => [e.pod, e.env.BOOKING_FENCING, e.env.BOOKING_INSTANCE]),
    [
      ['booking-0', 'off', 'booking-0'],
      ['booking-1', 'off', 'booking-1'],
      ['booking-2', 'off', 'booking-2'],
    ],
  );
  // The StatefulSet controller's label, which the shipped game days select replicas by.
  const pods = await platform.driver.listCandidates({ service: 'booking', roles: false });
  for (const p of pods)
    assert.equal(p.labels['apps.kubernetes.io/pod-index'], p.name.slice('booking-'.length));
});

test("the scheduler pods' own API through the pod proxy: /leader, polled as a game day does", async () => {
  const urls = await platform.podUrls('scheduler');
  assert.equal(urls.length, 1);
  assert.match(
    urls[0]!.url,
    new RegExp(
      `^http://127\\.0\\.0\\.1:\\d+/api/v1/namespaces/${NS}/pods/scheduler-[a-z0-9-]+:${schedulerPort}/proxy$`,
    ),
  );
  let leader: { leader: string | null; term: number | null } | undefined;
  await waitFor(
    async () => {
      const res = await fetch(`${urls[0]!.url}/leader`);
      leader = (await res.json()) as typeof leader;
      return res.status === 200 && leader?.leader === 'scheduler-on-veth';
    },
    'the scheduler leads, seen through the API server',
    20_000,
    200,
  );
  assert.equal(typeof leader?.term, 'number');
  const poll = new LeadershipPoll(() => platform.podUrls('scheduler'), 200);
  poll.start();
  await waitFor(
    () => poll.timeline.samples.length >= 2 || undefined,
    'two leadership samples through the forwarder',
    20_000,
    100,
  );
  const timeline = poll.stop();
  assert.ok(timeline.samples.length >= 2, `${timeline.samples.length} samples`);
  assert.deepEqual(
    timeline.terms.map((t) => [t.term, t.leader]),
    [[leader!.term, 'scheduler-on-veth']],
  );
});

test('negative control: the forwarder passes only GET of this namespace’s pod proxy paths', async () => {
  const url = (await platform.podUrls('scheduler'))[0]!.url;
  const base = url.slice(0, url.indexOf('/api/'));
  const post = await fetch(`${url}/leader`, { method: 'POST' });
  assert.equal(post.status, 405);
  for (const path of [
    '/api/v1/namespaces/kube-system/pods/x:1/proxy/',
    `/api/v1/namespaces/${NS}/secrets`,
    `/api/v1/namespaces/${NS}/pods/scheduler`,
  ]) {
    const res = await fetch(`${base}${path}`);
    assert.equal(res.status, 403, path);
  }
});

test('gameday run --platform kubernetes refuses pods with an override the file did not ask for', async () => {
  const out = join(dir, 'refused');
  const run = spawn(
    process.execPath,
    [
      CLI,
      'gameday',
      'run',
      GAME_DAY,
      '--platform',
      'kubernetes',
      '--kubeconfig',
      cluster.kube.kubeconfigFile,
      '--namespace',
      NS,
      '--agent-token-file',
      tokenFile,
      '--gateway-url',
      'http://127.0.0.1:1',
      '--prometheus-url',
      'http://127.0.0.1:1',
      '--phase-scale',
      '0.1',
      '--out',
      out,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let text = '';
  run.stdout.on('data', (c: Buffer) => (text += c.toString()));
  run.stderr.on('data', (c: Buffer) => (text += c.toString()));
  const code = await new Promise<number | null>((resolve) => run.on('exit', resolve));
  assert.equal(code, 2, text);
  assert.match(text, new RegExp(`kubernetes: context \\S+, namespace ${NS}`));
  assert.match(text, /ok +every pod ready: 4 pods ready/);
  // Only the overrides: every scheduled experiment's target (pod-index 0, 1, 2) resolved.
  const refusals = text.split('\n').filter((l) => l.includes('] REFUSED: '));
  assert.equal(refusals.length, 1, text);
  for (const pod of ['booking-0', 'booking-1', 'booking-2'])
    assert.match(refusals[0]!, new RegExp(`${pod} runs with BOOKING_FENCING=off`));
});
