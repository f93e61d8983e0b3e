/**
 * `--platform kubernetes` for the CLI: a {@link KubernetesDriver} from a kubeconfig (the
 * `--kubeconfig` file, else the client's defaults: `KUBECONFIG`, `~/.kube/config`, then the
 * in-cluster ServiceAccount) for the experiment's namespace. Against the cluster of `make up`
 * no flag is needed: its context `kind-faultline` is used when the kubeconfig has it, its
 * namespace `faultline` when the experiment names none, and the agents' token is read from
 * the chart's Secret when no token file is given or mounted. Agents are reached through the
 * API server's pod proxy unless the CLI runs inside the cluster.
 */
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { createKubeApis, type KubeApis } from '../kubernetes/kube-apis.js';
import { KubernetesDriver, type AgentRouteName } from '../kubernetes/kubernetes-driver.js';
import { NAMESPACE } from './helm-release.js';
import { kindContext } from './kind-cluster.js';
import { kindClusterName, kindConfigFile } from './kind-pins.js';

/** Where the agents' shared Secret is mounted in-cluster (the controller's default too). */
export const DEFAULT_AGENT_TOKEN_FILE = '/var/run/faultline/agent-token/token';

export interface KubernetesCliOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  agentTokenFile?: string;
  agentRoute?: AgentRouteName;
}

/**
 * The context `make up` creates: `kind-<name>` of the cluster config it uses (the repo's, or
 * `FAULTLINE_KIND_CONFIG`'s); the repo's name when that file cannot be read.
 */
export function playgroundContext(env: NodeJS.ProcessEnv = process.env): string {
  try {
    return kindContext(kindClusterName(kindConfigFile(env)));
  } catch {
    return kindContext('faultline');
  }
}
/** A driver and what it was opened with (a game day reads pods through the same clients). */
export interface KubernetesConnection {
  driver: KubernetesDriver;
  apis: KubeApis;
  kubeConfig: KubeConfig;
  context: string;
  namespace: string;
}

/** The chart's Secret holding the agents' shared token (key `token`). */
export const AGENT_TOKEN_SECRET = 'faultline-agent-token';

/** Thrown for a choice the user has to fix (exit 2), with the message to print. */
export class KubernetesCliError extends Error {
  readonly kubernetesCliError = true;
}

export function isKubernetesCliError(e: unknown): e is KubernetesCliError {
  return typeof e === 'object' && e !== null && 'kubernetesCliError' in e;
}

/**
 * `metadata.namespace` of the file, else `--namespace`, else `fallback`. Both given and
 * different is an error rather than a silent pick, as with kubectl.
 */
export function chooseNamespace(
  fromSpec: string | undefined,
  flag: string | undefined,
  fallback = 'default',
): string {
  if (fromSpec && flag && fromSpec !== flag)
    throw new KubernetesCliError(
      `--namespace ${flag} does not match metadata.namespace ${fromSpec}; drop one of them`,
    );
  return fromSpec ?? flag ?? fallback;
}

/**
 * The kubeconfig at `context`; without one, at the kind cluster's context when the file has
 * it (so `make up` then `chaos run` needs no flag), else at its current context.
 */
export function loadKubeConfig(
  file: string | undefined,
  context?: string,
  playground = playgroundContext(),
): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (file) kc.loadFromFile(file);
    else kc.loadFromDefault();
  } catch (e) {
    throw new KubernetesCliError(
      `cannot load the kubeconfig${file ? ` ${file}` : ''}: ${(e as Error).message}`,
    );
  }
  const chosen = context ?? (kc.getContextObject(playground) ? playground : undefined);
  if (chosen) {
    if (!kc.getContextObject(chosen))
      throw new KubernetesCliError(
        `the kubeconfig${file ? ` ${file}` : ''} has no context ${chosen}`,
      );
    kc.setCurrentContext(chosen);
  }
  if (!kc.getCurrentCluster())
    throw new KubernetesCliError(
      `the kubeconfig${file ? ` ${file}` : ''} has no current cluster (context "${kc.getCurrentContext()}")`,
    );
  return kc;
}

/**
 * The driver for one run. The agents' token: `--agent-token-file`, else
 * `FAULTLINE_AGENT_TOKEN_FILE`, else the in-cluster mount, else the chart's Secret read
 * through the API (written to a private temporary file, as the agent client reads a file).
 */
export async function openKubernetesDriver(
  specNamespace: string | undefined,
  o: KubernetesCliOptions,
  env: NodeJS.ProcessEnv,
): Promise<KubernetesConnection> {
  // The kind config is read once: for the context to pick and the namespace it implies.
  const playground = playgroundContext(env);
  const kc = loadKubeConfig(o.kubeconfig, o.context, playground);
  const context = kc.getCurrentContext();
  const namespace = chooseNamespace(
    specNamespace,
    o.namespace,
    context === playground ? NAMESPACE : 'default',
  );
  const agentTokenFile =
    o.agentTokenFile ??
    env.FAULTLINE_AGENT_TOKEN_FILE ??
    (existsSync(DEFAULT_AGENT_TOKEN_FILE)
      ? DEFAULT_AGENT_TOKEN_FILE
      : ((await agentTokenFromSecret(kc, namespace)) ?? DEFAULT_AGENT_TOKEN_FILE));
  const apis = createKubeApis(kc);
  const driver = new KubernetesDriver({
    apis,
    namespace,
    agentTokenFile,
    agentRoute: o.agentRoute ?? defaultAgentRoute(env),
    kubeConfig: kc,
  });
  return { driver, apis, kubeConfig: kc, context, namespace };
}

/**
 * Inside a cluster (the API server's Service in the environment) pod IPs are routable; outside,
 * on a kind host, they are not, and the API server's pod proxy is the way in.
 */
export function defaultAgentRoute(env: NodeJS.ProcessEnv): AgentRouteName {
  return env.KUBERNETES_SERVICE_HOST ? 'pod-ip' : 'api-server-proxy';
}

/** Private directories holding tokens read from the Secret; removed when the CLI exits. */
const tokenDirs: string[] = [];

/** The chart's agent token as a 0600 file, or undefined when the Secret is not readable. */
export async function agentTokenFromSecret(
  kc: KubeConfig,
  namespace: string,
): Promise<string | undefined> {
  const secret = await kc
    .makeApiClient(CoreV1Api)
    .readNamespacedSecret({ name: AGENT_TOKEN_SECRET, namespace })
    .catch(() => undefined);
  const token = secret?.data?.token;
  if (!token) return undefined;
  const dir = await mkdtemp(join(tmpdir(), 'faultline-agent-token-'));
  // One hook for every token this process reads (a game day opens a driver more than once).
  if (tokenDirs.length === 0)
    process.once('exit', () => {
      for (const d of tokenDirs) rmSync(d, { recursive: true, force: true });
    });
  tokenDirs.push(dir);
  const file = join(dir, 'token');
  await writeFile(file, Buffer.from(token, 'base64'), { mode: 0o600 });
  return file;
}
