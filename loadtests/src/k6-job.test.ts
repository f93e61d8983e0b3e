import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1ConfigMap, V1Job, V1PodSpec } from '@kubernetes/client-node';
import { compileScenarioFile } from './scenario-resolve.js';
import { k6JobManifests, K6_IMAGE } from './k6-job.js';

const manifests = () => {
  const m = k6JobManifests({
    scenario: compileScenarioFile('steady-mix'),
    namespace: 'faultline',
    runId: 'steady-mix-abc123',
    baseUrl: 'http://gateway',
    remoteWriteUrl: 'http://prometheus:9090/api/v1/write',
    rate: 20,
  });
  // Checked against the client's API types, as the CLI sends them.
  const job = m.job as unknown as V1Job;
  return {
    job,
    pod: job.spec!.template.spec as V1PodSpec,
    configMap: m.configMap as unknown as V1ConfigMap,
  };
};

test('k6 Job: the official image runs the scenario script with remote write and native histograms', () => {
  const { job, pod } = manifests();
  const c = pod.containers[0]!;
  assert.equal(c.image, K6_IMAGE);
  assert.match(K6_IMAGE, /^grafana\/k6:\d+\.\d+\.\d+$/, 'pinned');
  assert.deepEqual(c.args, [
    'run',
    '--out',
    'experimental-prometheus-rw',
    '--tag',
    'testid=steady-mix-abc123',
    '/scripts/steady-mix.js',
  ]);
  const env = Object.fromEntries(
    (c.env as { name: string; value: string }[]).map((e) => [e.name, e.value]),
  );
  assert.equal(env.K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM, 'true');
  assert.equal(env.K6_PROMETHEUS_RW_SERVER_URL, 'http://prometheus:9090/api/v1/write');
  assert.equal(env.BASE_URL, 'http://gateway');
  assert.equal(env.RATE, '20');
  assert.equal(
    job.spec!.backoffLimit,
    0,
    'a failed k6 run is not retried: its exit code is the answer',
  );
});

test('k6 Job: scripts mounted where their relative imports and open() look', () => {
  const { pod, configMap } = manifests();
  const items = pod.volumes![0]!.configMap!.items!;
  assert.deepEqual(items.map((i) => i.path).sort(), [
    'lib/journey.js',
    'scenarios/steady-mix.json',
    'steady-mix.js',
  ]);
  const data = configMap.data!;
  for (const i of items) assert.ok(data[i.key], `ConfigMap has ${i.key}`);
  assert.match(data['steady-mix.js']!, /open\('\.\/scenarios\/steady-mix\.json'\)/);
  assert.match(data['steady-mix.js']!, /from '\.\/lib\/journey\.js'/);
  assert.equal((JSON.parse(data['scenario.json']!) as { name: string }).name, 'steady-mix');
});

test('k6 Job: the pod asks for what PodSecurity restricted requires', () => {
  const { pod } = manifests();
  assert.equal(pod.securityContext?.runAsNonRoot, true);
  assert.equal(pod.securityContext?.seccompProfile?.type, 'RuntimeDefault');
  const sc = pod.containers[0]!.securityContext!;
  assert.equal(sc.allowPrivilegeEscalation, false);
  assert.deepEqual(sc.capabilities?.drop, ['ALL']);
  assert.equal(sc.readOnlyRootFilesystem, true);
});
