/**
 * A simulated node for the test control plane: the controller manager runs no pods, so this
 * plays the two components that would. As kube-scheduler (its own identity) it binds every
 * pending pod to the one Node; as that Node's kubelet (identity system:node:<name>, so the
 * Node authorizer and NodeRestriction apply) it registers the Node, renews its Lease, reports
 * bound pods Running and Ready with a pod IP, and completes a deleted pod's termination (the
 * final delete with grace 0 and a UID precondition). Containers are not run: a pod IP is a
 * loopback address, or one on a test host the test created, where it runs a real process, so
 * traffic follows discovery.
 *
 * Why TypeScript with @kubernetes/client-node rather than sigs.k8s.io/kwok: the behaviour the
 * tests need is a hundred lines over an informer, it needs no second Go build, and tests steer
 * it directly (readiness, IPs, how long termination takes) instead of through KWOK's stages.
 */
import {
  CoordinationV1Api,
  CoreV1Api,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  V1MicroTime,
  type KubeConfig,
  type V1Pod,
  type V1PodCondition,
} from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';

export interface NodeSimulatorOptions {
  nodeName: string;
  /** Identity allowed to bind pods (system:kube-scheduler). */
  scheduler: KubeConfig;
  /** The node's own identity (system:node:<nodeName>). */
  node: KubeConfig;
  /**
   * Pod IPs handed out in order, each to one pod at a time (a pod waits in Pending while none
   * is free, like a node out of addresses). Default: every pod gets `podIP`.
   */
  podIPs?: readonly string[];
  /**
   * The IP of every pod when there is no pool, as for hostNetwork pods. Default 127.0.0.1
   * (fine for anything that reads pod IPs; EndpointSlices refuse loopback addresses, so tests
   * of slice-driven traffic use the address of a network namespace they created, and a port
   * per pod — never the machine's own interfaces).
   */
  podIP?: string;
  /** Called for API errors the simulator retried or gave up on (tests print them on failure). */
  onError?: (what: string, error: unknown) => void;
}

export interface NodeSimulator {
  readonly nodeName: string;
  /**
   * Sets a pod's Ready condition, as its readiness probe passing or failing would; the
   * simulator keeps it that way for this pod (by UID) until told otherwise.
   */
  setReady(namespace: string, name: string, ready: boolean): Promise<void>;
  /**
   * How long a deleted pod stays terminating before its containers "exit" (a slow SIGTERM
   * handler), capped by the pod's own grace period. Default 0.
   */
  terminationDelayMs: number;
  /** The IP the simulator gave a pod, by UID. */
  podIP(uid: string): string | undefined;
  stop(): Promise<void>;
}

const STRATEGIC = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const LEASE_NAMESPACE = 'kube-node-lease';
/** Node leases: kube-controller-manager marks a node unknown after 50 s without renewal. */
const LEASE_SECONDS = 40;
const RENEW_MS = 10_000;

export async function startNodeSimulator(options: NodeSimulatorOptions): Promise<NodeSimulator> {
  const { nodeName } = options;
  const asScheduler = options.scheduler.makeApiClient(CoreV1Api);
  const asNode = options.node.makeApiClient(CoreV1Api);
  const leases = options.node.makeApiClient(CoordinationV1Api);
  const onError = options.onError ?? (() => {});
  const pool = options.podIPs ?? [];
  const ipOf = new Map<string, string>(); // pod UID → IP
  const readyOverride = new Map<string, boolean>(); // pod UID → Ready
  const queues = new Map<string, Promise<void>>(); // one chain of work per pod UID
  const finished = new Set<string>();
  let stopped = false;

  const node = await asNode.createNode({
    body: {
      metadata: {
        name: nodeName,
        labels: { 'kubernetes.io/hostname': nodeName, 'kubernetes.io/os': 'linux' },
      },
      status: {
        addresses: [
          { type: 'InternalIP', address: '127.0.0.1' },
          { type: 'Hostname', address: nodeName },
        ],
        capacity: { cpu: '16', memory: '32Gi', pods: '250' },
        allocatable: { cpu: '16', memory: '32Gi', pods: '250' },
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'KubeletReady',
            message: 'simulated by faultline tests',
          },
        ],
        nodeInfo: {
          architecture: process.arch,
          bootID: '',
          containerRuntimeVersion: 'simulated://1',
          kernelVersion: '',
          kubeProxyVersion: '',
          kubeletVersion: 'simulated',
          machineID: '',
          operatingSystem: 'linux',
          osImage: 'faultline node simulator',
          systemUUID: '',
        },
      },
    },
  });
  const renewLease = async () => {
    const spec = {
      holderIdentity: nodeName,
      leaseDurationSeconds: LEASE_SECONDS,
      renewTime: new V1MicroTime(),
    };
    try {
      await leases.patchNamespacedLease(
        { name: nodeName, namespace: LEASE_NAMESPACE, body: { spec } },
        MERGE,
      );
    } catch (e) {
      if ((e as { code?: number }).code !== 404) throw e;
      await leases.createNamespacedLease({
        namespace: LEASE_NAMESPACE,
        body: {
          metadata: {
            name: nodeName,
            ownerReferences: [
              { apiVersion: 'v1', kind: 'Node', name: nodeName, uid: node.metadata?.uid ?? '' },
            ],
          },
          spec,
        },
      });
    }
  };
  await renewLease();
  const leaseTimer = setInterval(
    () => void renewLease().catch((e: unknown) => onError('renew the node lease', e)),
    RENEW_MS,
  );
  leaseTimer.unref();

  const freeIP = (uid: string): string | undefined => {
    if (pool.length === 0) return options.podIP ?? '127.0.0.1';
    const held = ipOf.get(uid);
    if (held) return held;
    const used = new Set(ipOf.values());
    return pool.find((ip) => !used.has(ip));
  };

  /** Retries transient refusals: the Node authorizer learns of a binding a moment after it. */
  const withRetry = async (what: string, fn: () => Promise<unknown>) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await fn();
        return;
      } catch (e) {
        const code = (e as { code?: number }).code;
        if (code === 404 || code === 409 || stopped) return; // gone, or replaced meanwhile
        onError(what, e);
        if (attempt >= 20) return;
        await sleep(Math.min(1000, 50 * attempt));
      }
    }
  };

  const handle = async (pod: V1Pod) => {
    const meta = pod.metadata ?? {};
    const uid = meta.uid ?? '';
    const name = meta.name ?? '';
    const namespace = meta.namespace ?? '';
    if (stopped || finished.has(uid)) return;
    if (!pod.spec?.nodeName) {
      if (meta.deletionTimestamp) return;
      await withRetry(`bind ${namespace}/${name}`, () =>
        asScheduler.createNamespacedPodBinding({
          name,
          namespace,
          body: { metadata: { name, namespace }, target: { kind: 'Node', name: nodeName } },
        }),
      );
      return;
    }
    if (pod.spec.nodeName !== nodeName) return;
    if (meta.deletionTimestamp) {
      const graceMs = (meta.deletionGracePeriodSeconds ?? 0) * 1000;
      const delay = Math.min(sim.terminationDelayMs, graceMs);
      if (delay > 0) await sleep(delay);
      await withRetry(`complete the termination of ${namespace}/${name}`, () =>
        asNode.deleteNamespacedPod({
          name,
          namespace,
          gracePeriodSeconds: 0,
          body: { gracePeriodSeconds: 0, preconditions: { uid } },
        }),
      );
      finished.add(uid);
      ipOf.delete(uid);
      readyOverride.delete(uid);
      return;
    }
    const ready = readyOverride.get(uid) ?? true;
    const current = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    if (pod.status?.phase === 'Running' && pod.status.podIP && current === ready) return;
    const ip = freeIP(uid);
    if (!ip) return; // no address free: Pending until a pod goes
    ipOf.set(uid, ip);
    const now = new Date();
    const startedAt = pod.status?.startTime ?? now;
    const cond = (type: string, ok: boolean): V1PodCondition => ({
      type,
      status: ok ? 'True' : 'False',
      lastTransitionTime: now,
    });
    await withRetry(`report ${namespace}/${name} running`, () =>
      asNode.patchNamespacedPodStatus(
        {
          name,
          namespace,
          body: {
            status: {
              phase: 'Running',
              hostIP: '127.0.0.1',
              hostIPs: [{ ip: '127.0.0.1' }],
              podIP: ip,
              podIPs: [{ ip }],
              startTime: startedAt,
              conditions: [
                cond('PodReadyToStartContainers', true),
                cond('Initialized', true),
                cond('ContainersReady', ready),
                cond('Ready', ready),
                cond('PodScheduled', true),
              ],
              containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
                name: c.name,
                image: c.image ?? '',
                imageID: `simulated://${c.image ?? ''}`,
                containerID: `simulated://${uid}/${c.name}`,
                ready,
                started: true,
                restartCount: 0,
                state: { running: { startedAt } },
              })),
            },
          },
        },
        STRATEGIC,
      ),
    );
  };

  /** Work on one pod runs in order; different pods proceed in parallel. */
  const enqueue = (pod: V1Pod) => {
    const uid = pod.metadata?.uid ?? '';
    const next = (queues.get(uid) ?? Promise.resolve())
      .then(() => handle(pod))
      .catch((e: unknown) => onError(`pod ${pod.metadata?.name}`, e));
    queues.set(uid, next);
    void next.then(() => {
      if (queues.get(uid) === next) queues.delete(uid);
    });
  };

  const informer = makeInformer<V1Pod>(options.scheduler, '/api/v1/pods', () =>
    asScheduler.listPodForAllNamespaces(),
  );
  informer.on('add', enqueue);
  informer.on('update', enqueue);
  informer.on('delete', (pod) => {
    const uid = pod.metadata?.uid ?? '';
    ipOf.delete(uid);
    readyOverride.delete(uid);
  });
  informer.on('error', (err: unknown) => {
    if (stopped) return;
    onError('pod watch', err);
    setTimeout(() => void informer.start().catch((e: unknown) => onError('pod re-list', e)), 200);
  });
  await informer.start();

  const sim: NodeSimulator = {
    nodeName,
    terminationDelayMs: 0,
    podIP: (uid) => ipOf.get(uid),
    async setReady(namespace, name, ready) {
      const pod = await asNode.readNamespacedPod({ name, namespace });
      readyOverride.set(pod.metadata?.uid ?? '', ready);
      enqueue(pod);
      await queues.get(pod.metadata?.uid ?? '');
    },
    async stop() {
      stopped = true;
      clearInterval(leaseTimer);
      await informer.stop();
      await Promise.allSettled([...queues.values()]);
    },
  };
  return sim;
}
