/**
 * `--platform kubernetes` for the CLI: a {@link KubernetesDriver} from a kubeconfig (the
 * `--kubeconfig` file, else the client's defaults: `KUBECONFIG`, `~/.kube/config`, then the
 * in-cluster ServiceAccount) for the experiment's namespace.
 */
import { KubeConfig } from '@kubernetes/client-node';
import type { Experiment } from '../experiment/spec.js';
import { createKubeApis } from '../kubernetes/kube-apis.js';
import { KubernetesDriver } from '../kubernetes/kubernetes-driver.js';

/** Where the agents' shared Secret is mounted in-cluster (the controller's default too). */
export const DEFAULT_AGENT_TOKEN_FILE = '/var/run/faultline/agent-token/token';

export interface KubernetesCliOptions {
  kubeconfig?: string;
  namespace?: string;
  agentTokenFile?: string;
}

/** Thrown for a choice the user has to fix (exit 2), with the message to print. */
export class KubernetesCliError extends Error {
  readonly kubernetesCliError = true;
}

export function isKubernetesCliError(e: unknown): e is KubernetesCliError {
  return typeof e === 'object' && e !== null && 'kubernetesCliError' in e;
}

/**
 * `metadata.namespace`, else `--namespace`, else `default`. Both given and different is an
 * error rather than a silent pick, as with kubectl.
 */
export function experimentNamespace(experiment: Experiment, flag: string | undefined): string {
  const fromSpec = experiment.metadata.namespace;
  if (fromSpec && flag && fromSpec !== flag)
    throw new KubernetesCliError(
      `--namespace ${flag} does not match metadata.namespace ${fromSpec}; drop one of them`,
    );
  return fromSpec ?? flag ?? 'default';
}

export function loadKubeConfig(file: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (file) kc.loadFromFile(file);
    else kc.loadFromDefault();
  } catch (e) {
    throw new KubernetesCliError(
      `cannot load the kubeconfig${file ? ` ${file}` : ''}: ${(e as Error).message}`,
    );
  }
  if (!kc.getCurrentCluster())
    throw new KubernetesCliError(
      `the kubeconfig${file ? ` ${file}` : ''} has no current cluster (context "${kc.getCurrentContext()}")`,
    );
  return kc;
}

/**
 * The driver for one run. `env` supplies `FAULTLINE_AGENT_TOKEN_FILE` when `--agent-token-file`
 * is not given (the same variable the agents read their Secret from).
 */
export function openKubernetesDriver(
  experiment: Experiment,
  o: KubernetesCliOptions,
  env: NodeJS.ProcessEnv,
): KubernetesDriver {
  return new KubernetesDriver({
    apis: createKubeApis(loadKubeConfig(o.kubeconfig)),
    namespace: experimentNamespace(experiment, o.namespace),
    agentTokenFile: o.agentTokenFile ?? env.FAULTLINE_AGENT_TOKEN_FILE ?? DEFAULT_AGENT_TOKEN_FILE,
  });
}
