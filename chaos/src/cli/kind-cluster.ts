/**
 * The kind cluster of `make up`: created from the repo's config unless a cluster of that name
 * exists (a second `make up` upgrades, it never recreates), its kubeconfig context exported
 * (kind names it `kind-<name>`), and deleted by `make down`.
 */
import { runTool, type KindCli } from './kind-tools.js';

export const kindContext = (cluster: string) => `kind-${cluster}`;

export async function kindClusterExists(tools: KindCli, cluster: string): Promise<boolean> {
  const out = await runTool(tools, tools.kind, ['get', 'clusters']);
  return out.split('\n').some((l) => l.trim() === cluster);
}

/**
 * Creates the cluster when missing; true when it was created by this call. `exists`: what the
 * caller already asked kind (the preflight does), so kind is not asked twice.
 */
export async function ensureKindCluster(
  tools: KindCli,
  cluster: string,
  configFile: string,
  exists?: boolean,
): Promise<boolean> {
  if (exists ?? (await kindClusterExists(tools, cluster))) {
    tools.log(`cluster: kind cluster ${cluster} exists, kept (upgrading the release in it)`);
    await exportKubeconfig(tools, cluster);
    return false;
  }
  tools.log(`cluster: creating kind cluster ${cluster} from ${configFile} (about a minute)`);
  await runTool(
    tools,
    tools.kind,
    ['create', 'cluster', '--name', cluster, '--config', configFile, '--wait', '120s'],
    { prefix: '  kind | ' },
  );
  await exportKubeconfig(tools, cluster);
  return true;
}

/** Writes (again) the context `kind-<cluster>` into the user's kubeconfig. */
async function exportKubeconfig(tools: KindCli, cluster: string): Promise<void> {
  await runTool(tools, tools.kind, ['export', 'kubeconfig', '--name', cluster]);
}

export async function deleteKindCluster(tools: KindCli, cluster: string): Promise<boolean> {
  if (!(await kindClusterExists(tools, cluster))) return false;
  await runTool(tools, tools.kind, ['delete', 'cluster', '--name', cluster], {
    prefix: '  kind | ',
  });
  return true;
}
