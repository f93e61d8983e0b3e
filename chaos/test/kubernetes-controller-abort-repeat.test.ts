/**
 * The controller's abort conditions and repeat, against the API fake with a real agent as
 * booking-0's sidecar: `safety.abortWhen` is queried against a tiny fake Prometheus
 * (`/api/v1/query`) served here; once it returns a sample, every fault is recovered (the paused
 * app runs again) and the experiment is Aborted with a condition naming the expression. A
 * pod-kill with `repeat.interval` kills once per interval until the duration is over.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import { waitFor } from '@faultline/kit/testing/child-process';
import type { ExperimentStatus } from '../src/experiment/status.js';
import type { ExperimentController } from '../src/kubernetes/controller.js';
import { createKubeApis, kubeConfigForServer } from '../src/kubernetes/kube-apis.js';
import type { KubeApis } from '../src/kubernetes/kube-apis.js';
import { startKubeApiFake } from './kube-api-fake.js';
import type { KubeApiFake } from './kube-api-fake.js';
import {
  adminPort,
  NS,
  processState,
  resetCluster,
  startBookingSidecar,
  clearAgentFaults,
  createExperiment,
  startTestController,
} from './kube-cluster-helpers.js';
import type { BookingSidecar } from './kube-cluster-helpers.js';

const ABORT_EXPR = 'sum(rate(http_requests_total{code=~"5.."}[1m])) > 0.05';
const booking0 = { 'statefulset.kubernetes.io/pod-name': 'booking-0' };

let fake: KubeApiFake;
let apis: KubeApis;
let sidecar: BookingSidecar;
let controller: ExperimentController | undefined;

/** A Prometheus answering instant queries: an empty vector, or one sample once `firing`. */
const prom = { firing: false, queries: [] as string[], server: undefined as Server | undefined };
let promUrl: string;

before(async () => {
  fake = await startKubeApiFake();
  apis = createKubeApis(kubeConfigForServer(fake.url, 'test-token'));
  sidecar = await startBookingSidecar();
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
  await fake?.close();
  await new Promise((resolve) => prom.server?.close(resolve));
});
beforeEach(() => {
  resetCluster(fake, adminPort(sidecar.agent));
  prom.firing = false;
  prom.queries.length = 0;
});
afterEach(async () => {
  await controller?.stop();
  controller = undefined;
  await clearAgentFaults(sidecar);
});

async function startController(prometheusUrl?: string): Promise<void> {
  controller = await startTestController(fake, apis, sidecar, {
    renewIntervalMs: 100,
    ...(prometheusUrl ? { prometheusUrl } : {}),
  });
}

function statusOf(name: string): ExperimentStatus {
  return fake.store.experiments.get(`${NS}/${name}`)?.status ?? {};
}
const cond = (s: ExperimentStatus, type: string) => s.conditions?.find((c) => c.type === type);

test('abortWhen holds → the paused app resumes, no agent fault left, phase Aborted naming it', async () => {
  await startController(promUrl);
  await createExperiment(apis, 'abort-pause', {
    target: { service: 'booking', selector: booking0 },
    fault: { type: 'pod-pause' },
    duration: '60s',
    safety: { abortWhen: [{ promql: ABORT_EXPR }] },
  });
  await waitFor(
    () => cond(statusOf('abort-pause'), 'Applied')?.status === 'True' || undefined,
    'applied',
    10_000,
  );
  assert.equal(await processState(sidecar.app.pid!), 'T', 'paused');
  // Negative control: while the expression returns nothing, it is polled and nothing aborts.
  await waitFor(() => prom.queries.length >= 3 || undefined, 'three abort polls', 10_000);
  assert.equal(statusOf('abort-pause').phase, 'Running');
  assert.equal(sidecar.agent.activeFaults().length, 1);
  assert.ok(
    prom.queries.every((q) => q === ABORT_EXPR),
    prom.queries.join('\n'),
  );

  prom.firing = true;
  await waitFor(() => statusOf('abort-pause').phase === 'Aborted' || undefined, 'Aborted', 10_000);
  const s = statusOf('abort-pause');
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
  await createExperiment(apis, 'abort-no-prom', {
    target: { service: 'booking', selector: booking0 },
    fault: { type: 'pod-kill' },
    duration: '1s',
    safety: { abortWhen: [{ promql: ABORT_EXPR }] },
  });
  await waitFor(
    () => statusOf('abort-no-prom').phase === 'Completed' || undefined,
    'Completed',
    10_000,
  );
  const c = cond(statusOf('abort-no-prom'), 'AbortConditionsWatched');
  assert.equal(c?.status, 'False');
  assert.equal(c?.reason, 'NoPrometheus');
});

test('pod-kill with repeat.interval: one DELETE per round, each verified, rounds in the status', async () => {
  await startController();
  await createExperiment(apis, 'kill-repeat', {
    target: { service: 'booking', selector: booking0 },
    fault: { type: 'pod-kill' },
    duration: '2s',
    repeat: { interval: '400ms' },
  });
  await waitFor(
    () => statusOf('kill-repeat').phase === 'Completed' || undefined,
    'Completed',
    15_000,
  );
  const s = statusOf('kill-repeat');
  const deletes = fake.calls.filter(
    (c) => c.method === 'DELETE' && c.path === `/api/v1/namespaces/${NS}/pods/booking-0`,
  );
  // Rounds at 0, 0.4, 0.8, 1.2, 1.6 s: on a busy machine a late reconcile may still catch up
  // fewer, never more than fit in the duration.
  assert.ok((s.rounds ?? 0) >= 3 && (s.rounds ?? 0) <= 5, `rounds ${s.rounds}`);
  assert.equal(deletes.length, s.rounds, 'exactly one kill per round');
  assert.ok(deletes.every((c) => c.query.gracePeriodSeconds === '0'));
  assert.equal(s.targets?.length, s.rounds);
  const uids = new Set(s.targets?.map((t) => t.uid));
  assert.equal(uids.size, s.rounds, 'each round killed a new incarnation of booking-0');
  assert.equal(s.verification?.length, s.rounds);
  assert.ok(
    s.verification?.every((v) => v.outcome === 'verified'),
    JSON.stringify(s.verification),
  );
  assert.equal(cond(s, 'Repeated')?.status, 'True');
  assert.match(cond(s, 'Repeated')?.message ?? '', /^round \d+: booking-0 verified/);
});
