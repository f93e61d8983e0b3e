/**
 * The kubernetes platform's driver: candidate pods from the API by the service label (role from
 * the role label), pod-kill = DELETE with grace period 0 (the workload controller recreates the
 * pod; verified by a new UID or a new pod), partition with mechanism `networkpolicy` through a
 * NetworkPolicy labelled with the experiment id, and every other fault through the target pod's
 * faultline agent sidecar, reached at `http://<podIP>:<agent port>` with one bearer token — or,
 * from outside the cluster (a kind host cannot route pod IPs), through the API server's pod
 * proxy (`/api/v1/namespaces/<ns>/pods/<pod>:<port>/proxy/`) with the kubeconfig's credentials.
 *
 * Verification on kubernetes observes what the controller can see from outside the pod: a
 * pod-kill by the pod's identity in the API; a NetworkPolicy partition by the policy existing and
 * selecting the pod (enforcement is the CNI's and is not probed); agent faults by the agent
 * holding them, reported as `unverifiable`, since their effect lives inside the pod.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { VerificationResult } from '../experiment/status.js';
import type { CandidatePod } from '../experiment/targeting.js';
import { AgentClient } from '../engine/agent-client.js';
import { agentFaultRequest } from '../engine/agent-fault-request.js';
import type { AppliedFault, FaultOrder, PlatformDriver } from '../engine/platform-driver.js';
import { apiServerRoute, type ApiServerRoute } from './api-server-route.js';
import { isNotFound } from './kube-apis.js';
import type { KubeApis } from './kube-apis.js';
import {
  NetworkPolicyPartition,
  PARTITIONED_POD_LABEL,
  partitionPolicyName,
} from './network-policy-partition.js';
import {
  DEFAULT_ROLE_LABEL,
  DEFAULT_SERVICE_LABEL,
  killPod,
  listPods,
  verifyPodReplaced,
} from './pods.js';

/** Pod annotation giving the port of the pod's agent admin API. */
export const AGENT_PORT_ANNOTATION = 'chaos.faultline.dev/agent-port';
/** Agent admin port when a pod has no annotation. */
export const DEFAULT_AGENT_PORT = 9901;

export interface KubernetesDriverOptions {
  apis: Pick<KubeApis, 'core' | 'networking'>;
  /** The one namespace targets live in (namespaced RBAC: the driver never looks elsewhere). */
  namespace: string;
  /**
   * File holding the bearer token of every agent (a Secret mounted into the controller; the
   * agents are given the same Secret).
   */
  agentTokenFile: string;
  /**
   * How agents are reached: `pod-ip` (default; the controller, inside the cluster) or
   * `api-server-proxy`, through the API server with `kubeConfig`'s credentials (a CLI outside).
   */
  agentRoute?: AgentRouteName;
  /** The API server and credentials of the `api-server-proxy` route. */
  kubeConfig?: KubeConfig;
  /** Default {@link DEFAULT_AGENT_PORT}; a pod's {@link AGENT_PORT_ANNOTATION} wins. */
  defaultAgentPort?: number;
  /** Label naming a pod's service. Default `app`. */
  serviceLabel?: string;
  /** Label a workload sets to say it leads. Default `chaos.faultline.dev/role`. */
  roleLabel?: string;
  /** Prometheus for abort conditions, when the cluster has one the controller can reach. */
  prometheusUrl?: string;
  /** How long a killed pod may take to be replaced. Default 60 s. */
  replaceTimeoutMs?: number;
  /** How often the replacement is polled. Default 500 ms. */
  pollMs?: number;
}

export const AGENT_ROUTES = ['pod-ip', 'api-server-proxy'] as const;
export type AgentRouteName = (typeof AGENT_ROUTES)[number];

export class KubernetesDriver implements PlatformDriver {
  readonly platform = 'kubernetes';
  readonly defaultNamespace: string;
  readonly prometheusUrl: string | undefined;
  readonly partition: NetworkPolicyPartition;
  readonly #o: KubernetesDriverOptions;
  readonly #serviceLabel: string;
  /** The API server's pod proxy, when agents are reached through it. */
  readonly #proxy: ApiServerRoute | undefined;
  /** Pod names of the service just before each kill (`ns/pod/uid`): a replacement is a new one. */
  readonly #namesBeforeKill = new Map<string, string[]>();

  constructor(options: KubernetesDriverOptions) {
    this.#o = options;
    this.defaultNamespace = options.namespace;
    this.prometheusUrl = options.prometheusUrl;
    this.#serviceLabel = options.serviceLabel ?? DEFAULT_SERVICE_LABEL;
    this.partition = new NetworkPolicyPartition(options.apis, this.#serviceLabel);
    this.#proxy =
      options.agentRoute === 'api-server-proxy'
        ? apiServerRoute(options.kubeConfig, 'agentRoute api-server-proxy')
        : undefined;
  }

  async listCandidates(scope: { service: string; roles: boolean }): Promise<CandidatePod[]> {
    // Roles come from a label the workload keeps current, so they cost nothing extra to read.
    return listPods(this.#o.apis, this.#o.namespace, {
      labels: { [this.#serviceLabel]: scope.service },
      serviceLabel: this.#serviceLabel,
      roleLabel: this.#o.roleLabel ?? DEFAULT_ROLE_LABEL,
    });
  }

  async apply(order: FaultOrder): Promise<AppliedFault[]> {
    const { target, fault } = order;
    const namespace = target.namespace || this.#o.namespace;
    const appliedAt = new Date().toISOString();
    if (fault.type === 'pod-kill') {
      const before = await this.listCandidates({ service: target.service, roles: false });
      const { uid } = await killPod(this.#o.apis, { name: target.name, namespace });
      this.#namesBeforeKill.set(
        `${namespace}/${target.name}/${uid}`,
        before.map((p) => p.name),
      );
      return [{ pod: target.name, namespace, kind: 'one-shot', uid, appliedAt }];
    }
    if (fault.type === 'partition' && fault.mechanism === 'networkpolicy') {
      const policyName = partitionPolicyName(order.experimentId);
      try {
        await this.partition.apply({
          experimentId: order.experimentId,
          namespace,
          pods: [target.name],
          ...(order.link === undefined ? {} : { link: order.link }),
        });
      } catch (e) {
        // Several targets share the experiment's policy: the pod label (set first) joins it.
        if ((e as { code?: unknown }).code !== 409) throw e;
      }
      return [
        {
          pod: target.name,
          namespace,
          kind: 'platform',
          faultId: policyName,
          agentFaultType: 'networkpolicy',
          ...(order.link === undefined ? {} : { link: order.link }),
          ...(target.uid ? { uid: target.uid } : {}),
          appliedAt,
        },
      ];
    }
    const agent = await this.#agentOf(target.name, namespace);
    const request = (link?: string) =>
      agentFaultRequest(fault, {
        ttlMs: order.ttlMs,
        experimentId: order.experimentId,
        seed: order.seed,
        ...(link === undefined ? {} : { link }),
      });
    // A partition without a link cuts every link of the pod's agent (as locally).
    const links =
      fault.type === 'partition' && order.link === undefined
        ? await agent.linkNames()
        : [order.link];
    const applied: AppliedFault[] = [];
    try {
      for (const link of links) {
        const f = await agent.apply(request(link));
        applied.push(this.#agentRecord(target, namespace, agent.adminUrl, f.id, f.type, f.link));
      }
    } catch (e) {
      // All or nothing per target.
      await Promise.allSettled(applied.map((a) => this.recover(a)));
      throw e;
    }
    return applied;
  }

  async renew(applied: AppliedFault, ttlMs: number): Promise<boolean> {
    if (applied.kind === 'agent') return this.#agentAt(applied).renew(applied.faultId!, ttlMs);
    if (applied.kind === 'platform') return this.isActive(applied);
    return true;
  }

  async recover(applied: AppliedFault): Promise<void> {
    if (applied.kind === 'agent') {
      await this.#agentAt(applied).remove(applied.faultId!);
    } else if (applied.kind === 'platform') {
      await this.partition.recover({
        experimentId: applied.faultId!.replace(/^faultline-partition-/, ''),
        namespace: applied.namespace ?? this.#o.namespace,
        policyName: applied.faultId!,
        pods: [applied.pod],
      });
    }
  }

  async isActive(applied: AppliedFault): Promise<boolean> {
    if (applied.kind === 'agent')
      return (await this.#agentAt(applied).list()).some((f) => f.id === applied.faultId);
    if (applied.kind === 'platform') return (await this.#readPolicy(applied)) !== undefined;
    return false;
  }

  async verify(order: FaultOrder, applied: readonly AppliedFault[]): Promise<VerificationResult> {
    const result = (outcome: VerificationResult['outcome'], observed: string) => ({
      pod: order.target.name,
      outcome,
      observed,
      at: new Date().toISOString(),
    });
    const first = applied[0];
    if (!first) return result('not-verified', 'nothing was applied');
    if (first.kind === 'one-shot') {
      const namespace = first.namespace ?? this.#o.namespace;
      const uid = first.uid ?? order.target.uid ?? '';
      const check = await verifyPodReplaced(
        this.#o.apis,
        { name: first.pod, namespace, uid },
        {
          labels: { [this.#serviceLabel]: order.target.service },
          before: this.#namesBeforeKill.get(`${namespace}/${first.pod}/${uid}`) ?? [],
          timeoutMs: this.#o.replaceTimeoutMs ?? 60_000,
          intervalMs: this.#o.pollMs ?? 500,
        },
      );
      return result(check.replaced ? 'verified' : 'not-verified', check.observed);
    }
    if (first.kind === 'platform') {
      const policy = await this.#readPolicy(first);
      if (!policy) return result('not-verified', `NetworkPolicy ${first.faultId} does not exist`);
      const pod = await this.#o.apis.core.readNamespacedPod({
        name: first.pod,
        namespace: first.namespace ?? this.#o.namespace,
      });
      const selector = policy.spec?.podSelector?.matchLabels ?? {};
      const labels = pod.metadata?.labels ?? {};
      const selects = Object.entries(selector).every(([k, v]) => labels[k] === v);
      const what = first.link ? `traffic to and from ${first.link} pods` : 'all ingress and egress';
      return selects
        ? result(
            'verified',
            `API: NetworkPolicy ${first.faultId} (denies ${what}) selects pod ${first.pod} (${PARTITIONED_POD_LABEL}=${labels[PARTITIONED_POD_LABEL]}); enforcement is the CNI's and was not probed`,
          )
        : result(
            'not-verified',
            `NetworkPolicy ${first.faultId} does not select pod ${first.pod} (its labels: ${JSON.stringify(labels)})`,
          );
    }
    // Agent faults: the controller cannot reach the pod's loopback links or its processes.
    const held = await this.#agentAt(first).list();
    const mine = applied.map((a) => held.find((f) => f.id === a.faultId));
    if (mine.some((f) => f === undefined))
      return result('not-verified', `the agent at ${first.agentUrl} does not hold the fault`);
    return result(
      'unverifiable',
      `the agent at ${first.agentUrl} holds ${mine.map((f) => `${f!.type}${f!.link ? ` on ${f!.link}` : ''}${f!.pid ? ` (pid ${f!.pid})` : ''} ${f!.id}`).join(', ')}; its effect is inside the pod and is not probed from outside`,
    );
  }

  /**
   * What an experiment left at a target, found again from the world rather than from memory:
   * the faults the pod's agent holds for `experimentId` and the experiment's NetworkPolicy. A
   * controller that restarted uses this to renew or recover faults it did not apply itself.
   */
  async discoverApplied(order: FaultOrder): Promise<AppliedFault[]> {
    const { target, fault } = order;
    const namespace = target.namespace || this.#o.namespace;
    if (fault.type === 'pod-kill') return [];
    if (fault.type === 'partition' && fault.mechanism === 'networkpolicy') {
      const faultId = partitionPolicyName(order.experimentId);
      const a: AppliedFault = {
        pod: target.name,
        namespace,
        kind: 'platform',
        faultId,
        agentFaultType: 'networkpolicy',
        ...(order.link === undefined ? {} : { link: order.link }),
        appliedAt: new Date().toISOString(),
      };
      if (await this.isActive(a)) return [a];
      // The policy is gone; a pod label left behind is harmless, but cleaned up all the same.
      await this.partition.recover({
        experimentId: order.experimentId,
        namespace,
        policyName: faultId,
        pods: [target.name],
      });
      return [];
    }
    let agent: AgentClient;
    try {
      agent = await this.#agentOf(target.name, namespace);
    } catch (e) {
      if (isNotFound(e)) return []; // the pod is gone, and its agent with its faults
      throw e;
    }
    const held = await agent.list();
    return held
      .filter((f) => f.experiment === order.experimentId)
      .map((f) => ({
        ...this.#agentRecord(target, namespace, agent.adminUrl, f.id, f.type, f.link),
        appliedAt: f.appliedAt,
      }));
  }

  async #agentOf(pod: string, namespace: string): Promise<AgentClient> {
    const p = await this.#o.apis.core.readNamespacedPod({ name: pod, namespace });
    const ip = p.status?.podIP;
    if (!ip) throw new Error(`pod ${pod} has no IP yet: its agent cannot be reached`);
    const annotated = p.metadata?.annotations?.[AGENT_PORT_ANNOTATION];
    const port =
      annotated === undefined
        ? (this.#o.defaultAgentPort ?? DEFAULT_AGENT_PORT)
        : Number(annotated);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new Error(`pod ${pod}: annotation ${AGENT_PORT_ANNOTATION}=${annotated} is not a port`);
    const host = ip.includes(':') ? `[${ip}]` : ip;
    return this.#client(
      this.#proxy
        ? `${this.#proxy.server}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}:${port}/proxy/`
        : `http://${host}:${port}`,
      this.#o.agentTokenFile,
    );
  }

  #agentAt(a: AppliedFault): AgentClient {
    return this.#client(a.agentUrl!, a.tokenFile ?? this.#o.agentTokenFile);
  }

  /**
   * A client for an agent URL: through the proxy when the URL is the proxy's (a record made
   * through it is reached through it again), with a longer timeout for the extra hop.
   */
  #client(url: string, tokenFile: string): AgentClient {
    if (this.#proxy && url.startsWith(`${this.#proxy.server}/`))
      return new AgentClient(url, tokenFile, 5000, this.#proxy.route);
    return new AgentClient(url, tokenFile);
  }

  async #readPolicy(a: AppliedFault) {
    try {
      return await this.#o.apis.networking.readNamespacedNetworkPolicy({
        name: a.faultId!,
        namespace: a.namespace ?? this.#o.namespace,
      });
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  #agentRecord(
    target: CandidatePod,
    namespace: string,
    agentUrl: string,
    faultId: string,
    type: string,
    link: string | undefined,
  ): AppliedFault {
    return {
      pod: target.name,
      namespace,
      kind: 'agent',
      agentUrl,
      tokenFile: this.#o.agentTokenFile,
      faultId,
      agentPod: target.name,
      agentFaultType: type,
      ...(link === undefined ? {} : { link }),
      ...(target.uid ? { uid: target.uid } : {}),
      appliedAt: new Date().toISOString(),
    };
  }
}
