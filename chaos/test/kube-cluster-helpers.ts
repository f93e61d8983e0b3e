/**
 * A small "cluster" for the kubernetes contract tests: the API fake with a booking StatefulSet
 * of three pods, and a real faultline agent (in-process, on loopback) as booking-0's sidecar,
 * whose app is a real child process (so pause is a real SIGSTOP). Pod IPs are 127.0.0.1 and
 * the agent's admin port is in the pod's `chaos.faultline.dev/agent-port` annotation.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@faultline/kit/logging';
import { waitFor } from '@faultline/kit/testing/child-process';
import type { Agent } from '../src/agent/agent.js';
import { ExperimentController } from '../src/kubernetes/controller.js';
import { ExperimentResources } from '../src/kubernetes/experiment-resources.js';
import type { KubeApis } from '../src/kubernetes/kube-apis.js';
import { AGENT_PORT_ANNOTATION, KubernetesDriver } from '../src/kubernetes/kubernetes-driver.js';
import { startAgent } from './agent-helpers.js';
import { experimentJson, podJson } from './kube-api-fake.js';
import type { KubeApiFake, Obj } from './kube-api-fake.js';

export const NS = 'faultline';
export const OPT_IN = { 'chaos.faultline.dev/enabled': 'true' };

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
export async function startBookingSidecar(): Promise<BookingSidecar> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-kube-'));
  const tokenFile = join(dir, 'agent-token');
  writeFileSync(tokenFile, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 });
  const app = spawn('sleep', ['600'], { stdio: 'ignore' });
  const agent = await startAgent([], app.pid, tokenFile);
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

/** A booking pod; booking-0's annotation points at the sidecar's admin port. */
export function bookingPod(i: number, agentPort: number, optIn = true): Obj {
  const labels: Record<string, string> = {
    app: 'booking',
    'statefulset.kubernetes.io/pod-name': `booking-${i}`,
    ...(optIn ? OPT_IN : {}),
  };
  const pod = podJson(NS, `booking-${i}`, labels);
  pod.metadata.annotations = { [AGENT_PORT_ANNOTATION]: String(agentPort) };
  (pod.status as { podIP: string }).podIP = '127.0.0.1';
  return pod;
}

/** Resets the fake to three booking pods and a redis pod, and forgets recorded calls. */
export function resetCluster(fake: KubeApiFake, agentPort: number): void {
  fake.calls.length = 0;
  for (const m of Object.values(fake.store)) m.clear();
  fake.onPodDelete = 'recreate';
  for (let i = 0; i < 3; i++) fake.store.pods.set(`${NS}/booking-${i}`, bookingPod(i, agentPort));
  fake.store.pods.set(`${NS}/redis-0`, podJson(NS, 'redis-0', { app: 'redis' }));
}

/** `/proc/<pid>/stat` state letter (T = stopped). */
export { processState } from '../src/agent/app-process.js';

/** The port of an agent's admin API. */
export function adminPort(agent: Agent): number {
  return Number(new URL(agent.adminUrl).port);
}

/** Creates an Experiment object in NS, as `kubectl apply` would. */
export async function createExperiment(
  apis: KubeApis,
  name: string,
  spec: Record<string, unknown>,
): Promise<void> {
  await apis.custom.createNamespacedCustomObject({
    group: 'chaos.faultline.dev',
    version: 'v1alpha1',
    namespace: NS,
    plural: 'experiments',
    body: experimentJson(NS, name, spec),
  });
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

/** An in-process controller with test-speed timings, started and watching the fake. */
export async function startTestController(
  fake: KubeApiFake,
  apis: KubeApis,
  sidecar: BookingSidecar,
  opts: TestControllerOptions = {},
): Promise<ExperimentController> {
  const controller = new ExperimentController({
    resources: new ExperimentResources(apis),
    driver: new KubernetesDriver({
      apis,
      namespace: NS,
      agentTokenFile: sidecar.tokenFile,
      pollMs: 20,
      replaceTimeoutMs: 5_000,
      ...(opts.prometheusUrl ? { prometheusUrl: opts.prometheusUrl } : {}),
    }),
    namespace: NS,
    logger: createLogger({ service: 'controller-test', level: 'silent' }),
    renewIntervalMs: opts.renewIntervalMs ?? 200,
    baseBackoffMs: 20,
    maxBackoffMs: 200,
    ...(opts.onReconcileError ? { onReconcileError: opts.onReconcileError } : {}),
  });
  await controller.start();
  await waitFor(() => fake.watchers() >= 1 || undefined, 'controller watching', 5_000);
  return controller;
}
