/**
 * `faultline chaos run FILE --platform kubernetes`, the real CLI process against a real control
 * plane (kube-harness.ts): the shipped kill-the-scheduler-leader example through a kubeconfig,
 * with the leader resolved from the role label, the pod deleted and replaced by the real
 * ReplicaSet controller, the verification printed, exit 0; the safety refusal while a replica
 * is not ready; and the user errors that exit 2.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { waitFor } from '@faultline/kit/testing/child-process';
import { MERGE_PATCH } from '../src/kubernetes/kube-apis.js';
import { within } from './agent-helpers.js';
import { deployment, startChaosCluster } from './kube-harness.js';
import type { ChaosCluster } from './kube-harness.js';
import { readPod } from './kube-cluster-helpers.js';
import { CLI } from './local-harness.js';

const EXAMPLE = fileURLToPath(
  new URL('../../examples/kill-scheduler-leader.yaml', import.meta.url),
);
const ROLE_LABEL = 'chaos.faultline.dev/role';

const NS = 'chaos-cli';
let cluster: ChaosCluster;
let dir: string;
let kubeconfig: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'faultline-kube-cli-'));
  cluster = await startChaosCluster(NS);
  kubeconfig = cluster.kube.kubeconfigFile;
  await cluster.kube.create([deployment(NS, 'scheduler', 2)]);
  await cluster.kube.waitForWorkload('Deployment', NS, 'scheduler');
});

/** The scheduler pods, leader first: the role label is what the workload itself keeps current. */
async function labelRoles(): Promise<{ leader: string; follower: string }> {
  const pods = await cluster.admin.core.listNamespacedPod({
    namespace: NS,
    labelSelector: 'app=scheduler',
  });
  const names = pods.items
    .filter((p) => !p.metadata?.deletionTimestamp)
    .map((p) => p.metadata!.name!)
    .sort();
  assert.equal(names.length, 2, names.join());
  const [leader, follower] = names as [string, string];
  for (const [name, role] of [
    [leader, 'leader'],
    [follower, 'follower'],
  ] as const)
    await cluster.admin.core.patchNamespacedPod(
      { name, namespace: NS, body: { metadata: { labels: { [ROLE_LABEL]: role } } } },
      MERGE_PATCH,
    );
  return { leader, follower };
}

/** A kubeconfig for an API server URL (plain HTTP needs insecure-skip-tls-verify). */
function writeKubeconfig(name: string, server: string): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: fake\n  cluster:\n    server: ${server}\n    insecure-skip-tls-verify: true`,
      'users:',
      '- name: tester\n  user:\n    token: cli-test-token',
      'contexts:',
      '- name: fake\n  context:\n    cluster: fake\n    user: tester',
      'current-context: fake',
      '',
    ].join('\n'),
  );
  return file;
}
after(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The CLI as a child process. */
async function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    [CLI, 'chaos', 'run', ...args, '--state-dir', join(dir, 'state')],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await within(
    new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c))),
    60_000,
  );
  if (code === 'timeout') {
    child.kill('SIGKILL');
    throw new Error(`chaos run did not exit within 60 s\n${stdout}\n${stderr}`);
  }
  return { code, stdout, stderr };
}

test('kill-scheduler-leader on kubernetes: the leader is deleted, replaced by the ReplicaSet controller, verified, exit 0', async () => {
  const { leader, follower } = await labelRoles();
  const leaderUid = (await readPod(cluster.admin, NS, leader))?.metadata?.uid;
  const followerUid = (await readPod(cluster.admin, NS, follower))?.metadata?.uid;
  // KUBECONFIG (not --kubeconfig): the client's default loading, as on a workstation.
  const r = await cli(
    [EXAMPLE, '--platform', 'kubernetes', '--namespace', NS, '--duration', '1s'],
    { KUBECONFIG: kubeconfig },
  );
  const out = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.code, 0, out);
  assert.equal(
    await readPod(cluster.admin, NS, leader),
    undefined,
    `the leader ${leader} (uid ${leaderUid}) is gone`,
  );
  assert.equal(
    (await readPod(cluster.admin, NS, follower))?.metadata?.uid,
    followerUid,
    'the follower untouched',
  );
  // The summary: the phase, the platform and the verification line with what was observed.
  assert.match(r.stdout, /experiment kill-scheduler-leader-\S+: Completed/);
  assert.match(r.stdout, new RegExp(`fault pod-kill on ${leader} \\(kubernetes\\)`));
  assert.match(
    r.stdout,
    new RegExp(
      `verified\\s+${leader}: pod ${leader} \\(uid ${leaderUid}\\) is gone; replaced by scheduler-`,
    ),
  );
  await cluster.kube.waitForWorkload('Deployment', NS, 'scheduler');
});

test('a replica not ready: the kill is refused by the safety checks (exit 2), nothing deleted', async () => {
  const { leader, follower } = await labelRoles();
  await cluster.kube.simulator.setReady(NS, follower, false);
  try {
    const r = await cli([
      EXAMPLE,
      '--platform',
      'kubernetes',
      '--namespace',
      NS,
      '--kubeconfig',
      kubeconfig,
      '--duration',
      '1s',
    ]);
    assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, /experiment refused by its safety checks/);
    assert.ok(await readPod(cluster.admin, NS, leader), 'the leader was not deleted');
  } finally {
    await cluster.kube.simulator.setReady(NS, follower, true);
  }
  await waitFor(
    async () =>
      (await readPod(cluster.admin, NS, follower))?.status?.conditions?.some(
        (c) => c.type === 'Ready' && c.status === 'True',
      ),
    'follower ready again',
  );
});

test('a namespace mismatch, a missing kubeconfig and an unknown platform exit 2', async () => {
  const withNs = join(dir, 'with-ns.yaml');
  writeFileSync(
    withNs,
    [
      'apiVersion: chaos.faultline.dev/v1alpha1',
      'kind: Experiment',
      `metadata: { name: k, namespace: ${NS} }`,
      'spec:',
      '  target: { service: scheduler }',
      '  fault: { type: pod-kill }',
      '  duration: 1s',
      '',
    ].join('\n'),
  );
  const mismatch = await cli([
    withNs,
    '--platform',
    'kubernetes',
    '--kubeconfig',
    kubeconfig,
    '--namespace',
    'other',
  ]);
  assert.equal(mismatch.code, 2, mismatch.stderr);
  assert.match(
    mismatch.stderr,
    new RegExp(`--namespace other does not match metadata\\.namespace ${NS}`),
  );

  const missing = join(dir, 'no-such-kubeconfig');
  const noConfig = await cli([withNs, '--platform', 'kubernetes', '--kubeconfig', missing]);
  assert.equal(noConfig.code, 2, noConfig.stderr);
  assert.match(noConfig.stderr, /cannot load the kubeconfig .*no-such-kubeconfig/);

  const unknown = await cli([withNs, '--platform', 'mesos']);
  assert.equal(unknown.code, 2, unknown.stderr);
  assert.match(unknown.stderr, /unknown platform mesos; allowed: local, kubernetes/);
});

test('an unreachable API server: exit 1 with the error, not a crash', async () => {
  const closed = writeKubeconfig('closed-kubeconfig', 'http://127.0.0.1:1');
  const r = await cli([EXAMPLE, '--platform', 'kubernetes', '--kubeconfig', closed]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /faultline: chaos run on kubernetes failed: /);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
});
