/**
 * charts/faultline with the real helm: `helm lint --strict` and `helm template` for every values
 * file in ci/, the rendered objects checked against the chart's conventions (chart-policy.ts),
 * the check shown failing on broken copies of the chart, and the memory-limit sum of the whole
 * playground printed next to its 2 GiB budget.
 */
import assert from 'node:assert/strict';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CHART_DIR } from './chart-image.js';
import { memoryBytes, memoryLimits, policyProblems } from './chart-policy.js';
import { brokenChartCopy, helmLint, renderChart } from './chart-render.js';

const CI_DIR = join(CHART_DIR, 'ci');
const BUDGET_BYTES = 2 * 2 ** 30;
const temps: string[] = [];
after(async () => {
  for (const t of temps) await rm(t, { recursive: true, force: true });
});
async function brokenChart(file: string, from: string | RegExp, to: string): Promise<string> {
  const dir = await brokenChartCopy(file, from, to);
  temps.push(dir);
  return dir;
}

const ciFiles = (await readdir(CI_DIR)).filter((f) => f.endsWith('-values.yaml')).sort();

test('ci/ holds the values files the issue names', () => {
  for (const f of ['defaults', 'minimal', 'tracing-off', 'networkpolicy'])
    assert.ok(ciFiles.includes(`${f}-values.yaml`), `ci/${f}-values.yaml exists`);
});

for (const file of ciFiles) {
  test(`${file}: helm lint --strict passes and every rendered container keeps the conventions`, async () => {
    const values = join(CI_DIR, file);
    const lint = await helmLint(CHART_DIR, values);
    assert.match(lint, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    const objects = await renderChart(CHART_DIR, values);
    assert.ok(objects.length > 10, `rendered ${objects.length} objects`);
    assert.deepEqual(policyProblems(objects), []);
  });
}

test('the rendering carries every component of the playground', async () => {
  const objects = await renderChart(CHART_DIR, join(CI_DIR, 'defaults-values.yaml'));
  const names = new Set(objects.map((o) => `${o.kind}/${o.metadata.name}`));
  for (const n of [
    'StatefulSet/booking',
    'Deployment/scheduler',
    'Deployment/gateway',
    'Service/gateway',
    'Service/gateway-tcp',
    'Deployment/redis',
    'StatefulSet/etcd',
    'Service/etcd',
    'Deployment/prometheus',
    'Deployment/grafana',
    'Deployment/jaeger',
    'Deployment/otel-collector',
    'Deployment/faultline-controller',
    'ServiceAccount/faultline-controller',
    'Role/faultline-controller',
    'RoleBinding/faultline-controller',
    'CustomResourceDefinition/experiments.chaos.faultline.dev',
    'Pod/faultline-test',
  ])
    assert.ok(names.has(n), `${n} is rendered`);
  // booking is a StatefulSet (its replicas carry apps.kubernetes.io/pod-index, as locally).
  const workload = (name: string) =>
    objects.find(
      (o) => (o.kind === 'Deployment' || o.kind === 'StatefulSet') && o.metadata.name === name,
    )!;
  const replicas = (name: string) => (workload(name).spec as { replicas: number }).replicas;
  assert.equal(replicas('booking'), 3);
  assert.equal(replicas('scheduler'), 3);
  for (const app of ['booking', 'scheduler']) {
    const containers = (
      workload(app).spec as { template: { spec: { containers: { name: string }[] } } }
    ).template.spec.containers.map((c) => c.name);
    assert.deepEqual(containers, [app, 'agent'], `${app} pods carry the agent sidecar`);
  }
  assert.equal(workload('booking').kind, 'StatefulSet');
  assert.equal(
    (workload('booking').spec as { podManagementPolicy: string }).podManagementPolicy,
    'Parallel',
  );
  const etcd = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'etcd')!;
  assert.equal((etcd.spec as { replicas: number }).replicas, 3);
  const headless = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'etcd')!;
  assert.equal((headless.spec as { clusterIP: string }).clusterIP, 'None');
});

test('tracing off renders no collector and no Jaeger, and services export nothing', async () => {
  const objects = await renderChart(CHART_DIR, join(CI_DIR, 'tracing-off-values.yaml'));
  assert.ok(!objects.some((o) => ['jaeger', 'otel-collector'].includes(o.metadata.name)));
  assert.ok(!JSON.stringify(objects).includes('otel-collector'), 'no OTLP endpoint left');
});

test('memory: the whole playground (observability included) fits its 2 GiB of limits', async () => {
  const objects = await renderChart(CHART_DIR, join(CI_DIR, 'defaults-values.yaml'));
  const rows = memoryLimits(objects);
  const total = rows.reduce((s, r) => s + r.bytes, 0);
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
  for (const r of rows) console.log(`  ${r.workload.padEnd(36)} ${mib(r.bytes).padStart(9)}`);
  console.log(`  memory limits: ${mib(total)} of a ${mib(BUDGET_BYTES)} budget`);
  assert.ok(rows.length >= 10, 'every workload counted');
  assert.ok(total <= BUDGET_BYTES, `${mib(total)} exceeds the 2 GiB budget`);
});

test('memory quantities parse as Kubernetes does', () => {
  const table: [string, number][] = [
    ['96Mi', 96 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['500M', 500e6],
    ['64Ki', 65536],
    ['1048576', 1048576],
  ];
  for (const [q, bytes] of table) assert.equal(memoryBytes(q), bytes, q);
  assert.throws(() => memoryBytes('96MB'), /not a memory quantity: 96MB/);
});

test('the check fails when a template drops a probe, a limit or a restricted field', async () => {
  const values = join(CI_DIR, 'defaults-values.yaml');
  const cases: { file: string; from: string | RegExp; to: string; expect: RegExp }[] = [
    {
      file: 'templates/redis.yaml',
      from: /\n {10}livenessProbe:\n.*\n.*\n.*failureThreshold: 3/,
      to: '',
      expect: /^Deployment\/redis container redis: no livenessProbe$/,
    },
    {
      file: 'templates/redis.yaml',
      from: 'resources: {{ toJson .Values.redis.resources }}',
      to: 'resources: { requests: { cpu: 25m, memory: 16Mi } }',
      expect: /^Deployment\/redis container redis: no memory limit$/,
    },
    {
      file: 'templates/_helpers.tpl',
      from: 'allowPrivilegeEscalation: false\n',
      to: '',
      expect: /container agent: allowPrivilegeEscalation is not false$/,
    },
    {
      file: 'templates/_helpers.tpl',
      from: 'readOnlyRootFilesystem: true\n',
      to: '',
      expect: /^StatefulSet\/etcd container etcd: readOnlyRootFilesystem is not true$/,
    },
  ];
  for (const c of cases) {
    const problems = policyProblems(
      await renderChart(await brokenChart(c.file, c.from, c.to), values),
    );
    assert.ok(
      problems.some((p) => c.expect.test(p)),
      `${c.file} broken (${String(c.from).slice(0, 40)}…): expected ${c.expect}, got ${JSON.stringify(problems)}`,
    );
  }
});
