/**
 * The controller as a real process (controller-main.js) against a real control plane
 * (kube-harness.ts), authenticated with the faultline-controller ServiceAccount's token: it
 * reconciles an experiment, is SIGKILLed mid-run (nothing recovered), and a second process
 * recovers the NetworkPolicy it left once the duration is over; SIGTERM ends it cleanly.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startProcess, waitFor } from '@faultline/kit/testing/child-process';
import type { ManagedProcess } from '@faultline/kit/testing/child-process';
import { freePort } from '@faultline/kit/testing/free-port';
import { bookingStatefulSet, startChaosCluster } from './kube-harness.js';
import type { ChaosCluster } from './kube-harness.js';
import { cond, createExperiment, readExperiment, waitForStatus } from './kube-cluster-helpers.js';

const MAIN = fileURLToPath(new URL('../src/kubernetes/controller-main.js', import.meta.url));
const NS = 'chaos-controller-process';
let cluster: ChaosCluster;
const procs: ManagedProcess[] = [];

before(async () => {
  cluster = await startChaosCluster(NS);
  await cluster.kube.create([bookingStatefulSet(NS, 9901, 2)]);
  await cluster.kube.waitForWorkload('StatefulSet', NS, 'booking');
});
after(async () => {
  for (const p of procs) await p.stop();
  await cluster?.stop();
});

async function startController(): Promise<ManagedProcess> {
  const port = await freePort();
  const p = startProcess(process.execPath, [MAIN], {
    env: {
      ...process.env,
      FAULTLINE_CONTROLLER_NAMESPACE: NS,
      FAULTLINE_CONTROLLER_API_SERVER: cluster.kube.server,
      FAULTLINE_CONTROLLER_API_TOKEN: cluster.controllerToken,
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

const policyExists = () =>
  cluster.admin.networking
    .readNamespacedNetworkPolicy({ name: 'faultline-partition-cut', namespace: NS })
    .then(
      () => true,
      () => false,
    );

test('SIGKILL mid-run, then a new controller process recovers the NetworkPolicy', async () => {
  const a = await startController();
  await createExperiment(cluster.admin, NS, 'cut', {
    target: {
      service: 'booking',
      selector: { 'statefulset.kubernetes.io/pod-name': 'booking-1' },
    },
    fault: { type: 'partition', mode: 'hard', mechanism: 'networkpolicy' },
    duration: '2s',
  });
  const applied = await waitForStatus(
    cluster.admin,
    NS,
    'cut',
    (s) => cond(s, 'Applied')?.status === 'True',
    `applied (controller output: ${a.output()})`,
  );
  assert.ok(await policyExists());
  a.child.kill('SIGKILL');
  await a.exited;
  const endsAt = Date.parse(applied.endsAt ?? '');
  while (Date.now() <= endsAt + 200) await sleep(100);
  assert.equal(
    (await readExperiment(cluster.admin, NS, 'cut'))?.status?.phase,
    'Running',
    'nobody finished it',
  );
  assert.ok(await policyExists(), 'left behind');

  const b = await startController();
  await waitForStatus(cluster.admin, NS, 'cut', (s) => s.phase === 'Completed', 'Completed');
  assert.equal(await policyExists(), false);
  await b.stop();
  assert.equal((await b.exited).code, 0, b.output());
});
