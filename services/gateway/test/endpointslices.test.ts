// EndpointSlice discovery against an API fake that speaks the real discovery.k8s.io/v1 JSON:
// a list, then a chunked watch stream with ADDED, MODIFIED (ready: false, terminating) and
// DELETED events, consumed by @kubernetes/client-node's informer and fed into a real pool.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { createLogger } from '@faultline/kit/logging';
import { waitFor } from '@faultline/kit/testing/child-process';
import { BackendPool, type DiscoveredEndpoint } from '../src/backend-pool.js';
import { EndpointSliceDiscovery } from '../src/discovery/endpointslices.js';

const NS = 'shop';
let rv = 100;

function slice(name: string, endpoints: { ip: string; ready: boolean; terminating?: boolean }[]) {
  return {
    kind: 'EndpointSlice',
    apiVersion: 'discovery.k8s.io/v1',
    metadata: {
      name,
      namespace: NS,
      uid: `uid-${name}`,
      resourceVersion: String(++rv),
      generateName: 'booking-',
      labels: {
        'kubernetes.io/service-name': 'booking',
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
      },
      ownerReferences: [
        {
          apiVersion: 'v1',
          kind: 'Service',
          name: 'booking',
          uid: 'svc-uid',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    addressType: 'IPv4',
    endpoints: endpoints.map((e, i) => ({
      addresses: [e.ip],
      conditions: {
        ready: e.ready,
        serving: e.ready || (e.terminating ?? false),
        terminating: e.terminating ?? false,
      },
      nodeName: 'kind-worker',
      targetRef: {
        kind: 'Pod',
        namespace: NS,
        name: `booking-7d9c-${name}-${i}`,
        uid: `pod-${name}-${i}`,
      },
    })),
    ports: [
      { name: 'metrics', port: 9464, protocol: 'TCP' },
      { name: 'http', port: 8080, protocol: 'TCP' },
    ],
  };
}

let api: Server;
let apiUrl = '';
const watchers: ServerResponse[] = [];
const requests: URL[] = [];

before(async () => {
  api = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    requests.push(url);
    if (url.pathname !== `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices`) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'NotFound',
          code: 404,
        }),
      );
      return;
    }
    if (url.searchParams.get('watch') === 'true') {
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      res.flushHeaders();
      watchers.push(res);
      return;
    }
    const items = [slice('booking-abc12', [{ ip: '10.244.0.5', ready: true }])];
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        kind: 'EndpointSliceList',
        apiVersion: 'discovery.k8s.io/v1',
        // A list's version is the store's latest, at or after every item's.
        metadata: { resourceVersion: String(rv) },
        items,
      }),
    );
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
after(async () => {
  for (const w of watchers) w.destroy();
  api.closeAllConnections();
  await new Promise((r) => api.close(r));
});

const emit = (type: string, object: unknown) => {
  for (const w of watchers) w.write(`${JSON.stringify({ type, object })}\n`);
};

test('list, then ADDED / MODIFIED (not ready, terminating) / DELETED reach the pool', async () => {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server: apiUrl, skipTLSVerify: true }],
    users: [{ name: 'tester', token: 'not-a-real-token' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'tester' }],
    currentContext: 'fake',
  });
  const logger = createLogger({ service: 'gateway-test', level: 'silent' });
  const discovery = new EndpointSliceDiscovery({
    kubeConfig: kc,
    namespace: NS,
    service: 'booking',
    portName: 'http',
    logger,
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
  try {
    await discovery.start((endpoints) => {
      latest = endpoints;
      pool.update(endpoints);
    });
    const eligible = () =>
      pool
        .eligible()
        .map((b) => b.id)
        .sort();

    // The list.
    assert.deepEqual(latest, [{ host: '10.244.0.5', port: 8080, ready: true, terminating: false }]);
    const list = requests.find((u) => u.searchParams.get('watch') !== 'true')!;
    assert.equal(list.searchParams.get('labelSelector'), 'kubernetes.io/service-name=booking');
    await waitFor(() => watchers.length > 0, 'the watch to connect');
    const watch = requests.find((u) => u.searchParams.get('watch') === 'true')!;
    assert.equal(
      watch.searchParams.get('resourceVersion'),
      '101',
      'the watch resumes from the list',
    );
    assert.equal(watch.searchParams.get('labelSelector'), 'kubernetes.io/service-name=booking');

    // ADDED: a second slice with a ready pod.
    emit('ADDED', slice('booking-def34', [{ ip: '10.244.1.7', ready: true }]));
    await waitFor(() => eligible().length === 2, 'ADDED to reach the pool');
    assert.deepEqual(eligible(), ['10.244.0.5:8080', '10.244.1.7:8080']);

    // MODIFIED: that pod is terminating and no longer ready — known, but not eligible.
    emit(
      'MODIFIED',
      slice('booking-def34', [{ ip: '10.244.1.7', ready: false, terminating: true }]),
    );
    await waitFor(() => eligible().length === 1, 'MODIFIED to reach the pool');
    assert.deepEqual(eligible(), ['10.244.0.5:8080']);
    const terminating = pool.get('10.244.1.7:8080')!;
    assert.equal(terminating.ineligibleReason, 'terminating');
    assert.equal(pool.all().length, 2, 'a terminating endpoint stays known until it is deleted');

    // An in-flight request holds the deleted backend until it finishes (draining).
    pool.acquire(terminating);
    emit(
      'DELETED',
      slice('booking-def34', [{ ip: '10.244.1.7', ready: false, terminating: true }]),
    );
    await waitFor(() => latest.length === 1, 'DELETED to reach discovery');
    assert.equal(pool.all().length, 2, 'still there while a request is in flight');
    assert.equal(terminating.ineligibleReason, 'removed');
    pool.release(terminating);
    assert.deepEqual(
      pool.all().map((b) => b.id),
      ['10.244.0.5:8080'],
      'gone once idle',
    );

    // MODIFIED not-ready on the first slice empties the eligible set.
    emit('MODIFIED', slice('booking-abc12', [{ ip: '10.244.0.5', ready: false }]));
    await waitFor(() => eligible().length === 0, 'not-ready to reach the pool');
    assert.equal(pool.get('10.244.0.5:8080')!.ineligibleReason, 'not-ready');
  } finally {
    await discovery.stop();
    pool.close();
  }
});
