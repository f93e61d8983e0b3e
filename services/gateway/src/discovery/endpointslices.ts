/**
 * Kubernetes discovery: the EndpointSlices of one Service (label
 * `kubernetes.io/service-name`), listed and then watched through @kubernetes/client-node's
 * informer. Readiness follows the endpoint conditions: `ready` (nil = true) gates new
 * traffic; `terminating` endpoints stay known — not eligible — so requests already on them
 * finish, and they leave the pool once deleted and idle.
 */
import {
  DiscoveryV1Api,
  makeInformer,
  type KubeConfig,
  type V1EndpointSlice,
  type Informer,
  type ObjectCache,
} from '@kubernetes/client-node';
import type { Logger } from '@faultline/kit/logging';
import type { DiscoveredEndpoint } from '../backend-pool.js';
import type { Discovery, EndpointsListener } from './discovery.js';

export interface EndpointSliceOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  service: string;
  /** Port of the slice to use, by name; default the first. */
  portName?: string | undefined;
  logger: Logger;
  /** Wait before re-listing after a watch error. Default 1000 ms. */
  restartDelayMs?: number;
}

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export class EndpointSliceDiscovery implements Discovery {
  readonly description: string;
  #informer: (Informer<V1EndpointSlice> & ObjectCache<V1EndpointSlice>) | undefined;
  #stopped = false;
  #restart: NodeJS.Timeout | undefined;

  constructor(private readonly opts: EndpointSliceOptions) {
    this.description = `endpointslices (${opts.namespace}/${opts.service})`;
  }

  async start(onChange: EndpointsListener): Promise<void> {
    const { kubeConfig, namespace, service, logger } = this.opts;
    const api = kubeConfig.makeApiClient(DiscoveryV1Api);
    const labelSelector = `${SERVICE_NAME_LABEL}=${service}`;
    const informer = makeInformer<V1EndpointSlice>(
      kubeConfig,
      `/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/endpointslices`,
      () => api.listNamespacedEndpointSlice({ namespace, labelSelector }),
      labelSelector,
    );
    this.#informer = informer;
    const publish = () =>
      onChange(endpointsFromSlices(informer.list(namespace), this.opts.portName));
    informer.on('add', publish);
    informer.on('update', publish);
    informer.on('delete', publish);
    informer.on('error', (err: unknown) => {
      if (this.#stopped) return;
      // The informer stops on errors; re-list after a pause (the last list stays in use).
      logger.warn({ err, service }, 'endpointslice watch failed; restarting');
      this.#restart = setTimeout(
        () => void informer.start().catch(() => undefined),
        this.opts.restartDelayMs ?? 1000,
      );
      this.#restart.unref();
    });
    await informer.start();
    publish();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#restart);
    await this.#informer?.stop();
  }
}

/**
 * The endpoints of a set of slices. One address per endpoint (the first: Kubernetes defines no
 * meaning for the rest); an endpoint in several slices (during a move) counts once, ready wins.
 */
export function endpointsFromSlices(
  slices: readonly V1EndpointSlice[],
  portName?: string,
): DiscoveredEndpoint[] {
  const byAddress = new Map<string, DiscoveredEndpoint>();
  for (const slice of slices) {
    if (slice.addressType === 'FQDN') continue;
    const port = (portName ? slice.ports?.find((p) => p.name === portName) : slice.ports?.[0])
      ?.port;
    if (port === undefined) continue;
    for (const e of slice.endpoints ?? []) {
      const host = e.addresses[0];
      if (!host) continue;
      const ready = e.conditions?.ready ?? true;
      const terminating = e.conditions?.terminating ?? false;
      const key = `${host}:${port}`;
      const existing = byAddress.get(key);
      if (existing?.ready && !ready) continue;
      byAddress.set(key, { host, port, ready: ready && !terminating, terminating });
    }
  }
  return [...byAddress.values()];
}
