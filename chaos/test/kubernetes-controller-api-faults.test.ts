/**
 * The controller against the hand-written API fake (kube-api-fake.ts), kept only for the cases
 * a real API server cannot be made to produce on demand:
 *   - an injected 500 InternalError on a chosen request (three in a row), to see the requeue
 *     back-off double;
 *   - a watch the server ends at a moment the test chooses (real servers end watches after a
 *     randomised --min-request-timeout), to see the controller list and watch again.
 * Everything else the controller does is tested against the real control plane in
 * kubernetes-controller*.test.ts.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { createLogger } from '@faultline/kit/logging';
import { waitFor } from '@faultline/kit/testing/child-process';
import type { ExperimentStatus } from '../src/experiment/status.js';
import { ExperimentController } from '../src/kubernetes/controller.js';
import { ExperimentResources } from '../src/kubernetes/experiment-resources.js';
import { createKubeApis, kubeConfigForServer } from '../src/kubernetes/kube-apis.js';
import type { KubeApis } from '../src/kubernetes/kube-apis.js';
import { KubernetesDriver } from '../src/kubernetes/kubernetes-driver.js';
import { startKubeApiFake } from './kube-api-fake.js';
import type { KubeApiFake } from './kube-api-fake.js';
import { createExperiment } from './kube-cluster-helpers.js';

const NS = 'faultline';
const EXP_PATH = `/apis/chaos.faultline.dev/v1alpha1/namespaces/${NS}/experiments`;
let fake: KubeApiFake;
let apis: KubeApis;
let controller: ExperimentController | undefined;

before(async () => {
  fake = await startKubeApiFake();
  apis = createKubeApis(kubeConfigForServer(fake.url, 'test-token'));
});
after(async () => {
  await fake?.close();
});
afterEach(async () => {
  await controller?.stop();
  controller = undefined;
});

async function startController(
  onReconcileError?: (name: string, e: unknown, retryInMs: number) => void,
): Promise<void> {
  controller = new ExperimentController({
    resources: new ExperimentResources(apis),
    driver: new KubernetesDriver({ apis, namespace: NS, agentTokenFile: '/nonexistent' }),
    namespace: NS,
    logger: createLogger({ service: 'controller-test', level: 'silent' }),
    baseBackoffMs: 20,
    maxBackoffMs: 200,
    ...(onReconcileError ? { onReconcileError } : {}),
  });
  await controller.start();
  await waitFor(() => fake.watchers() >= 1 || undefined, 'controller watching', 5_000);
}

const statusOf = (name: string): ExperimentStatus =>
  fake.store.experiments.get(`${NS}/${name}`)?.status ?? {};
const waitForPhase = (name: string, phase: string) =>
  waitFor(() => statusOf(name).phase === phase || undefined, `${name} ${phase}`, 15_000);

// A spec the CRD schema would refuse (its pattern); the fake has no schema, so the
// controller's own validation answers: a status write without any pod being touched.
const invalid = { target: { service: 'booking' }, fault: { type: 'pod-kill' }, duration: 'soon' };

test('API errors requeue with back-off until the status is written', async () => {
  const errors: number[] = [];
  await startController((_n, _e, retryInMs) => errors.push(retryInMs));
  fake.failNext(3, (c) => c.method === 'PATCH' && c.path === `${EXP_PATH}/flaky/status`);
  await createExperiment(apis, NS, 'flaky', invalid);
  await waitForPhase('flaky', 'Failed');
  assert.match(
    statusOf('flaky').conditions?.find((c) => c.type === 'Validated')?.message ?? '',
    /spec\.duration/,
  );
  assert.deepEqual(errors, [20, 40, 80], 'three failures, doubling back-off');
});

test('a watch closed by the server is re-listed and re-watched', async () => {
  await startController();
  const watchCalls = () =>
    fake.calls.filter((c) => c.path === EXP_PATH && c.query.watch === 'true').length;
  const before = watchCalls();
  fake.endWatches();
  await waitFor(
    () => (watchCalls() === before + 1 && fake.watchers() === 1) || undefined,
    'watching again',
    10_000,
  );
  const lists = fake.calls.filter(
    (c) => c.path === EXP_PATH && c.method === 'GET' && c.query.watch === undefined,
  );
  assert.ok(lists.length >= 2, 'listed again before watching again');
  await createExperiment(apis, NS, 'after-rewatch', invalid);
  await waitForPhase('after-rewatch', 'Failed');
});
