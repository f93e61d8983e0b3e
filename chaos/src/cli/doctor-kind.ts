/**
 * `faultline doctor --platform kind`: everything `make up` needs before it creates anything —
 * a running Docker engine with enough memory, kind and helm at the pinned versions, the host
 * ports of the cluster config free. Each problem says what is missing and the exact command
 * that fixes it; nothing is installed or created here.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { findBinary, portHolder, portIsFree } from '../local/preflight.js';
import {
  HELM_VERSION,
  KIND_CONFIG,
  kindConfigFile,
  KIND_VERSION,
  hostPortMappings,
  toolCache,
} from './kind-pins.js';

/** Memory the Docker engine should have: the chart's 2 GiB of limits plus the kind node. */
export const MIN_DOCKER_MEMORY_BYTES = 3 * 2 ** 30;

export interface Check {
  what: string;
  ok: boolean;
  /** What was found (ok) or what is wrong and how to fix it (not ok). */
  detail: string;
}

function runText(cmd: string, args: string[]): { ok: boolean; out: string; err: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 15_000 });
  return { ok: r.status === 0, out: (r.stdout ?? '').trim(), err: (r.stderr ?? '').trim() };
}

export function checkDocker(path = process.env.PATH ?? ''): Check {
  const what = 'Docker engine';
  const docker = findBinary('docker', path);
  if (!docker)
    return {
      what,
      ok: false,
      detail:
        '`docker` is not on PATH: install Docker Engine (https://docs.docker.com/engine/install/) and start it; kind runs the cluster in a Docker container',
    };
  const info = runText(docker, ['info', '--format', '{{.MemTotal}}']);
  if (!info.ok)
    return {
      what,
      ok: false,
      detail: `\`docker info\` failed (${(info.err || info.out).split('\n')[0] ?? ''}): start the engine (\`sudo systemctl start docker\`) and check that your user may use it`,
    };
  const mem = Number(info.out);
  if (!(mem >= MIN_DOCKER_MEMORY_BYTES))
    return {
      what,
      ok: false,
      detail: `the engine has ${(mem / 2 ** 30).toFixed(1)} GiB of memory; the playground needs ${MIN_DOCKER_MEMORY_BYTES / 2 ** 30} GiB (raise it in Docker Desktop's settings)`,
    };
  return { what, ok: true, detail: `running, ${(mem / 2 ** 30).toFixed(1)} GiB of memory` };
}

/** A Go tool at its pinned version: in the tool cache, else on PATH. */
function checkGoTool(
  name: string,
  version: string,
  versionArgs: string[],
  installHint: string,
  path: string,
): Check {
  const what = `${name} ${version}`;
  const cached = join(toolCache(), `${name}-${version}`, 'bin', name);
  const bin = findBinary(cached, path) ?? findBinary(name, path);
  const go = findBinary('go', path) ?? findBinary('/usr/local/go/bin/go', path);
  const fix = go
    ? `${installHint} (Go found: it builds ${name} ${version} into ${cached})`
    : `install Go >= 1.24 (https://go.dev/dl/), then ${installHint}; or put ${name} ${version} on PATH`;
  if (!bin) return { what, ok: false, detail: `not installed: ${fix}` };
  const v = runText(bin, versionArgs);
  if (!`${v.out}${v.err}`.includes(version))
    return {
      what,
      ok: false,
      detail: `${bin} is ${v.out.split('\n')[0] ?? '?'}, not ${version}: ${fix}`,
    };
  return { what, ok: true, detail: bin };
}

export async function checkHostPorts(configFile = KIND_CONFIG): Promise<Check[]> {
  const checks: Check[] = [];
  for (const m of hostPortMappings(configFile)) {
    const what = `host port ${m.listenAddress}:${m.hostPort} (${m.what})`;
    if (await portIsFree(m.hostPort, m.listenAddress)) {
      checks.push({ what, ok: true, detail: 'free' });
      continue;
    }
    const holder = portHolder(m.hostPort);
    checks.push({
      what,
      ok: false,
      detail: `taken${holder ? ` by ${holder}` : ''}: kind would fail with "port is already allocated"; free it, or change hostPort ${m.hostPort} in ${configFile}`,
    });
  }
  return checks;
}

/** Every check, in the order `make up` needs them. */
export async function kindPreflight(
  env: NodeJS.ProcessEnv = process.env,
  /** The cluster is up already: its node holds the host ports, so they are not checked. */
  existingCluster?: string,
): Promise<Check[]> {
  const path = env.PATH ?? '';
  const ports: Check[] = existingCluster
    ? [
        {
          what: 'host ports',
          ok: true,
          detail: `held by the existing kind cluster ${existingCluster} (this run upgrades it)`,
        },
      ]
    : await checkHostPorts(kindConfigFile(env));
  return [
    checkDocker(path),
    checkGoTool('kind', KIND_VERSION, ['version'], 'run scripts/kind-binary.sh', path),
    checkGoTool('helm', HELM_VERSION, ['version', '--short'], 'run scripts/helm-binary.sh', path),
    ...ports,
  ];
}

export function formatChecks(checks: Check[]): string {
  return checks.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.what}: ${c.detail}`).join('\n');
}
