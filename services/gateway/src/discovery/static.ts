import type { BackendSpec } from '../upstream-spec.js';
import type { Discovery, EndpointsListener } from './discovery.js';

/** A fixed list from config; always ready (active health checks still apply). */
export class StaticDiscovery implements Discovery {
  readonly description: string;
  constructor(private readonly backends: readonly BackendSpec[]) {
    this.description = `static (${backends.length} backends)`;
  }

  start(onChange: EndpointsListener): Promise<void> {
    onChange(
      this.backends.map((b) => ({ host: b.host, port: b.port, weight: b.weight, ready: true })),
    );
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }
}
