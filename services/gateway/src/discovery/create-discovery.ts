import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '@faultline/kit/logging';
import type { DiscoverySpec } from '../upstream-spec.js';
import type { Discovery, EndpointsListener } from './discovery.js';
import { LocalDiscovery } from './local.js';
import { StaticDiscovery } from './static.js';

/** The discovery source a spec names. `kubeConfig` defaults to in-cluster / ~/.kube/config. */
export function createDiscovery(
  spec: DiscoverySpec,
  logger: Logger,
  kubeConfig?: KubeConfig,
): Discovery {
  switch (spec.kind) {
    case 'static':
      return new StaticDiscovery(spec.backends);
    case 'local':
      return new LocalDiscovery(spec.source, spec.intervalMs, logger);
    case 'endpointslices':
      return new LazyEndpointSliceDiscovery(spec, logger, kubeConfig);
  }
}

/**
 * Loads the Kubernetes client only when an upstream uses it: it is large, and start-up time
 * of the gateway is a budget.
 */
class LazyEndpointSliceDiscovery implements Discovery {
  readonly description: string;
  #inner: Discovery | undefined;

  constructor(
    private readonly spec: Extract<DiscoverySpec, { kind: 'endpointslices' }>,
    private readonly logger: Logger,
    private readonly kubeConfig: KubeConfig | undefined,
  ) {
    this.description = `endpointslices (${spec.namespace}/${spec.service})`;
  }

  async start(onChange: EndpointsListener): Promise<void> {
    const [{ EndpointSliceDiscovery }, k8s] = await Promise.all([
      import('./endpointslices.js'),
      import('@kubernetes/client-node'),
    ]);
    let kc = this.kubeConfig;
    if (!kc) {
      kc = new k8s.KubeConfig();
      kc.loadFromDefault();
    }
    this.#inner = new EndpointSliceDiscovery({
      kubeConfig: kc,
      namespace: this.spec.namespace,
      service: this.spec.service,
      portName: this.spec.portName,
      logger: this.logger,
    });
    await this.#inner.start(onChange);
  }

  async stop(): Promise<void> {
    await this.#inner?.stop();
  }
}
