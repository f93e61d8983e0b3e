/**
 * Pods from the Kubernetes API as chaos targets, and pod-kill: delete with grace period 0, then
 * verify the pod's identity changed (a StatefulSet recreates the same name with a new UID; a
 * Deployment's ReplicaSet creates a pod with a new name).
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { CandidatePod } from '../experiment/targeting.js';
import { isNotFound, labelSelector } from './kube-apis.js';
import type { KubeApis } from './kube-apis.js';

/** Label naming the service a pod belongs to. */
export const DEFAULT_SERVICE_LABEL = 'app';
/** Label a workload sets on itself to say whether it leads (`leader` / `follower`). */
export const DEFAULT_ROLE_LABEL = 'chaos.faultline.dev/role';

/** The container port a service's own HTTP API listens on, by the chart's naming. */
export const APP_PORT_NAME = 'app';

/** The pod's app port (its container port named {@link APP_PORT_NAME}), if it declares one. */
export function appPort(p: V1Pod): number | undefined {
  for (const c of p.spec?.containers ?? [])
    for (const port of c.ports ?? []) if (port.name === APP_PORT_NAME) return port.containerPort;
  return undefined;
}

/** A candidate pod with its Kubernetes identity. */
export interface KubePod extends CandidatePod {
  uid: string;
  /** Being deleted (deletionTimestamp set): not a target, and not yet replaced. */
  terminating: boolean;
}

export interface PodListOptions {
  /** Labels every pod must carry (the experiment's service and selector). */
  labels: Record<string, string>;
  serviceLabel?: string;
  roleLabel?: string;
}

/** Pods in `namespace` carrying `labels`, with readiness and role from labels. */
export async function listPods(
  apis: Pick<KubeApis, 'core'>,
  namespace: string,
  options: PodListOptions,
): Promise<KubePod[]> {
  const list = await apis.core.listNamespacedPod({
    namespace,
    labelSelector: labelSelector(options.labels),
  });
  return list.items.map((p) => toKubePod(p, options));
}

/** Ready as an endpoint is: the Ready condition True, and not being deleted. */
export function isPodReady(p: V1Pod): boolean {
  return (
    p.metadata?.deletionTimestamp === undefined &&
    (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
  );
}

function toKubePod(
  p: V1Pod,
  options: Pick<PodListOptions, 'serviceLabel' | 'roleLabel'> = {},
): KubePod {
  const labels = p.metadata?.labels ?? {};
  const role = labels[options.roleLabel ?? DEFAULT_ROLE_LABEL];
  return {
    name: p.metadata?.name ?? '',
    namespace: p.metadata?.namespace ?? '',
    service: labels[options.serviceLabel ?? DEFAULT_SERVICE_LABEL] ?? '',
    labels,
    uid: p.metadata?.uid ?? '',
    ready: isPodReady(p),
    terminating: p.metadata?.deletionTimestamp !== undefined,
    ...(role === 'leader' || role === 'follower' ? { role } : {}),
  };
}

/** Deletes the pod at once (grace period 0): the kubernetes pod-kill. Returns the UID killed. */
export async function killPod(
  apis: Pick<KubeApis, 'core'>,
  pod: { name: string; namespace: string },
): Promise<{ uid: string }> {
  const deleted = await apis.core.deleteNamespacedPod({
    name: pod.name,
    namespace: pod.namespace,
    gracePeriodSeconds: 0,
  });
  return { uid: deleted.metadata?.uid ?? '' };
}

export interface ReplacementCheck {
  replaced: boolean;
  /** What was seen, for the verification record. */
  observed: string;
  /** The pod that took its place, when there is one. */
  replacement?: string;
}

/**
 * Polls until the killed pod has been replaced: the same name with another UID, or (its name
 * gone) a pod matching `labels` that was not there before. Bounded by `timeoutMs`.
 */
export async function verifyPodReplaced(
  apis: Pick<KubeApis, 'core'>,
  killed: { name: string; namespace: string; uid: string },
  options: {
    labels: Record<string, string>;
    before: readonly string[];
    timeoutMs?: number;
    intervalMs?: number;
  },
): Promise<ReplacementCheck> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const before = new Set(options.before);
  let last = `pod ${killed.name} still has uid ${killed.uid}`;
  while (true) {
    try {
      const p = await apis.core.readNamespacedPod({
        name: killed.name,
        namespace: killed.namespace,
      });
      const uid = p.metadata?.uid ?? '';
      if (uid !== killed.uid) {
        return {
          replaced: true,
          replacement: killed.name,
          observed: `pod ${killed.name} recreated: uid ${killed.uid} -> ${uid}`,
        };
      }
      if (p.metadata?.deletionTimestamp !== undefined) last = `pod ${killed.name} is terminating`;
    } catch (e) {
      if (!isNotFound(e)) throw e;
      const pods = await listPods(apis, killed.namespace, { labels: options.labels });
      const fresh = pods.find((p) => !p.terminating && !before.has(p.name) && p.uid !== killed.uid);
      if (fresh) {
        return {
          replaced: true,
          replacement: fresh.name,
          observed: `pod ${killed.name} (uid ${killed.uid}) is gone; replaced by ${fresh.name} (uid ${fresh.uid})`,
        };
      }
      last = `pod ${killed.name} is gone and no replacement exists yet`;
    }
    if (Date.now() >= deadline) return { replaced: false, observed: last };
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 500));
  }
}
