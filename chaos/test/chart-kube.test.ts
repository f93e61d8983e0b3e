/**
 * The rendered chart against a real control plane (kube-apiserver + kube-controller-manager
 * v1.34.4, @faultline/kit/testing/kubernetes), in a namespace labelled PodSecurity
 * enforce=restricted and warn=restricted: every object server-side applied with dry run and
 * strict field validation without one error or warning (a broken copy shown to draw
 * PodSecurity warnings), then installed for real, the ReplicaSet and StatefulSet controllers'
 * pods created and admitted, and the controller's ServiceAccount allowed what it does (and not
 * beyond its namespace), by SubjectAccessReview.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { AuthorizationV1Api, CoreV1Api } from '@kubernetes/client-node';
import { startKubernetes, type KubernetesCluster } from '@faultline/kit/testing/kubernetes';
import { waitFor } from '@faultline/kit/testing/child-process';
import { CHART_DIR } from './chart-image.js';
import { serverSideApply, type ApiServer, type ApplyResult } from './chart-apply.js';
import { brokenChartCopy, renderChart, type KubeObject } from './chart-render.js';

const NS = 'faultline';
const VALUES = join(CHART_DIR, 'ci', 'defaults-values.yaml');
let cluster: KubernetesCluster;
let api: ApiServer;
let objects: KubeObject[];
const temps: string[] = [];

before(async () => {
  [cluster, objects] = await Promise.all([startKubernetes(), renderChart(CHART_DIR, VALUES, NS)]);
  api = { server: cluster.server, caFile: cluster.caFile, token: cluster.identities.admin.token };
  await cluster.createNamespace(NS, {
    'pod-security.kubernetes.io/enforce': 'restricted',
    'pod-security.kubernetes.io/enforce-version': 'latest',
    'pod-security.kubernetes.io/warn': 'restricted',
    'pod-security.kubernetes.io/warn-version': 'latest',
  });
});
after(async () => {
  await cluster?.stop();
  for (const t of temps) await rm(t, { recursive: true, force: true });
});

const complaints = (results: ApplyResult[]) =>
  results.flatMap((r) => [
    ...(r.error !== undefined ? [`${r.object}: ${r.status} ${r.error}`] : []),
    ...r.warnings.map((w) => `${r.object}: warning: ${w}`),
  ]);

async function applyAll(list: KubeObject[], dryRun: boolean): Promise<ApplyResult[]> {
  const results: ApplyResult[] = [];
  for (const o of list) results.push(await serverSideApply(api, o, NS, dryRun));
  return results;
}

test('every rendered object passes a server-side dry run with strict validation, no warnings', async () => {
  const results = await applyAll(objects, true);
  assert.equal(results.length, objects.length);
  assert.deepEqual(complaints(results), []);
});

test('negative control: a template without allowPrivilegeEscalation draws PodSecurity warnings', async () => {
  const dir = await brokenChartCopy(
    'templates/_helpers.tpl',
    'allowPrivilegeEscalation: false\n',
    '',
  );
  temps.push(dir);
  const broken = (await renderChart(dir, VALUES, NS)).filter(
    (o) => o.kind === 'Deployment' || o.kind === 'StatefulSet',
  );
  const found = complaints(await applyAll(broken, true));
  assert.ok(
    found.some((c) => /StatefulSet\/booking: warning: .*allowPrivilegeEscalation != false/.test(c)),
    `expected a restricted warning for booking, got ${JSON.stringify(found)}`,
  );
});

test('installed for real: every workload gets its pods, each admitted under restricted', async () => {
  const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition');
  assert.deepEqual(complaints(await applyAll(crds, false)), []);
  // helm test pods (hook annotation) exist only while `helm test` runs.
  const rest = objects.filter(
    (o) =>
      o.kind !== 'CustomResourceDefinition' &&
      !(o.metadata as { annotations?: Record<string, string> }).annotations?.['helm.sh/hook'],
  );
  assert.deepEqual(complaints(await applyAll(rest, false)), []);
  const core = cluster.admin.makeApiClient(CoreV1Api);
  for (const w of objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')) {
    const spec = w.spec as { replicas?: number; selector: { matchLabels: Record<string, string> } };
    const want = spec.replicas ?? 1;
    const selector = Object.entries(spec.selector.matchLabels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    // A pod PodSecurity refused never exists (its controller records FailedCreate instead).
    await waitFor(
      async () =>
        (await core.listNamespacedPod({ namespace: NS, labelSelector: selector })).items.length ===
        want,
      `${want} pod(s) of ${w.kind}/${w.metadata.name}`,
      90_000,
      200,
    ).catch(async (e: unknown) => {
      const events = await core.listNamespacedEvent({ namespace: NS });
      const failed = events.items
        .filter((ev) => ev.reason === 'FailedCreate')
        .map((ev) => `${ev.involvedObject.name}: ${ev.message}`);
      throw new Error(`${String(e)}; FailedCreate events: ${JSON.stringify(failed)}`);
    });
  }
});

test("the controller's ServiceAccount may do what the controller does, in its namespace only", async () => {
  const authz = cluster.admin.makeApiClient(AuthorizationV1Api);
  const user = `system:serviceaccount:${NS}:faultline-controller`;
  const allowed = async (group: string, resource: string, verb: string, namespace = NS) => {
    const [res, subresource] = resource.split('/');
    const r = await authz.createSubjectAccessReview({
      body: {
        spec: {
          user,
          groups: ['system:serviceaccounts', `system:serviceaccounts:${NS}`],
          resourceAttributes: {
            group,
            resource: res!,
            ...(subresource ? { subresource } : {}),
            verb,
            namespace,
          },
        },
      },
    });
    return r.status?.allowed === true;
  };
  // What chaos/src/kubernetes/ calls: watch/patch experiments, status patches, pod kills and
  // partition labels, NetworkPolicy partitions.
  const needed: [string, string, string][] = [
    ['chaos.faultline.dev', 'experiments', 'list'],
    ['chaos.faultline.dev', 'experiments', 'watch'],
    ['chaos.faultline.dev', 'experiments', 'patch'],
    ['chaos.faultline.dev', 'experiments/status', 'patch'],
    ['', 'pods', 'list'],
    ['', 'pods', 'delete'],
    ['', 'pods', 'patch'],
    ['networking.k8s.io', 'networkpolicies', 'create'],
    ['networking.k8s.io', 'networkpolicies', 'delete'],
  ];
  for (const [group, resource, verb] of needed)
    assert.ok(await allowed(group, resource, verb), `${verb} ${resource} allowed`);
  assert.equal(
    await allowed('', 'pods', 'delete', 'kube-system'),
    false,
    'not beyond its namespace',
  );
  assert.equal(await allowed('', 'secrets', 'list'), false, 'no secrets');
});

test("the scheduler's ServiceAccount may label its pods and nothing else; its token reaches the app container only", async () => {
  const authz = cluster.admin.makeApiClient(AuthorizationV1Api);
  const allowed = async (resource: string, verb: string, namespace = NS) =>
    (
      await authz.createSubjectAccessReview({
        body: {
          spec: {
            user: `system:serviceaccount:${NS}:scheduler`,
            groups: ['system:serviceaccounts', `system:serviceaccounts:${NS}`],
            resourceAttributes: { group: '', resource, verb, namespace },
          },
        },
      })
    ).status?.allowed === true;
  assert.ok(await allowed('pods', 'patch'), 'patch its pods (the role label)');
  assert.ok(await allowed('pods', 'get'));
  for (const [resource, verb] of [
    ['pods', 'delete'],
    ['pods', 'list'],
    ['secrets', 'get'],
  ] as const)
    assert.equal(await allowed(resource, verb), false, `${verb} ${resource} denied`);
  assert.equal(await allowed('pods', 'patch', 'kube-system'), false, 'not beyond its namespace');

  const scheduler = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'scheduler');
  const pod = (scheduler?.spec as { template: { spec: Record<string, unknown> } }).template
    .spec as {
    serviceAccountName?: string;
    automountServiceAccountToken?: boolean;
    containers: { name: string; volumeMounts?: { name: string }[] }[];
  };
  assert.equal(pod.serviceAccountName, 'scheduler');
  assert.equal(pod.automountServiceAccountToken, false);
  const mounts = (name: string) =>
    pod.containers.find((c) => c.name === name)?.volumeMounts?.map((m) => m.name) ?? [];
  assert.ok(mounts('scheduler').includes('kube-api-access'));
  assert.ok(!mounts('agent').includes('kube-api-access'), 'the agent sidecar gets no API token');
});
