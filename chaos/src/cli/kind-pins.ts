/**
 * What `faultline up --platform kind` runs with, pinned: the kind and helm versions (built with
 * `go install` into the per-user tool cache), the cluster config, and its host port mappings.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from './local-commands.js';

/** The newest kind the Go module proxy lists here; its default node image is in the config. */
export const KIND_VERSION = 'v0.33.0';
export const HELM_VERSION = 'v3.22.0';
export const KIND_CONFIG = join(REPO_ROOT, 'charts', 'kind', 'cluster.yaml');
export const CHART_DIR = join(REPO_ROOT, 'charts', 'faultline');

/**
 * The cluster config `make up` uses: `FAULTLINE_KIND_CONFIG` when set (a copy with other host
 * ports, say), else the one in the repo.
 */
export function kindConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.FAULTLINE_KIND_CONFIG ?? KIND_CONFIG;
}

/** The cluster's name, from its config (kind's own default is "kind"). */
export function kindClusterName(configFile: string): string {
  const config = parse(readFileSync(configFile, 'utf8')) as { name?: string } | null;
  return config?.name ?? 'kind';
}

/** The per-user tool cache, as scripts/*-binary.sh compute it. */
export function toolCache(env: NodeJS.ProcessEnv = process.env): string {
  return env.FAULTLINE_CACHE ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'faultline');
}

export interface HostPortMapping {
  hostPort: number;
  containerPort: number;
  listenAddress: string;
  /** What it serves, from the comment above it (e.g. "Grafana"). */
  what: string;
  /** The chart Service it publishes, from the same comment (e.g. "grafana"). */
  service: string;
}

/** The cluster config's extraPortMappings, with the service each one publishes. */
export function hostPortMappings(configFile = KIND_CONFIG): HostPortMapping[] {
  const text = readFileSync(configFile, 'utf8');
  const config = parse(text) as {
    nodes?: { extraPortMappings?: Omit<HostPortMapping, 'what' | 'service'>[] }[];
  };
  const comments = [...text.matchAll(/^\s*# (.+?): Service (\S+?),? .*nodePort (\d+)$/gm)];
  const commentFor = new Map(comments.map((m) => [Number(m[3]), m]));
  return (config.nodes ?? []).flatMap((n) =>
    (n.extraPortMappings ?? []).map((m) => {
      const c = commentFor.get(m.containerPort);
      return { ...m, what: c?.[1] ?? '?', service: c?.[2] ?? '?' };
    }),
  );
}

/**
 * `<scheme>://<listenAddress>:<hostPort>` of the chart Service `service` on the kind host, from
 * the cluster config's {@link hostPortMappings} (read once by the caller).
 */
export function hostUrl(
  service: string,
  scheme: 'http' | 'redis',
  mappings: readonly HostPortMapping[],
): string | undefined {
  const m = mappings.find((p) => p.service === service);
  return m ? `${scheme}://${m.listenAddress}:${m.hostPort}` : undefined;
}
