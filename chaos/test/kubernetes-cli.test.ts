/**
 * `faultline chaos run FILE --platform kubernetes`, the real CLI process against the API fake
 * (a contract test, not a cluster): the shipped kill-the-scheduler-leader example through a
 * kubeconfig written here, with the leader resolved from the role label, a DELETE with grace 0,
 * the verification printed, exit 0; and the user errors that exit 2.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, beforeEach, test } from 'node:test';
import { within } from './agent-helpers.js';
import { podJson, startKubeApiFake } from './kube-api-fake.js';
import type { KubeApiFake } from './kube-api-fake.js';
import { NS, OPT_IN } from './kube-cluster-helpers.js';
import { CLI } from './local-harness.js';

const EXAMPLE = fileURLToPath(
  new URL('../../examples/kill-scheduler-leader.yaml', import.meta.url),
);
const ROLE_LABEL = 'chaos.faultline.dev/role';

let fake: KubeApiFake;
let dir: string;
let kubeconfig: string;

before(async () => {
  fake = await startKubeApiFake();
  dir = mkdtempSync(join(tmpdir(), 'faultline-kube-cli-'));
  kubeconfig = writeKubeconfig('kubeconfig', fake.url);
});

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
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  fake.calls.length = 0;
  for (const m of Object.values(fake.store)) m.clear();
  fake.onPodDelete = 'recreate';
  const roles = ['follower', 'leader'];
  for (let i = 0; i < 2; i++)
    fake.store.pods.set(
      `${NS}/scheduler-${i}`,
      podJson(NS, `scheduler-${i}`, { app: 'scheduler', [ROLE_LABEL]: roles[i]!, ...OPT_IN }),
    );
});

/** The CLI as a child process (async: the fake answers from this process's event loop). */
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

test('kill-scheduler-leader on kubernetes: the leader is DELETEd with grace 0, verified, exit 0', async () => {
  const leaderUid = fake.store.pods.get(`${NS}/scheduler-1`)?.metadata.uid;
  // KUBECONFIG (not --kubeconfig): the client's default loading, as on a workstation.
  const r = await cli(
    [EXAMPLE, '--platform', 'kubernetes', '--namespace', NS, '--duration', '1s'],
    { KUBECONFIG: kubeconfig },
  );
  const out = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.code, 0, out);
  const deletes = fake.calls.filter((c) => c.method === 'DELETE');
  assert.deepEqual(
    deletes.map((c) => [c.path, c.query.gracePeriodSeconds]),
    [[`/api/v1/namespaces/${NS}/pods/scheduler-1`, '0']],
    'exactly the leader, with grace 0',
  );
  assert.ok(
    fake.calls.every((c) => c.authorization === 'Bearer cli-test-token'),
    'every call carries the kubeconfig user token',
  );
  assert.ok(
    fake.calls.some(
      (c) =>
        c.method === 'GET' &&
        c.path === `/api/v1/namespaces/${NS}/pods` &&
        c.query.labelSelector === 'app=scheduler',
    ),
  );
  assert.notEqual(fake.store.pods.get(`${NS}/scheduler-1`)?.metadata.uid, leaderUid);
  // The summary: the phase, the platform and the verification line with what was observed.
  assert.match(r.stdout, /experiment kill-scheduler-leader-\S+: Completed/);
  assert.match(r.stdout, /fault pod-kill on scheduler-1 \(kubernetes\)/);
  assert.match(r.stdout, /verified\s+scheduler-1: .+/);
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
  assert.match(mismatch.stderr, /--namespace other does not match metadata\.namespace faultline/);

  const missing = join(dir, 'no-such-kubeconfig');
  const noConfig = await cli([withNs, '--platform', 'kubernetes', '--kubeconfig', missing]);
  assert.equal(noConfig.code, 2, noConfig.stderr);
  assert.match(noConfig.stderr, /cannot load the kubeconfig .*no-such-kubeconfig/);

  const unknown = await cli([withNs, '--platform', 'mesos']);
  assert.equal(unknown.code, 2, unknown.stderr);
  assert.match(unknown.stderr, /unknown platform mesos; allowed: local, kubernetes/);

  assert.deepEqual(fake.calls, [], 'nothing reached the API');
});

test('an unreachable API server: exit 1 with the error, not a crash', async () => {
  const closed = writeKubeconfig('closed-kubeconfig', 'http://127.0.0.1:1');
  const r = await cli([EXAMPLE, '--platform', 'kubernetes', '--kubeconfig', closed]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /faultline: chaos run on kubernetes failed: /);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
});
