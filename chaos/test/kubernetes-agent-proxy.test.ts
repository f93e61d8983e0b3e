/**
 * From outside a kind cluster pod IPs are not routable, so the CLI reaches the pods' agents
 * through the API server's pod proxy (`--agent-route api-server-proxy`, its default outside a
 * cluster). Against a real control plane (kube-harness.ts): booking-0's agent listens on the
 * host end of a veth pair of this test's own making (the API server proxies to no loopback
 * address), the simulated node gives the pods that address, and a pod-pause goes out, is
 * verified, renewed and recovered through the proxy — a real SIGSTOP on the app process.
 *
 * Why the token needs its own header: the API server drops `Authorization` once it has
 * authenticated the caller, so the same call with the bearer token alone is refused by the
 * agent (the negative control below).
 */
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, test } from 'node:test';
import { createTestNetwork, type TestNetwork } from '@faultline/kit/testing/network-namespace';
import { experimentSchema } from '../src/experiment/spec.js';
import type { FaultOrder } from '../src/engine/platform-driver.js';
import { KubernetesDriver } from '../src/kubernetes/kubernetes-driver.js';
import { defaultAgentRoute } from '../src/cli/kubernetes-platform.js';
import { bookingStatefulSet, startChaosCluster, type ChaosCluster } from './kube-harness.js';
import {
  adminPort,
  assertPauseLifecycle,
  startBookingSidecar,
  type BookingSidecar,
} from './kube-cluster-helpers.js';

const NS = 'chaos-agent-proxy';
let net: TestNetwork;
let cluster: ChaosCluster;
let sidecar: BookingSidecar;

before(async () => {
  net = await createTestNetwork(`fl-agentpx-${process.pid}`, 'kubernetes-agent-proxy.test');
  try {
    sidecar = await startBookingSidecar(net.hostAddress);
    cluster = await startChaosCluster(NS, { podIP: net.hostAddress });
    await cluster.kube.create([bookingStatefulSet(NS, adminPort(sidecar.agent), 1)]);
    await cluster.kube.waitForWorkload('StatefulSet', NS, 'booking');
  } catch (e) {
    await sidecar?.close();
    await cluster?.stop();
    await net.remove();
    throw e;
  }
});
after(async () => {
  await sidecar?.close();
  await cluster?.stop();
  await net?.remove();
});

async function pauseOrder(driver: KubernetesDriver): Promise<FaultOrder> {
  const [target] = await driver.listCandidates({ service: 'booking', roles: false });
  assert.equal(target?.name, 'booking-0');
  const e = experimentSchema().parse({
    apiVersion: 'chaos.faultline.dev/v1alpha1',
    kind: 'Experiment',
    metadata: { name: 'proxy-pause', namespace: NS },
    spec: { target: { service: 'booking' }, fault: { type: 'pod-pause' }, duration: '1s' },
  });
  return { experimentId: 'exp-px', fault: e.spec.fault, target, ttlMs: 5_000, seed: 1 };
}

test('a pod-pause through the API server pod proxy: applied, verified, renewed and recovered', async () => {
  const driver = new KubernetesDriver({
    apis: cluster.admin,
    namespace: NS,
    agentTokenFile: sidecar.tokenFile,
    agentRoute: 'api-server-proxy',
    kubeConfig: cluster.kube.admin,
  });
  const order = await pauseOrder(driver);
  const applied = await driver.apply(order);
  const server = cluster.kube.admin.getCurrentCluster()!.server.replace(/\/+$/, '');
  assert.equal(
    applied[0]?.agentUrl,
    `${server}/api/v1/namespaces/${NS}/pods/booking-0:${adminPort(sidecar.agent)}/proxy/`,
    'the agent is addressed through the API server, not at the pod IP',
  );
  const held = sidecar.agent.activeFaults();
  assert.deepEqual(
    held.map((f) => [f.type, f.experiment]),
    [['pause', 'exp-px']],
  );
  await assertPauseLifecycle(driver, order, applied, sidecar);
});

test('negative control: through the proxy, Authorization never reaches the agent', async () => {
  const kc = cluster.kube.admin;
  const opts: Parameters<typeof request>[1] = {};
  await kc.applyToHTTPSOptions(opts);
  const server = kc.getCurrentCluster()!.server.replace(/\/+$/, '');
  const url = `${server}/api/v1/namespaces/${NS}/pods/booking-0:${adminPort(sidecar.agent)}/proxy/faults`;
  const get = (extra: Record<string, string>) =>
    new Promise<{ status: number; body: string; challenge: string | undefined }>(
      (resolve, reject) => {
        const headers = { ...(opts.headers as Record<string, string> | undefined), ...extra };
        request(url, { ...opts, headers }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body,
              challenge: res.headers['www-authenticate'],
            }),
          );
        })
          .on('error', reject)
          .end();
      },
    );
  // This kubeconfig authenticates with a bearer token of its own: had the API server passed
  // Authorization on, the agent would have seen a wrong token. It saw none.
  const plain = await get({});
  assert.equal(plain.status, 401);
  assert.equal(
    plain.challenge,
    'Bearer realm="faultline-agent"',
    'the agent answered, not the API',
  );
  assert.match(plain.body, /missing header: Authorization/);
  assert.equal((await get({ 'x-faultline-agent-token': sidecar.agent.token })).status, 200);
  const wrong = await get({ 'x-faultline-agent-token': 'wrong' });
  assert.equal(wrong.status, 401);
  assert.match(wrong.body, /wrong token/);
});

test('the CLI reaches agents through the proxy unless it runs inside a cluster', () => {
  assert.equal(defaultAgentRoute({}), 'api-server-proxy');
  assert.equal(defaultAgentRoute({ KUBERNETES_SERVICE_HOST: '10.96.0.1' }), 'pod-ip');
});
