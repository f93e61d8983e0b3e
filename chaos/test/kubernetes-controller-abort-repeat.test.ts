/**
 * The controller's abort conditions and repeat, against a real control plane (kube-harness.ts)
 * under the controller's ServiceAccount, with a real agent as booking-0's sidecar:
 * `safety.abortWhen` is queried against a tiny stand-in Prometheus (`/api/v1/query`) served
 * here; once it returns a sample, every fault is recovered (the paused app runs again) and the
 * experiment is Aborted with a condition naming the expression. A pod-kill with
 * `repeat.interval` kills once per interval until the duration is over, each round a new
 * incarnation of booking-0 made by the real StatefulSet controller.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import { waitFor } from '@faultline/kit/testing/child-process';
import type { ExperimentStatus } from '../src/experiment/status.js';
import type { ExperimentController } from '../src/kubernetes/controller.js';
import { bookingStatefulSet, startChaosCluster } from './kube-harness.js';
import type { ChaosCluster } from './kube-harness.js';
import {
  adminPort,
  cond,
  processState,
  readExperiment,
  startBookingSidecar,
  clearAgentFaults,
  createExperiment,
  deleteAllExperiments,
  startTestController,
} from './kube-cluster-helpers.js';
import type { BookingSidecar } from './kube-cluster-helpers.js';

const ABORT_EXPR = 'sum(rate(http_requests_total{code=~"5.."}[1m])) > 0.05';
const booking0 = { 'statefulset.kubernetes.io/pod-name': 'booking-0' };

const NS = 'chaos-abort-repeat';
let cluster: ChaosCluster;
let sidecar: BookingSidecar;
let controller: ExperimentController | undefined;

/** A Prometheus answering instant queries: an empty vector, or one sample once `firing`. */
const prom = { firing: false, queries: [] as string[], server: undefined as Server | undefined };
let promUrl: string;

before(async () => {
  sidecar = await startBookingSidecar();
  cluster = await startChaosCluster(NS);
  await cluster.kube.create([bookingStatefulSet(NS, adminPort(sidecar.agent))]);
  await cluster.kube.waitForWorkload('StatefulSet', NS, 'booking');
  prom.server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/api/v1/query') {
      res.writeHead(404).end();
      return;
    }
    prom.queries.push(url.searchParams.get('query') ?? '');
    const result = prom.firing
      ? [{ metric: {}, value: [Date.now() / 1000, '0.2'] }]
      : ([] as unknown[]);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }));
  });
  await new Promise<void>((resolve) => prom.server!.listen(0, '127.0.0.1', resolve));
  promUrl = `http://127.0.0.1:${(prom.server.address() as AddressInfo).port}`;
});
after(async () => {
  await sidecar?.close();
  await cluster?.stop();
  await new Promise((resolve) => prom.server?.close(resolve));
});
beforeEach(() => {
  prom.firing = false;
  prom.queries.length = 0;
});
afterEach(async () => {
  await controller?.stop();
  controller = undefined;
  await clearAgentFaults(sidecar);
  await deleteAllExperiments(cluster.admin, NS);
  await cluster.kube.waitForWorkload('StatefulSet', NS, 'booking');
});

async function startController(prometheusUrl?: string): Promise<void> {
  controller = await startTestController(cluster.controller, NS, sidecar.tokenFile, {
    // TTL 900 ms: a busy machine (the control plane shares it) must not let the pause expire.
    renewIntervalMs: 300,
    ...(prometheusUrl ? { prometheusUrl } : {}),
  });
}

async function statusOf(name: string): Promise<ExperimentStatus> {
  return (await readExperiment(cluster.admin, NS, name))?.status ?? {};
}

test('abortWhen holds → the paused app resumes, no agent fault left, phase Aborted naming it', async () => {
  await startController(promUrl);
  await createExperiment(cluster.admin, NS, 'abort-pause', {
    target: { service: 'booking', selector: booking0 },
    fault: { type: 'pod-pause' },
    duration: '60s',
    safety: { abortWhen: [{ promql: ABORT_EXPR }] },
  });
  await waitFor(
    async () => cond(await statusOf('abort-pause'), 'Applied')?.status === 'True' || undefined,
    'applied',
    10_000,
  );
  await waitFor(
    async () => (await processState(sidecar.app.pid!)) === 'T' || undefined,
    'paused',
    5_000,
  );
  // Negative control: while the expression returns nothing, it is polled and nothing aborts.
  await waitFor(() => prom.queries.length >= 3 || undefined, 'three abort polls', 10_000);
  assert.equal((await statusOf('abort-pause')).phase, 'Running');
  assert.equal(sidecar.agent.activeFaults().length, 1);
  assert.ok(
    prom.queries.every((q) => q === ABORT_EXPR),
    prom.queries.join('\n'),
  );

  prom.firing = true;
  await waitFor(
    async () => (await statusOf('abort-pause')).phase === 'Aborted' || undefined,
    'Aborted',
    10_000,
  );
  const s = await statusOf('abort-pause');
  const aborted = cond(s, 'Aborted');
  assert.equal(aborted?.status, 'True');
  assert.equal(aborted?.reason, 'AbortConditionHeld');
  assert.ok(aborted?.message?.includes(ABORT_EXPR), aborted?.message);
  assert.equal(cond(s, 'Recovered')?.status, 'True');
  assert.ok(s.finishedAt);
  assert.deepEqual(sidecar.agent.activeFaults(), [], 'every agent fault recovered');
  assert.notEqual(await processState(sidecar.app.pid!), 'T', 'the app runs again');
});

test('abortWhen without a Prometheus URL: not watched, said in a condition', async () => {
  await startController();
  await createExperiment(cluster.admin, NS, 'abort-no-prom', {
    target: { service: 'booking', selector: booking0 },
    fault: { type: 'pod-kill' },
    duration: '1s',
    safety: { abortWhen: [{ promql: ABORT_EXPR }] },
  });
  await waitFor(
    async () => (await statusOf('abort-no-prom')).phase === 'Completed' || undefined,
    'Completed',
    10_000,
  );
  const c = cond(await statusOf('abort-no-prom'), 'AbortConditionsWatched');
  assert.equal(c?.status, 'False');
  assert.equal(c?.reason, 'NoPrometheus');
});

test('pod-kill with repeat.interval: each round kills a new incarnation from the StatefulSet, verified, rounds in the status', async () => {
  await startController();
  await createExperiment(cluster.admin, NS, 'kill-repeat', {
    target: { service: 'booking', selector: booking0 },
    fault: { type: 'pod-kill' },
    duration: '4s',
    repeat: { interval: '1s' },
  });
  await waitFor(
    async () => (await statusOf('kill-repeat')).phase === 'Completed' || undefined,
    'Completed',
    15_000,
  );
  const s = await statusOf('kill-repeat');
  // Rounds at 0, 1, 2, 3 s: on a busy machine a late reconcile may catch up fewer, never more
  // than fit in the duration; a round whose target is not ready again yet is skipped.
  assert.ok((s.rounds ?? 0) >= 2 && (s.rounds ?? 0) <= 4, `rounds ${s.rounds}`);
  assert.ok((s.targets?.length ?? 0) >= 2, JSON.stringify(s.targets));
  const uids = new Set(s.targets?.map((t) => t.uid));
  assert.equal(uids.size, s.targets?.length, 'each round killed a new incarnation of booking-0');
  const now = await cluster.admin.core.readNamespacedPod({ name: 'booking-0', namespace: NS });
  assert.ok(!uids.has(now.metadata?.uid), 'the last one was replaced too');
  assert.equal(s.verification?.length, s.targets?.length);
  assert.ok(
    s.verification?.every((v) => v.outcome === 'verified'),
    JSON.stringify(s.verification),
  );
  assert.match(cond(s, 'Repeated')?.message ?? '', /^round \d+: /);
});
