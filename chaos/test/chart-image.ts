/**
 * What the image runs, read from the files that define it: the Dockerfile's ENTRYPOINT and the
 * chart's per-component args. Tests start components with exactly these command lines.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** Repository root (this file compiles to chaos/dist/test/). */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const CHART_DIR = `${REPO}charts/faultline`;

/** The Dockerfile's ENTRYPOINT (exec form), e.g. ['/nodejs/bin/node', '--import', ...]. */
export function imageEntrypoint(dockerfile = `${REPO}Dockerfile`): string[] {
  const lines = readFileSync(dockerfile, 'utf8').split('\n');
  const entry = lines.filter((l) => l.startsWith('ENTRYPOINT ')).at(-1);
  if (!entry) throw new Error(`${dockerfile}: no ENTRYPOINT line`);
  const value: unknown = JSON.parse(entry.slice('ENTRYPOINT '.length));
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
    throw new Error(`${dockerfile}: ENTRYPOINT is not the exec (JSON array) form`);
  return value;
}

/** The components one image runs, as the chart's values name them. */
export const COMPONENTS = [
  'booking',
  'scheduler',
  'gateway',
  'agent',
  'controller',
  'load',
] as const;
export type Component = (typeof COMPONENTS)[number];

/** A component's container args from charts/faultline/values.yaml (`<component>.args`). */
export function componentArgs(
  component: Component,
  valuesFile = `${CHART_DIR}/values.yaml`,
): string[] {
  const values = parse(readFileSync(valuesFile, 'utf8')) as Record<string, { args?: unknown }>;
  const args = values[component]?.args;
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string'))
    throw new Error(`${valuesFile}: ${component}.args must be a list of strings`);
  return args;
}
