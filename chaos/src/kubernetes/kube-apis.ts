/**
 * The Kubernetes API clients the driver uses, built from one KubeConfig, plus the small things
 * every caller needs: a config pointing at a given API server (tests, in-cluster overrides)
 * and a NotFound check that works on the client's ApiException.
 */
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  NetworkingV1Api,
  PatchStrategy,
  setHeaderOptions,
  Watch,
} from '@kubernetes/client-node';

/** Typed clients for the endpoints faultline uses; nothing else is reached. */
export interface KubeApis {
  kubeConfig: KubeConfig;
  core: CoreV1Api;
  networking: NetworkingV1Api;
  custom: CustomObjectsApi;
  watch: Watch;
}

export function createKubeApis(kubeConfig: KubeConfig): KubeApis {
  return {
    kubeConfig,
    core: kubeConfig.makeApiClient(CoreV1Api),
    networking: kubeConfig.makeApiClient(NetworkingV1Api),
    custom: kubeConfig.makeApiClient(CustomObjectsApi),
    watch: new Watch(kubeConfig),
  };
}

/** A KubeConfig for one API server URL with a bearer token (tests point it at a fake). */
export function kubeConfigForServer(server: string, token = 'faultline-test-token'): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'faultline', server, skipTLSVerify: true }],
    users: [{ name: 'faultline', token }],
    contexts: [
      { name: 'faultline', cluster: 'faultline', user: 'faultline', namespace: 'default' },
    ],
    currentContext: 'faultline',
  });
  return kc;
}

/** Request options that send a JSON merge patch (custom resources reject strategic merge). */
export const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** True for the client's ApiException with HTTP 404. */
export function isNotFound(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 404;
}

/** `k=v,k2=v2`, the labelSelector query form of a label map. */
export function labelSelector(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
