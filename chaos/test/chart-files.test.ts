/**
 * The generated artifacts the chart carries (helm reads only files inside the chart) are
 * byte-equal copies of their sources, with nothing extra: charts/sync-chart-files.sh makes them.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { CHART_DIR, REPO } from './chart-image.js';

const FIX = 'run charts/sync-chart-files.sh and commit the result';

/** [source dir, chart dir, file suffix, name in the chart for a source name] */
const COPIES: [string, string, string, (n: string) => string][] = [
  ['slos/generated', 'files/slo-rules', '.yaml', (n) => n],
  ['dashboards/generated', 'files/dashboards', '.json', (n) => n],
  [
    'dashboards/generated/provisioning/datasources',
    'files/grafana-provisioning',
    '.yaml',
    (n) => `datasources-${n}`,
  ],
  [
    'dashboards/generated/provisioning/dashboards',
    'files/grafana-provisioning',
    '.yaml',
    (n) => `dashboards-${n}`,
  ],
];

test('the chart carries exactly the generated SLO rules, dashboards and provisioning', async () => {
  const expected = new Map<string, string>(); // chart path → source path
  for (const [src, dst, suffix, rename] of COPIES)
    for (const n of (await readdir(join(REPO, src))).filter((f) => f.endsWith(suffix)))
      expected.set(join(dst, rename(n)), join(src, n));
  assert.ok(expected.size >= 6, 'there are generated files to carry');
  const present = new Set<string>();
  for (const dir of new Set(COPIES.map((c) => c[1])))
    for (const n of await readdir(join(CHART_DIR, dir))) present.add(join(dir, n));
  assert.deepEqual([...present].sort(), [...expected.keys()].sort(), `file lists differ: ${FIX}`);
  for (const [inChart, source] of expected)
    assert.equal(
      await readFile(join(CHART_DIR, inChart), 'utf8'),
      await readFile(join(REPO, source), 'utf8'),
      `charts/faultline/${inChart} differs from ${source}: ${FIX}`,
    );
});

test('the CRD and the controller RBAC are those of chaos/schema', async () => {
  for (const [inChart, source] of [
    ['crds/experiment.yaml', 'chaos/schema/crd-experiment.yaml'],
    ['files/controller-rbac.yaml', 'chaos/schema/controller-rbac.yaml'],
  ] as const)
    assert.equal(
      await readFile(join(CHART_DIR, inChart), 'utf8'),
      await readFile(join(REPO, source), 'utf8'),
      `charts/faultline/${inChart} differs from ${source}: ${FIX}`,
    );
});
