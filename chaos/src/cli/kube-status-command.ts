/**
 * The CLI side of `faultline status --platform kubernetes`: the cluster as for `chaos run`
 * (`--context`, else `kind-faultline` when the kubeconfig has it, else the current context),
 * then the pod table or, with `--json`, the rows.
 */
import { formatPodRows, kubePodRows } from './kube-status.js';
import { loadKubeConfig } from './kubernetes-platform.js';

export interface KubeStatusOptions {
  context?: string;
  namespace: string;
  json?: boolean;
}

export async function kubernetesStatus(o: KubeStatusOptions): Promise<number> {
  try {
    const kc = loadKubeConfig(undefined, o.context);
    const rows = await kubePodRows(kc, o.namespace);
    if (o.json) {
      process.stdout.write(
        `${JSON.stringify({ context: kc.getCurrentContext(), namespace: o.namespace, pods: rows }, null, 2)}\n`,
      );
      return 0;
    }
    process.stdout.write(`context ${kc.getCurrentContext()}, namespace ${o.namespace}\n`);
    process.stdout.write(
      rows.length === 0
        ? `no pods in namespace ${o.namespace} (make up installs the playground)\n`
        : `${formatPodRows(rows)}\n`,
    );
    return 0;
  } catch (e) {
    process.stderr.write(
      `faultline: status --platform kubernetes: ${(e as Error).message.split('\n')[0]}\n`,
    );
    return 1;
  }
}
