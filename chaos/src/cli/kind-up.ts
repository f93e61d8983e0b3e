/**
 * `faultline up --platform kind` (make up), `faultline down --platform kind` (make down) and
 * `faultline doctor --platform kind`. The preflight runs first and stops everything when a
 * check fails: nothing is created, exit 1. Then: the cluster (created unless it exists), the
 * image (built, saved, loaded into the node), the release (`helm upgrade --install --wait`,
 * with progress), and a summary with the URLs. A second run upgrades in place.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { formatChecks, kindPreflight } from './doctor-kind.js';
import { CHART_DIR, kindClusterName, kindConfigFile } from './kind-pins.js';
import {
  deleteKindCluster,
  ensureKindCluster,
  kindClusterExists,
  kindContext,
} from './kind-cluster.js';
import { buildAndLoadImage, IMAGE_REPOSITORY, imageTag } from './kind-image.js';
import { findKindTools, findTool, type KindCli } from './kind-tools.js';
import { NAMESPACE, releaseSummary, upgradeInstall } from './helm-release.js';
import { REPO_ROOT } from './local-commands.js';

type Log = (line: string) => void;
const stdout: Log = (line) => void process.stdout.write(`${line}\n`);
const stderr: Log = (line) => void process.stderr.write(`${line}\n`);

/** Prints the checks; true when every one passed. */
export async function doctorKind(
  env: NodeJS.ProcessEnv = process.env,
  existingCluster?: string,
): Promise<boolean> {
  const checks = await kindPreflight(env, existingCluster);
  const failed = checks.filter((c) => !c.ok);
  stdout(`faultline doctor --platform kind\n${formatChecks(checks)}`);
  if (failed.length > 0)
    stderr(`faultline: ${failed.length} check(s) failed: ${failed.map((c) => c.what).join(', ')}`);
  return failed.length === 0;
}

/** The exit code of `make up`. */
export async function upKind(
  env: NodeJS.ProcessEnv = process.env,
  log: Log = stdout,
): Promise<number> {
  const configFile = kindConfigFile(env);
  const cluster = kindClusterName(configFile);
  const existing = await existingCluster(env, cluster);
  if (!(await doctorKind(env, existing))) {
    stderr(
      'faultline: make up stopped at the preflight; nothing was created (fix the FAIL lines above and run it again)',
    );
    return 1;
  }
  const tools = findKindTools(env, log);
  const started = Date.now();
  let step = 'creating the cluster';
  try {
    await ensureKindCluster(tools, cluster, configFile, existing !== undefined);
    const context = kindContext(cluster);
    const kc = kubeConfigFor(env, context);
    step = 'building and loading the image';
    const tag = imageTag(REPO_ROOT, env);
    await buildAndLoadImage(tools, REPO_ROOT, cluster, tag);
    step = 'installing the release';
    const revision = await upgradeInstall(tools, {
      chartDir: CHART_DIR,
      context,
      namespace: NAMESPACE,
      repository: IMAGE_REPOSITORY,
      tag,
      kubeConfig: kc,
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    log(
      `\nfaultline is up on kind cluster ${cluster} (context ${context}, namespace ${NAMESPACE}, release revision ${revision}, image ${IMAGE_REPOSITORY}:${tag}) in ${seconds} s:`,
    );
    for (const line of await releaseSummary(kc, NAMESPACE, configFile)) log(line);
    log(
      [
        '',
        'next:',
        '  npx faultline status --platform kubernetes',
        '  npx faultline chaos run chaos/examples/<file>.yaml --platform kubernetes --namespace faultline',
        '  make down    deletes the cluster',
      ].join('\n'),
    );
    return 0;
  } catch (e) {
    stderr(`faultline: make up failed while ${step}: ${(e as Error).message}`);
    stderr(
      `faultline: the cluster ${cluster} is kept; fix the cause and run make up again (it continues where it stopped), or make down`,
    );
    return 1;
  }
}

/** The exit code of `make down`: the cluster deleted, or there was none. */
export async function downKind(
  env: NodeJS.ProcessEnv = process.env,
  log: Log = stdout,
): Promise<number> {
  const cluster = kindClusterName(kindConfigFile(env));
  const kind = findTool('kind', env);
  if (!kind) {
    log(`faultline: kind is not installed, so there is no kind cluster ${cluster} to delete`);
    return 0;
  }
  const tools: KindCli = { kind, env, log };
  try {
    const deleted = await deleteKindCluster(tools, cluster);
    log(
      deleted ? `deleted kind cluster ${cluster}` : `no kind cluster ${cluster}: nothing to delete`,
    );
    return 0;
  } catch (e) {
    stderr(`faultline: make down failed: ${(e as Error).message}`);
    return 1;
  }
}

/** The cluster's name when kind can see it (Docker running); otherwise undefined. */
async function existingCluster(
  env: NodeJS.ProcessEnv,
  cluster: string,
): Promise<string | undefined> {
  const kind = findTool('kind', env);
  if (!kind || !findTool('docker', env)) return undefined;
  const tools: KindCli = { kind, env, log: () => {} };
  return (await kindClusterExists(tools, cluster).catch(() => false)) ? cluster : undefined;
}

/** The user's kubeconfig (the first `KUBECONFIG` file, else ~/.kube/config) at `context`. */
export function kubeConfigFor(env: NodeJS.ProcessEnv, context: string): KubeConfig {
  const files = (env.KUBECONFIG ?? '').split(':').filter(Boolean);
  const file = files.find((f) => existsSync(f)) ?? join(env.HOME ?? homedir(), '.kube', 'config');
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  if (!kc.getContextObject(context))
    throw new Error(
      `${file} has no context ${context} (kind export kubeconfig should have written it)`,
    );
  kc.setCurrentContext(context);
  return kc;
}
