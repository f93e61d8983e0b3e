// EndpointSlice discovery against a real control plane (@faultline/kit/testing/kubernetes:
// kube-apiserver, kube-controller-manager, a simulated node). Three one-replica Deployments
// (booking-a/b/c, label app=booking) behind one Service whose targetPort is the *name* `http`;
// each pod declares its own containerPort for it and gets the host's own address as its pod IP
// (as hostNetwork pods do: EndpointSlices refuse loopback addresses), where a real HTTP
// backend of this test listens on that port. The real EndpointSlice controller writes the
// slices (one per resolved port); the discovery's informer feeds a real pool — a pod turning
// not-ready or terminating leaves the live view — and the gateway process routes requests to
// exactly the ready backends. The traffic never leaves the host (the address is local).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { networkInterfaces } from 'node:os';
import {
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { createLogger } from '@faultline/kit/logging';
import { waitFor } from '@faultline/kit/testing/child-process';
import { freePort } from '@faultline/kit/testing/free-port';
import { startKubernetes, type KubernetesCluster } from '@faultline/kit/testing/kubernetes';
import { BackendPool, type DiscoveredEndpoint } from '../src/backend-pool.js';
import { EndpointSliceDiscovery } from '../src/discovery/endpointslices.js';
import { send, startGateway } from './helpers.js';

const NS = 'shop';
const NAMES = ['a', 'b', 'c'] as const;
type Name = (typeof NAMES)[number];
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The host's own IPv4 address: local delivery, and not in the ranges EndpointSlices refuse. */
function hostAddress(): string {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  throw new Error(
    'this test needs a non-loopback IPv4 address on the host (EndpointSlices refuse 127.0.0.0/8)',
  );
}

const HOST = hostAddress();
let kube: KubernetesCluster;
const ports = {} as Record<Name, number>;
const backends: Server[] = [];
const served = new Map<Name, number>();
const id = (n: Name) => `${HOST}:${ports[n]}`;

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
  for (const n of NAMES) {
    ports[n] = await freePort(HOST);
    const srv = createServer((req, res) => {
      if (req.url !== '/readyz') served.set(n, (served.get(n) ?? 0) + 1);
      res.writeHead(200, { 'content-type': 'text/plain' }).end(n);
    });
    await new Promise<void>((resolve) => srv.listen(ports[n], HOST, resolve));
    backends.push(srv);
  }
  kube = await startKubernetes({ podIP: HOST });
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
  await kube?.stop();
  for (const s of backends) s.close();
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
    const before = served.get('c') ?? 0;
    assert.deepEqual(await spread(30), ['a', 'b'], 'only the ready ones serve');
    assert.equal(served.get('c') ?? 0, before, 'the not-ready backend got no request');
    await kube.simulator.setReady(NS, out, true);
  } finally {
    await gw.stop();
  }
});
