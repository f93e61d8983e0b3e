/**
 * The playground's Helm release: `helm upgrade --install --wait` (a first run installs, every
 * later one upgrades in place: same release, nothing recreated that did not change), with the
 * pods' progress printed while helm waits, and the summary users need afterwards.
 */
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { hostPortMappings, hostUrl } from './kind-pins.js';
import { watchInstall } from './install-progress.js';
import { runTool, type KindTools } from './kind-tools.js';

export const RELEASE = 'faultline';
export const NAMESPACE = 'faultline';

export interface ReleaseOptions {
  chartDir: string;
  context: string;
  namespace: string;
  repository: string;
  tag: string;
  kubeConfig: KubeConfig;
  timeout?: string;
}

/** Installs or upgrades; resolves with the release's revision. */
export async function upgradeInstall(tools: KindTools, o: ReleaseOptions): Promise<number> {
  tools.log(`release: helm upgrade --install ${RELEASE} in namespace ${o.namespace} (--wait)`);
  const progress = watchInstall(o.kubeConfig, o.namespace, tools.log);
  try {
    await runTool(
      tools,
      tools.helm,
      [
        'upgrade',
        '--install',
        RELEASE,
        o.chartDir,
        '--namespace',
        o.namespace,
        '--create-namespace',
        '--kube-context',
        o.context,
        '--set',
        `image.repository=${o.repository}`,
        '--set',
        `image.tag=${o.tag}`,
        '--wait',
        '--timeout',
        o.timeout ?? '10m',
      ],
      { keep: 20 },
    );
  } finally {
    progress.stop();
  }
  const status = await runTool(tools, tools.helm, [
    'status',
    RELEASE,
    '--namespace',
    o.namespace,
    '--kube-context',
    o.context,
    '--output',
    'json',
  ]);
  return (JSON.parse(status) as { version: number }).version;
}

/** What is where once the release is ready: URLs on the kind node's host ports, Grafana's login. */
export async function releaseSummary(
  kc: KubeConfig,
  namespace: string,
  configFile: string,
): Promise<string[]> {
  const mappings = hostPortMappings(configFile);
  const url = (service: string) => hostUrl(service, 'http', mappings) ?? '(no host port mapped)';
  const secret = await kc
    .makeApiClient(CoreV1Api)
    .readNamespacedSecret({ name: 'faultline-grafana', namespace })
    .catch(() => undefined);
  const decode = (k: string) => {
    const v = secret?.data?.[k];
    return v ? Buffer.from(v, 'base64').toString('utf8') : '?';
  };
  return [
    `  gateway     ${url('gateway')}   (try: curl ${url('gateway')}/seats/gala-1)`,
    `  Grafana     ${url('grafana')}   login ${decode('admin-user')} / ${decode('admin-password')}`,
    `  Jaeger      ${url('jaeger')}`,
    `  Prometheus  ${url('prometheus')}`,
  ];
}
