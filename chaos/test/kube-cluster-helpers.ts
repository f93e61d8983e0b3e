/**
 * What the kubernetes tests do on the real control plane (kube-harness.ts): booking-0's
 * sidecar (a real faultline agent in-process on loopback, whose app is a real child process, so
 * pause is a real SIGSTOP; every booking pod's agent-port annotation points at it, pod IPs are
 * 127.0.0.1), Experiment objects created and read as a user would, and a controller started
 * with test-speed timings under the controller's ServiceAccount.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { createLogger } from '@faultline/kit/logging';
import { waitFor } from '@faultline/kit/testing/child-process';
import type { Agent } from '../src/agent/agent.js';
import { processState } from '../src/agent/app-process.js';
import type { AppliedFault, FaultOrder } from '../src/engine/platform-driver.js';
import { CRD_GROUP, CRD_PLURAL, CRD_VERSION } from '../src/experiment/crd-names.js';
import type { ExperimentStatus } from '../src/experiment/status.js';
import { ExperimentController } from '../src/kubernetes/controller.js';
import { ExperimentResources } from '../src/kubernetes/experiment-resources.js';
import type { ExperimentObject } from '../src/kubernetes/experiment-resources.js';
import { isNotFound, MERGE_PATCH } from '../src/kubernetes/kube-apis.js';
import type { KubeApis } from '../src/kubernetes/kube-apis.js';
import { KubernetesDriver } from '../src/kubernetes/kubernetes-driver.js';
import { startAgent, waitStopped } from './agent-helpers.js';

export interface BookingSidecar {
  agent: Agent;
  app: ChildProcess;
  tokenFile: string;
  close(): Promise<void>;
}

/**
 * booking-0's agent and app process. The token file plays the Secret mounted into both the
 * sidecar and the controller: written first, then the agent reads its token from it.
 */
export async function startBookingSidecar(adminHost?: string): Promise<BookingSidecar> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-kube-'));
  const tokenFile = join(dir, 'agent-token');
  writeFileSync(tokenFile, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 });
  const app = spawn('sleep', ['600'], { stdio: 'ignore' });
  const agent = await startAgent([], app.pid, tokenFile, adminHost);
  if (agent.tokenSource !== 'file') throw new Error('the sidecar agent did not take the Secret');
  return {
    agent,
    app,
    tokenFile,
    async close() {
      await agent.stop();
      app.kill('SIGCONT');
      app.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The rest of a pod-pause's life once `driver.apply` put it on the sidecar: the app stopped,
 * verification `unverifiable` naming the fault, renewal, rediscovery by a restarted engine,
 * recovery, and the app running again.
 */
export async function assertPauseLifecycle(
  driver: KubernetesDriver,
  order: FaultOrder,
  applied: AppliedFault[],
  sidecar: BookingSidecar,
): Promise<void> {
  const held = sidecar.agent.activeFaults();
  await waitStopped(sidecar.app.pid!); // the app is really stopped (SIGSTOP lands asynchronously)
  const v = await driver.verify(order, applied);
  assert.equal(v.outcome, 'unverifiable');
  assert.match(v.observed, new RegExp(`holds pause \\(pid ${sidecar.app.pid}\\) ${held[0]?.id}`));
  assert.equal(await driver.renew(applied[0]!, 4000), true);
  assert.deepEqual(
    (await driver.discoverApplied(order)).map((a) => a.faultId),
    [held[0]?.id],
    'a restarted engine finds the fault again',
  );
  await driver.recover(applied[0]!);
  assert.deepEqual(sidecar.agent.activeFaults(), []);
  await waitFor(
    async () => (await processState(sidecar.app.pid!)) !== 'T' || undefined,
    'resumed',
    5_000,
  );
  assert.equal(await driver.isActive(applied[0]!), false);
}

/** `/proc/<pid>/stat` state letter (T = stopped). */
export { processState };

/** The port of an agent's admin API. */
export function adminPort(agent: Agent): number {
  return Number(new URL(agent.adminUrl).port);
}

const coords = (namespace: string) => ({
  group: CRD_GROUP,
  version: CRD_VERSION,
  plural: CRD_PLURAL,
  namespace,
});

/** Creates an Experiment object, as `kubectl apply` would; returns what the server stored. */
export async function createExperiment(
  apis: KubeApis,
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
): Promise<ExperimentObject> {
  return (await apis.custom.createNamespacedCustomObject({
    ...coords(namespace),
    body: {
      apiVersion: `${CRD_GROUP}/${CRD_VERSION}`,
      kind: 'Experiment',
      metadata: { name, namespace },
      spec,
    },
  })) as ExperimentObject;
}

/** The stored object, or undefined once it is gone. */
export async function readExperiment(
  apis: KubeApis,
  namespace: string,
  name: string,
): Promise<ExperimentObject | undefined> {
  return new ExperimentResources(apis).get(namespace, name);
}

export async function deleteExperiment(
  apis: KubeApis,
  namespace: string,
  name: string,
): Promise<void> {
  await apis.custom.deleteNamespacedCustomObject({ ...coords(namespace), name });
}

/**
 * Deletes every Experiment in `namespace`, dropping finalizers no controller is left to
 * remove, and waits until they are gone (between tests).
 */
export async function deleteAllExperiments(apis: KubeApis, namespace: string): Promise<void> {
  const r = new ExperimentResources(apis);
  for (const o of await r.list(namespace)) {
    const name = o.metadata.name ?? '';
    try {
      await apis.custom.patchNamespacedCustomObject(
        { ...coords(namespace), name, body: { metadata: { finalizers: null } } },
        MERGE_PATCH,
      );
      await deleteExperiment(apis, namespace, name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  await waitFor(async () => (await r.list(namespace)).length === 0, 'experiments deleted', 20_000);
}

/** Polls an experiment's status until `pred` holds; returns that status. */
export async function waitForStatus(
  apis: KubeApis,
  namespace: string,
  name: string,
  pred: (s: ExperimentStatus) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<ExperimentStatus> {
  return waitFor(
    async () => {
      const s = (await readExperiment(apis, namespace, name))?.status ?? {};
      return pred(s) ? s : undefined;
    },
    `${name}: ${what}`,
    timeoutMs,
    50,
  );
}

export const cond = (s: ExperimentStatus, type: string) =>
  s.conditions?.find((c) => c.type === type);

/** The pod, or undefined when it does not exist. */
export async function readPod(
  apis: KubeApis,
  namespace: string,
  name: string,
): Promise<V1Pod | undefined> {
  try {
    return await apis.core.readNamespacedPod({ name, namespace });
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** Waits until the pod exists, is not terminating, and is Ready; returns it. */
export async function waitForReadyPod(
  apis: KubeApis,
  namespace: string,
  name: string,
): Promise<V1Pod> {
  return waitFor(
    async () => {
      const p = await readPod(apis, namespace, name);
      const ready = p?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      return p && ready && !p.metadata?.deletionTimestamp ? p : undefined;
    },
    `pod ${namespace}/${name} Ready`,
    30_000,
    50,
  );
}

/** Removes whatever faults a test left in booking-0's agent. */
export async function clearAgentFaults(sidecar: BookingSidecar): Promise<void> {
  for (const f of sidecar.agent.activeFaults())
    await fetch(`${sidecar.agent.adminUrl}/faults/${f.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${sidecar.agent.token}` },
    });
}

export interface TestControllerOptions {
  renewIntervalMs?: number;
  prometheusUrl?: string;
  onReconcileError?: (name: string, e: unknown, retryInMs: number) => void;
}

/** An in-process controller with test-speed timings, started and watching `namespace`. */
export async function startTestController(
  apis: KubeApis,
  namespace: string,
  agentTokenFile: string,
  opts: TestControllerOptions = {},
): Promise<ExperimentController> {
  const controller = new ExperimentController({
    resources: new ExperimentResources(apis),
    driver: new KubernetesDriver({
      apis,
      namespace,
      agentTokenFile,
      pollMs: 20,
      replaceTimeoutMs: 20_000,
      ...(opts.prometheusUrl ? { prometheusUrl: opts.prometheusUrl } : {}),
    }),
    namespace,
    logger: createLogger({ service: 'controller-test', level: 'silent' }),
    renewIntervalMs: opts.renewIntervalMs ?? 200,
    baseBackoffMs: 20,
    maxBackoffMs: 200,
    ...(opts.onReconcileError ? { onReconcileError: opts.onReconcileError } : {}),
  });
  await controller.start();
  return controller;
}

/** The HTTP status and Status message of a client ApiException (its body is the JSON text). */
export function apiError(e: unknown): { code: number | undefined; message: string } {
  const { code, body } = e as { code?: number; body?: unknown };
  let message = '';
  try {
    message = (JSON.parse(String(body)) as { message?: string }).message ?? '';
  } catch {
    message = String(body);
  }
  return { code, message };
}

/** A client model (class instances) as plain JSON, for deepEqual against literals. */
export function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
