/**
 * `startKubernetes()`: the test control plane (kube-control-plane.ts) with its simulated node
 * (kube-node-simulator.ts), an admin client, and the few things every kubernetes test file does
 * first: make its namespace (ready once its `default` ServiceAccount exists, as the
 * ServiceAccount admission needs it for pods), create objects from YAML the way
 * `kubectl create -f` does, and wait for a workload to be ready. One per test file; stop() in
 * after() tears everything down even when a test failed.
 */
import {
  AppsV1Api,
  CoreV1Api,
  KubernetesObjectApi,
  loadAllYaml,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { waitFor } from './child-process.js';
import { startKubeControlPlane, type KubeControlPlane } from './kube-control-plane.js';
import { startNodeSimulator, type NodeSimulator } from './kube-node-simulator.js';

export interface KubernetesCluster extends KubeControlPlane {
  /** Admin (system:masters) client config. */
  readonly admin: KubeConfig;
  readonly simulator: NodeSimulator;
  /** API errors the simulator met (printed by tests that fail). */
  readonly simulatorErrors: string[];
  /** Creates a namespace and waits until pods can be created in it. */
  createNamespace(name: string, labels?: Record<string, string>): Promise<void>;
  /** Creates every object of a multi-document YAML text (or objects), as admin. */
  create(objects: string | readonly KubernetesObject[], namespace?: string): Promise<void>;
  /** Waits until a Deployment's or StatefulSet's replicas are all ready and up to date. */
  waitForWorkload(
    kind: 'Deployment' | 'StatefulSet',
    namespace: string,
    name: string,
  ): Promise<void>;
}

export interface KubernetesOptions {
  /** Pod IPs the simulated node hands out (see NodeSimulatorOptions.podIPs). */
  podIPs?: readonly string[];
  /** Every pod's IP when there is no pool (see NodeSimulatorOptions.podIP). */
  podIP?: string;
}

export async function startKubernetes(options: KubernetesOptions = {}): Promise<KubernetesCluster> {
  const cp = await startKubeControlPlane();
  const simulatorErrors: string[] = [];
  let simulator: NodeSimulator | undefined;
  try {
    simulator = await startNodeSimulator({
      nodeName: cp.nodeName,
      scheduler: cp.kubeConfig(cp.identities.scheduler.token),
      node: cp.kubeConfig(cp.identities.node.token),
      ...(options.podIPs ? { podIPs: options.podIPs } : {}),
      ...(options.podIP ? { podIP: options.podIP } : {}),
      onError: (what, e) =>
        void simulatorErrors.push(`${what}: ${(e as Error).message ?? String(e)}`.slice(0, 500)),
    });
  } catch (e) {
    await cp.stop();
    throw new Error(`the node simulator did not start: ${String(e)}`);
  }
  const sim = simulator;
  const admin = cp.kubeConfig(cp.identities.admin.token);
  const core = admin.makeApiClient(CoreV1Api);
  const apps = admin.makeApiClient(AppsV1Api);
  const objects = KubernetesObjectApi.makeApiClient(admin);

  return {
    ...cp,
    admin,
    simulator: sim,
    simulatorErrors,
    async createNamespace(name, labels) {
      await core.createNamespace({ body: { metadata: { name, ...(labels ? { labels } : {}) } } });
      await waitFor(
        () =>
          core.readNamespacedServiceAccount({ name: 'default', namespace: name }).then(() => true),
        `the default ServiceAccount in ${name}`,
        30_000,
        50,
      );
    },
    async create(input, namespace) {
      const docs =
        typeof input === 'string'
          ? (loadAllYaml(input) as (KubernetesObject | null)[]).filter(
              (d): d is KubernetesObject => d !== null,
            )
          : input;
      for (const doc of docs) {
        const body =
          namespace && doc.kind !== 'Namespace' && !doc.kind?.startsWith('Cluster')
            ? { ...doc, metadata: { ...doc.metadata, namespace } }
            : doc;
        await objects.create(body);
      }
    },
    async waitForWorkload(kind, namespace, name) {
      await waitFor(
        async () => {
          const w =
            kind === 'Deployment'
              ? await apps.readNamespacedDeployment({ name, namespace })
              : await apps.readNamespacedStatefulSet({ name, namespace });
          const want = w.spec?.replicas ?? 1;
          const s = w.status;
          return (
            (s?.readyReplicas ?? 0) === want &&
            (s?.updatedReplicas ?? 0) === want &&
            (s?.replicas ?? 0) === want &&
            (s?.observedGeneration ?? 0) >= (w.metadata?.generation ?? 1)
          );
        },
        `${kind} ${namespace}/${name} ready (simulator: ${simulatorErrors.slice(-3).join('; ')})`,
        60_000,
        50,
      );
    },
    async stop() {
      await sim.stop();
      await cp.stop();
    },
  };
}
