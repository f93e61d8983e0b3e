/**
 * The kubeconfig's API server and, per request, its TLS material and credentials: how the
 * driver reaches agents through the pod proxy and how the game day's forwarder reaches the
 * scheduler pods. Per request because the credentials may be a token that expires (exec
 * plugins refresh it).
 */
import type { RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { AgentRoute } from '../engine/agent-client.js';

export interface ApiServerRoute {
  /** The current cluster's server URL, without a trailing slash. */
  server: string;
  route: AgentRoute;
}

export function apiServerRoute(kc: KubeConfig | undefined, who: string): ApiServerRoute {
  const server = kc?.getCurrentCluster()?.server;
  if (!kc || !server) throw new Error(`${who} needs a kubeconfig with a current cluster`);
  return {
    server: server.replace(/\/+$/, ''),
    route: {
      async requestOptions() {
        const opts: RequestOptions = {};
        await kc.applyToHTTPSOptions(opts);
        return opts;
      },
    },
  };
}
