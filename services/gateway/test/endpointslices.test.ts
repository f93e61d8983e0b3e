// EndpointSlice discovery against a real control plane (@faultline/kit/testing/kubernetes:
// kube-apiserver, kube-controller-manager, a simulated node). Three one-replica Deployments
// (booking-a/b/c, label app=booking) behind one Service whose targetPort is the *name* `http`;
// each pod declares its own containerPort for it. The real EndpointSlice controller writes the
// slices (one per resolved port); the discovery's informer feeds a real pool — a pod turning
// not-ready or terminating leaves the live view — and the gateway process routes requests to
// exactly the ready backends.
//
// Where the traffic goes: EndpointSlices refuse loopback addresses, so the pods cannot be on
// 127.0.0.1. Instead the test makes its own test host: a network namespace (fl-eps-<pid>) joined
// to the host namespace by a veth pair with a /30 from 198.18.0.0/15, the benchmarking range.
// The three backends run inside it (`ip netns exec`, fixtures/named-backend.ts) on the
// namespace end's address, which every pod gets as its pod IP (as hostNetwork pods share their
// node's), each on its own port. The gateway, in the host namespace, reaches them across the
// veth; nothing is sent to any address of the machine's real interfaces. after() stops the
// backends and deletes the namespace and the link, even when a test failed. Needs root for the
// namespace; without it the test fails saying so (it is never skipped).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import {
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { createLogger } from '@faultline/kit/logging';
import { waitFor } from '@faultline/kit/testing/child-process';
import { startKubernetes, type KubernetesCluster } from '@faultline/kit/testing/kubernetes';
import { BackendPool, type DiscoveredEndpoint } from '../src/backend-pool.js';
import { EndpointSliceDiscovery } from '../src/discovery/endpointslices.js';
import { createTestNetwork, type TestNetwork } from '@faultline/kit/testing/network-namespace';
import { send, startGateway } from './helpers.js';

const NS = 'shop';
const NAMES = ['a', 'b', 'c'] as const;
type Name = (typeof NAMES)[number];
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

const BACKEND_ENTRY = fileURLToPath(new URL('./fixtures/named-backend.js', import.meta.url));

let net: TestNetwork | undefined;
let kube: KubernetesCluster;
const ports = {} as Record<Name, number>;
/** The pods' IP: the namespace end of the test's own veth. */
const podIP = () => net!.innerAddress;
const id = (n: Name) => `${podIP()}:${ports[n]}`;

/** How many requests (other than /readyz) backend `n` answered, as it counts them itself. */
async function served(n: Name): Promise<number> {
  const r = await send(`http://${id(n)}/served`);
  assert.equal(r.status, 200, r.text);
  return (r.json as { served: number }).served;
}

function deployment(n: Name): KubernetesObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `booking-${n}` },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'booking', instance: n } },
      template: {
        metadata: { labels: { app: 'booking', instance: n } },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'faultline:dev',
              ports: [{ name: 'http', containerPort: ports[n] }],
            },
          ],
          terminationGracePeriodSeconds: 30,
        },
      },
    },
  } as KubernetesObject;
}

before(async () => {
  net = await createTestNetwork(`fl-eps-${process.pid}`, 'endpointslices.test');
  for (const n of NAMES) {
    const proc = net.start(process.execPath, [BACKEND_ENTRY], {
      env: { ...process.env, BACKEND_HOST: net.innerAddress, BACKEND_NAME: n },
    });
    const port = await waitFor(() => {
      if (proc.child.exitCode !== null) throw new Error(`backend ${n} exited:\n${proc.output()}`);
      return /^listening \S+:(\d+)$/m.exec(proc.output())?.[1];
    }, `backend ${n} to listen inside ${net.name}`);
    ports[n] = Number(port);
  }
  kube = await startKubernetes({ podIP: podIP() });
  await kube.createNamespace(NS);
  await kube.create(
    [
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'booking' },
        spec: {
          selector: { app: 'booking' },
          ports: [{ name: 'http', port: 80, targetPort: 'http' }],
        },
      } as KubernetesObject,
      ...NAMES.map(deployment),
    ],
    NS,
  );
  for (const n of NAMES) await kube.waitForWorkload('Deployment', NS, `booking-${n}`);
});
after(async () => {
  try {
    await kube?.stop();
  } finally {
    await net?.remove();
  }
});

const core = () => kube.admin.makeApiClient(CoreV1Api);
async function podOf(n: Name): Promise<string> {
  const pods = await core().listNamespacedPod({ namespace: NS, labelSelector: `instance=${n}` });
  const pod = pods.items.find((p) => !p.metadata?.deletionTimestamp);
  assert.ok(pod, `a pod of booking-${n}`);
  return pod.metadata!.name!;
}
async function scale(n: Name, replicas: number): Promise<void> {
  await kube.admin
    .makeApiClient(AppsV1Api)
    .patchNamespacedDeployment(
      { name: `booking-${n}`, namespace: NS, body: { spec: { replicas } } },
      MERGE,
    );
}

test('real slices: ready, not-ready and terminating endpoints reach the pool; a new pod joins', async () => {
  const discovery = new EndpointSliceDiscovery({
    kubeConfig: kube.admin,
    namespace: NS,
    service: 'booking',
    portName: 'http',
    logger: createLogger({ service: 'gateway-test', level: 'silent' }),
  });
  const pool = new BackendPool({
    upstream: 'booking',
    maxSocketsPerBackend: 4,
    breakerFailures: 5,
    breakerOpenMs: 1000,
    outlier: {
      consecutiveFailures: 5,
      baseEjectionMs: 1000,
      maxEjectionMs: 1000,
      maxEjectedPercent: 50,
    },
  });
  let latest: DiscoveredEndpoint[] = [];
  const eligible = () =>
    pool
      .eligible()
      .map((b) => b.id)
      .sort();
  try {
    await discovery.start((endpoints) => {
      latest = endpoints;
      pool.update(endpoints);
    });
    await waitFor(() => eligible().length === 3 || undefined, 'three ready endpoints', 30_000);
    assert.deepEqual(
      eligible(),
      NAMES.map(id).sort(),
      "each pod's own port for the named targetPort",
    );

    // A failing readiness probe: the EndpointSlice controller marks the endpoint not ready.
    const flaky = await podOf('a');
    await kube.simulator.setReady(NS, flaky, false);
    await waitFor(
      () => eligible().length === 2 || undefined,
      'not-ready to reach the pool',
      30_000,
    );
    assert.equal(pool.get(id('a'))?.ineligibleReason, 'not-ready');
    await kube.simulator.setReady(NS, flaky, true);
    await waitFor(() => eligible().length === 3 || undefined, 'ready again', 30_000);

    // Scaled down, with a process slow to exit: terminating (known, not eligible), then gone.
    kube.simulator.terminationDelayMs = 3_000;
    const leaving = await podOf('b');
    await scale('b', 0);
    await waitFor(
      () => pool.get(id('b'))?.ineligibleReason === 'terminating' || undefined,
      'terminating to reach the pool',
      30_000,
    );
    assert.deepEqual(eligible(), [id('a'), id('c')].sort());
    await waitFor(
      () => (latest.length === 2 && pool.get(id('b')) === undefined) || undefined,
      'gone',
      30_000,
    );

    // Scaled up again: a new pod, ready, back in the pool.
    await scale('b', 1);
    await waitFor(() => eligible().length === 3 || undefined, 'the new pod in the pool', 30_000);
    assert.notEqual(await podOf('b'), leaving);
  } finally {
    kube.simulator.terminationDelayMs = 0;
    await discovery.stop();
    pool.close();
  }
});

test('the gateway routes through real discovery to exactly the ready backends', async () => {
  for (const n of NAMES) await kube.waitForWorkload('Deployment', NS, `booking-${n}`);
  const gw = await startGateway({
    KUBECONFIG: kube.kubeconfigFile,
    GATEWAY_UPSTREAMS: JSON.stringify([
      {
        name: 'booking',
        prefix: '/',
        discovery: { kind: 'endpointslices', namespace: NS, service: 'booking', portName: 'http' },
      },
    ]),
    GATEWAY_HEALTH_INTERVAL_MS: '0',
  });
  try {
    const eligibleIds = async () =>
      (await gw.backends('booking'))
        .filter((b) => b.eligible)
        .map((b) => b.id)
        .sort();
    await waitFor(
      async () => (await eligibleIds()).length === 3 || undefined,
      'gateway sees 3',
      30_000,
    );
    const spread = async (n: number) => {
      const by = new Set<string>();
      for (let i = 0; i < n; i++) {
        const r = await send(`${gw.url}/seats/${i}`);
        assert.equal(r.status, 200, r.text);
        by.add(r.text);
      }
      return [...by].sort();
    };
    assert.deepEqual(await spread(30), [...NAMES], 'every ready backend serves');

    const out = await podOf('c');
    await kube.simulator.setReady(NS, out, false);
    await waitFor(
      async () => (await eligibleIds()).length === 2 || undefined,
      'gateway drops it',
      30_000,
    );
    const before = { a: await served('a'), b: await served('b'), c: await served('c') };
    assert.deepEqual(await spread(30), ['a', 'b'], 'only the ready ones serve');
    assert.equal(await served('c'), before.c, 'the not-ready backend got no request');
    assert.equal(
      (await served('a')) - before.a + (await served('b')) - before.b,
      30,
      'the ready backends counted every request, once',
    );
    await kube.simulator.setReady(NS, out, true);
  } finally {
    await gw.stop();
  }
});
