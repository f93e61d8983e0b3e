/**
 * The controller as a real process (controller-main.js) against the API fake: it reconciles an
 * experiment, is SIGKILLed mid-run (nothing recovered), and a second process recovers the
 * NetworkPolicy it left once the duration is over; SIGTERM ends a controller cleanly.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startProcess, waitFor } from '@faultline/kit/testing/child-process';
import type { ManagedProcess } from '@faultline/kit/testing/child-process';
import { freePort } from '@faultline/kit/testing/free-port';
import type { ExperimentStatus } from '../src/experiment/status.js';
import { createKubeApis, kubeConfigForServer } from '../src/kubernetes/kube-apis.js';
import { startKubeApiFake } from './kube-api-fake.js';
import type { KubeApiFake } from './kube-api-fake.js';
import { createExperiment, NS, resetCluster } from './kube-cluster-helpers.js';

const MAIN = fileURLToPath(new URL('../src/kubernetes/controller-main.js', import.meta.url));
let fake: KubeApiFake;
const procs: ManagedProcess[] = [];

before(async () => {
  fake = await startKubeApiFake();
  resetCluster(fake, 9901);
});
after(async () => {
  for (const p of procs) await p.stop();
  await fake?.close();
});

async function startController(): Promise<ManagedProcess> {
  const port = await freePort();
  const p = startProcess(process.execPath, [MAIN], {
    env: {
      ...process.env,
      FAULTLINE_CONTROLLER_NAMESPACE: NS,
      FAULTLINE_CONTROLLER_API_SERVER: fake.url,
      FAULTLINE_CONTROLLER_API_TOKEN: 'controller-token',
      FAULTLINE_CONTROLLER_AGENT_TOKEN_FILE: '/nonexistent/token',
      FAULTLINE_CONTROLLER_RENEW_INTERVAL_MS: '200',
      FAULTLINE_CONTROLLER_HOST: '127.0.0.1',
      FAULTLINE_CONTROLLER_PORT: String(port),
      LOG_LEVEL: 'warn',
    },
  });
  procs.push(p);
  await waitFor(
    async () =>
      (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok || undefined,
    `controller ready: ${p.output()}`,
    20_000,
  );
  return p;
}

const statusOf = (name: string) =>
  (fake.store.experiments.get(`${NS}/${name}`)?.status ?? {}) as ExperimentStatus;

test('SIGKILL mid-run, then a new controller process recovers the NetworkPolicy', async () => {
  const a = await startController();
  const apis = createKubeApis(kubeConfigForServer(fake.url, 'test-token'));
  await createExperiment(apis, 'cut', {
    target: {
      service: 'booking',
      selector: { 'statefulset.kubernetes.io/pod-name': 'booking-1' },
    },
    fault: { type: 'partition', mode: 'hard', mechanism: 'networkpolicy' },
    duration: '2s',
  });
  await waitFor(
    () =>
      statusOf('cut').conditions?.some((c) => c.type === 'Applied' && c.status === 'True') ||
      undefined,
    'applied',
    15_000,
  );
  assert.ok(fake.store.networkpolicies.has(`${NS}/faultline-partition-cut`));
  a.child.kill('SIGKILL');
  await a.exited;
  const endsAt = Date.parse(statusOf('cut').endsAt ?? '');
  while (Date.now() <= endsAt + 200) await sleep(100);
  assert.equal(statusOf('cut').phase, 'Running', 'nobody finished it');
  assert.ok(fake.store.networkpolicies.has(`${NS}/faultline-partition-cut`), 'left behind');

  const b = await startController();
  await waitFor(() => statusOf('cut').phase === 'Completed' || undefined, 'completed', 15_000);
  assert.equal(fake.store.networkpolicies.size, 0);
  await b.stop();
  assert.equal((await b.exited).code, 0, b.output());
});
