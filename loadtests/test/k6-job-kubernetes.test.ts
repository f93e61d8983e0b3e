/**
 * Contract test of `faultline load --platform kubernetes` against a real control plane
 * (kube-apiserver + kube-controller-manager, the kit's test harness): the ConfigMap and Job are
 * accepted, the Job controller creates the k6 pod in a namespace that enforces PodSecurity
 * `restricted`, and that pod is what the manifest says. Negative control: the same pod with
 * privilege escalation allowed is refused by the same admission. The k6 run itself cannot
 * happen here (no container runtime, no image registry): the simulated node does not run images.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BatchV1Api, CoreV1Api } from '@kubernetes/client-node';
import { waitFor } from '@faultline/kit/testing/child-process';
import { startKubernetes, type KubernetesCluster } from '@faultline/kit/testing/kubernetes';
import { k6JobManifests } from '../src/k6-job.js';
import { compileScenarioFile } from '../src/scenario-resolve.js';

const NS = 'load-restricted';
let kube: KubernetesCluster;

before(async () => {
  kube = await startKubernetes();
  await kube.createNamespace(NS, {
    'pod-security.kubernetes.io/enforce': 'restricted',
    'pod-security.kubernetes.io/enforce-version': 'latest',
  });
});
after(() => kube?.stop());

const manifests = () =>
  k6JobManifests({
    scenario: compileScenarioFile('steady-mix'),
    namespace: NS,
    runId: 'steady-mix-contract',
    baseUrl: 'http://gateway',
    remoteWriteUrl: 'http://prometheus:9090/api/v1/write',
  });

test('the k6 ConfigMap and Job are accepted and the Job controller creates its pod under restricted', async () => {
  const { configMap, job } = manifests();
  await kube.create([configMap, job] as never);
  const core = kube.admin.makeApiClient(CoreV1Api);
  const batch = kube.admin.makeApiClient(BatchV1Api);
  const created = await batch.readNamespacedJob({ name: job.metadata.name, namespace: NS });
  assert.equal(created.spec?.template.spec?.containers[0]?.image, 'grafana/k6:1.3.0');
  const pod = await waitFor(
    async () => {
      const pods = await core.listNamespacedPod({
        namespace: NS,
        labelSelector: `job-name=${job.metadata.name}`,
      });
      return pods.items[0];
    },
    'the Job controller creating the k6 pod (admitted under PodSecurity restricted)',
    60_000,
    100,
  );
  const p = pod;
  assert.equal(p.spec?.securityContext?.runAsNonRoot, true);
  assert.deepEqual(
    p.spec?.volumes
      ?.find((v) => v.name === 'scripts')
      ?.configMap?.items?.map((i) => i.path)
      .sort(),
    ['lib/journey.js', 'scenarios/steady-mix.json', 'steady-mix.js'],
  );
});

test('control: the same pod with privilege escalation allowed is refused under restricted', async () => {
  const { job } = manifests();
  const template = (
    job.spec as { template: { spec: { containers: { securityContext: object }[] } } }
  ).template;
  const spec = structuredClone(template.spec);
  spec.containers[0]!.securityContext = {
    ...spec.containers[0]!.securityContext,
    allowPrivilegeEscalation: true,
  };
  const core = kube.admin.makeApiClient(CoreV1Api);
  await assert.rejects(
    core.createNamespacedPod({
      namespace: NS,
      dryRun: 'All',
      body: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'k6-escalating' },
        spec: spec as never,
      },
    }),
    (e: unknown) =>
      /PodSecurity|allowPrivilegeEscalation/.test(String((e as { body?: unknown }).body ?? e)),
  );
  // And the manifest's own pod passes the same server-side check.
  await core.createNamespacedPod({
    namespace: NS,
    dryRun: 'All',
    body: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'k6-as-built' },
      spec: template.spec as never,
    },
  });
});
