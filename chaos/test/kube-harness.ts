/**
 * The chaos side of the kubernetes tests: a real control plane (`startKubernetes` from the kit:
 * etcd, kube-apiserver, kube-controller-manager and a simulated node) with faultline installed
 * as a cluster admin would: the Experiment CRD from chaos/schema/crd-experiment.yaml
 * (Established), and the controller's ServiceAccount, Role and RoleBinding from
 * chaos/schema/controller-rbac.yaml in the test file's namespace. The controller's clients use
 * that ServiceAccount's token, never the admin's.
 */
import { readFileSync } from 'node:fs';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  type KubernetesObject,
  type V1StatefulSet,
  type V1Deployment,
} from '@kubernetes/client-node';
import { waitFor } from '@faultline/kit/testing/child-process';
import { startKubernetes, type KubernetesCluster } from '@faultline/kit/testing/kubernetes';
import type { KubernetesOptions } from '@faultline/kit/testing/kubernetes';
import { parseAllDocuments } from 'yaml';
import { createKubeApis } from '../src/kubernetes/kube-apis.js';
import type { KubeApis } from '../src/kubernetes/kube-apis.js';
import { AGENT_PORT_ANNOTATION } from '../src/kubernetes/kubernetes-driver.js';

const SCHEMA = new URL('../../schema/', import.meta.url);
export const CRD_FILE = new URL('crd-experiment.yaml', SCHEMA);
export const RBAC_FILE = new URL('controller-rbac.yaml', SCHEMA);
export const CONTROLLER_SA = 'faultline-controller';
export const OPT_IN = { 'chaos.faultline.dev/enabled': 'true' };

export interface ChaosCluster {
  readonly kube: KubernetesCluster;
  readonly namespace: string;
  /** Admin clients (what a test does "as kubectl"). */
  readonly admin: KubeApis;
  /** The controller's clients: the faultline-controller ServiceAccount's token. */
  readonly controller: KubeApis;
  readonly controllerToken: string;
  stop(): Promise<void>;
}

/** The control plane with faultline's CRD and controller RBAC installed in `namespace`. */
export async function startChaosCluster(
  namespace: string,
  options: KubernetesOptions = {},
): Promise<ChaosCluster> {
  const kube = await startKubernetes(options);
  try {
    await kube.createNamespace(namespace);
    await installCrd(kube);
    await kube.create(rbacFor(namespace));
    const core = kube.admin.makeApiClient(CoreV1Api);
    const tokenRequest = await core.createNamespacedServiceAccountToken({
      name: CONTROLLER_SA,
      namespace,
      body: { spec: { audiences: [], expirationSeconds: 3600 } },
    });
    const controllerToken = tokenRequest.status?.token ?? '';
    return {
      kube,
      namespace,
      admin: createKubeApis(kube.admin),
      controller: createKubeApis(kube.kubeConfig(controllerToken, namespace)),
      controllerToken,
      stop: () => kube.stop(),
    };
  } catch (e) {
    await kube.stop();
    throw e;
  }
}

/** Creates the Experiment CRD from the committed file and waits until it is Established. */
export async function installCrd(kube: KubernetesCluster): Promise<void> {
  await kube.create(readFileSync(CRD_FILE, 'utf8'));
  const ext = kube.admin.makeApiClient(ApiextensionsV1Api);
  await waitFor(
    async () => {
      const crd = await ext.readCustomResourceDefinition({
        name: 'experiments.chaos.faultline.dev',
      });
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    },
    'the Experiment CRD Established',
    30_000,
    50,
  );
}

/** controller-rbac.yaml with its namespace (`faultline`) replaced by `namespace`. */
export function rbacFor(namespace: string): KubernetesObject[] {
  return parseAllDocuments(readFileSync(RBAC_FILE, 'utf8')).map((d) => {
    const o = d.toJS() as KubernetesObject & { subjects?: { namespace?: string }[] };
    o.metadata = { ...o.metadata, namespace };
    for (const s of o.subjects ?? []) s.namespace = namespace;
    return o;
  });
}

const container = { name: 'app', image: 'faultline:dev' };

/**
 * booking as a StatefulSet (booking-0..n-1, created in parallel), opted in to chaos, with the
 * agent port annotation pointing at `agentPort` (the sidecar agent a test runs on loopback).
 */
export function bookingStatefulSet(
  namespace: string,
  agentPort: number,
  replicas = 3,
): V1StatefulSet {
  const labels = { app: 'booking', ...OPT_IN };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'booking', namespace },
    spec: {
      replicas,
      serviceName: 'booking',
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: { app: 'booking' } },
      template: {
        metadata: { labels, annotations: { [AGENT_PORT_ANNOTATION]: String(agentPort) } },
        spec: { containers: [container], terminationGracePeriodSeconds: 5 },
      },
    },
  };
}

/** A Deployment of `app` (its ReplicaSet names the pods), opted in to chaos. */
export function deployment(namespace: string, app: string, replicas: number): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: app, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app } },
      template: {
        metadata: { labels: { app, ...OPT_IN } },
        spec: { containers: [container], terminationGracePeriodSeconds: 5 },
      },
    },
  };
}
