/**
 * The chart rendered with the real helm (scripts/helm-binary.sh builds it into the per-user
 * cache): `helm lint`, `helm template`, the rendered objects parsed.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { CHART_DIR, REPO } from './chart-image.js';

const run = promisify(execFile);

/** The Kubernetes version the chart is rendered for: the test control plane's. */
export const KUBE_VERSION = '1.34.4';

/** A rendered Kubernetes object (only what the checks read is typed). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

let helmPath: Promise<string> | undefined;

/** helm's path; builds it once when missing (the script is a no-op when it is there). */
export function helm(): Promise<string> {
  helmPath ??= run(`${REPO}scripts/helm-binary.sh`, [], { maxBuffer: 1 << 20 }).then((r) =>
    r.stdout.trim(),
  );
  return helmPath;
}

async function helmRun(args: string[]): Promise<string> {
  const bin = await helm();
  try {
    const { stdout } = await run(bin, args, { maxBuffer: 64 << 20 });
    return stdout;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `helm ${args.join(' ')} failed:\n${err.stdout ?? ''}${err.stderr ?? err.message}`,
    );
  }
}

/** `helm lint --strict` of a chart dir with one values file; returns its output. */
export function helmLint(chartDir: string, valuesFile: string): Promise<string> {
  return helmRun(['lint', chartDir, '--strict', '--kube-version', KUBE_VERSION, '-f', valuesFile]);
}

/** `helm template` (CRDs included) → the rendered objects, in order. */
export async function renderChart(
  chartDir: string,
  valuesFile: string,
  namespace = 'faultline',
): Promise<KubeObject[]> {
  const text = await helmRun([
    'template',
    'faultline',
    chartDir,
    '--namespace',
    namespace,
    '--kube-version',
    KUBE_VERSION,
    '--include-crds',
    '-f',
    valuesFile,
  ]);
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`rendered YAML: ${doc.errors[0]!.message}`);
    const o = doc.toJS() as KubeObject | null;
    if (o) objects.push(o);
  }
  return objects;
}

/**
 * A temp copy of the chart with one file edited (for negative controls); throws when the edit
 * matched nothing. The caller removes the directory.
 */
export async function brokenChartCopy(
  file: string,
  from: string | RegExp,
  to: string,
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'faultline-chart-'));
  await cp(CHART_DIR, dir, { recursive: true });
  const path = join(dir, file);
  const text = await readFile(path, 'utf8');
  const edited = text.replace(from, to);
  if (edited === text) throw new Error(`the break of ${file} (${String(from)}) matched nothing`);
  await writeFile(path, edited);
  return dir;
}
