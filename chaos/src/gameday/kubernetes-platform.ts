/**
 * A Kubernetes cluster (the kind playground of `make up`) as a game-day platform, for a runner
 * outside the cluster. Everything a game day reads comes through what a kind host can reach:
 * - the gateway, Prometheus, Jaeger and Redis at the host ports of the kind config (Redis for
 *   the ledger checkers, read directly as any outside auditor would);
 * - readiness and each pod's environment (the overrides check) from the pods in the API;
 * - the scheduler pods' own `/leader` and `/jobs` (the leadership timeline and the job-log
 *   checker), at each pod's app port through the API server's pod proxy, behind a local
 *   forwarder so they are ordinary URLs;
 * - faults through the {@link KubernetesDriver} (agents through the same pod proxy).
 */
import type { V1Container, V1EnvVar, V1Pod } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeApis } from '../kubernetes/kube-apis.js';
import { labelSelector } from '../kubernetes/kube-apis.js';
import type { KubernetesDriver } from '../kubernetes/kubernetes-driver.js';
import {
  startPodProxyForwarder,
  type PodProxyForwarder,
} from '../kubernetes/pod-proxy-forwarder.js';
import { appPort, DEFAULT_SERVICE_LABEL, isPodReady } from '../kubernetes/pods.js';
import type { CheckLine } from './journal.js';
import type { GameDayPlatform } from './platform.js';

export interface KubernetesGameDayOptions {
  driver: KubernetesDriver;
  apis: Pick<KubeApis, 'core'>;
  kubeConfig: KubeConfig;
  namespace: string;
  gatewayUrl: string;
  prometheusUrl: string;
  redisUrl?: string;
  jaegerUrl?: string;
  serviceLabel?: string;
}

export class KubernetesGameDayPlatform implements GameDayPlatform {
  readonly name = 'kubernetes';
  readonly driver: KubernetesDriver;
  readonly prometheusUrl: string;
  readonly gatewayUrl: string;
  readonly redisUrl: string | undefined;
  readonly jaegerUrl: string | undefined;
  /** In-cluster Prometheus discovers its targets from the API, not from files. */
  readonly scrapeTargetsDir = undefined;
  /** Experiment runs of a game day are the engine's own records, not a local state dir. */
  readonly stateDir = undefined;
  readonly #o: KubernetesGameDayOptions;
  readonly #forwarder: PodProxyForwarder;

  private constructor(o: KubernetesGameDayOptions, forwarder: PodProxyForwarder) {
    this.#o = o;
    this.driver = o.driver;
    this.prometheusUrl = o.prometheusUrl;
    this.gatewayUrl = o.gatewayUrl;
    this.redisUrl = o.redisUrl;
    this.jaegerUrl = o.jaegerUrl;
    this.#forwarder = forwarder;
  }

  static async open(o: KubernetesGameDayOptions): Promise<KubernetesGameDayPlatform> {
    return new KubernetesGameDayPlatform(
      o,
      await startPodProxyForwarder(o.kubeConfig, o.namespace),
    );
  }

  close(): Promise<void> {
    return this.#forwarder.close();
  }

  async #pods(service?: string): Promise<V1Pod[]> {
    const list = await this.#o.apis.core.listNamespacedPod({
      namespace: this.#o.namespace,
      ...(service === undefined
        ? {}
        : { labelSelector: labelSelector({ [this.#serviceLabel]: service }) }),
    });
    // Finished pods (a Job's, `helm test`'s) are not part of the running playground.
    return list.items.filter(
      (p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed',
    );
  }

  get #serviceLabel(): string {
    return this.#o.serviceLabel ?? DEFAULT_SERVICE_LABEL;
  }

  async ready(): Promise<CheckLine[]> {
    const at = Date.now();
    let pods: V1Pod[];
    try {
      pods = await this.#pods();
    } catch (e) {
      return [
        {
          name: 'Kubernetes API answers',
          ok: false,
          detail: `listing pods in ${this.#o.namespace}: ${(e as Error).message}`,
          at,
        },
      ];
    }
    const notReady = pods.filter((p) => !isPodReady(p)).map((p) => p.metadata?.name ?? '?');
    return [
      {
        name: 'playground running',
        ok: pods.length > 0,
        detail:
          pods.length > 0
            ? `${pods.length} pods in namespace ${this.#o.namespace}`
            : `no pods in namespace ${this.#o.namespace} (make up first)`,
        at,
      },
      {
        name: 'every pod ready',
        ok: pods.length > 0 && notReady.length === 0,
        detail:
          notReady.length === 0 ? `${pods.length} pods ready` : `not ready: ${notReady.join(', ')}`,
        at,
      },
    ];
  }

  async podEnvs(service: string): Promise<{ pod: string; env: Record<string, string> }[]> {
    return (await this.#pods(service)).map((p) => ({
      pod: p.metadata?.name ?? '?',
      env: declaredEnv(p, appContainer(p, service)),
    }));
  }

  async podUrls(service: string): Promise<{ pod: string; url: string }[]> {
    const out: { pod: string; url: string }[] = [];
    for (const p of await this.#pods(service)) {
      const port = appPort(p);
      if (port && p.metadata?.name)
        out.push({ pod: p.metadata.name, url: this.#forwarder.podUrl(p.metadata.name, port) });
    }
    return out;
  }
}

/** The service's own container: named as the service (the chart's), else the first. */
function appContainer(p: V1Pod, service: string): V1Container | undefined {
  const cs = p.spec?.containers ?? [];
  return cs.find((c) => c.name === service) ?? cs[0];
}

/**
 * The variables the container is given: literal values, and the pod's own name and namespace
 * (`fieldRef`). References to ConfigMaps and Secrets are left out: overrides are literals.
 */
function declaredEnv(p: V1Pod, c: V1Container | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const v of c?.env ?? []) {
    const value = literal(p, v);
    if (value !== undefined) env[v.name] = value;
  }
  return env;
}

function literal(p: V1Pod, v: V1EnvVar): string | undefined {
  if (v.value !== undefined) return v.value;
  const field = v.valueFrom?.fieldRef?.fieldPath;
  if (field === 'metadata.name') return p.metadata?.name;
  if (field === 'metadata.namespace') return p.metadata?.namespace;
  return undefined;
}
