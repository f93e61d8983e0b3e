// Each shipped example experiment runs end to end on a real local playground through
// `faultline chaos run` (with a short --duration): targets resolved, the fault applied through
// the agents (or the supervisor's restart for pod-kill), verified with what was observed, and
// recovered: no fault left in any agent, no app process left stopped.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { isAlive } from '../src/local/state-file.js';
import { allAgentFaults, appProcesses, run, runIdFrom, waitSettled } from './chaos-helpers.js';
import { preparePlayground, type Playground } from './local-harness.js';

const example = (name: string) =>
  fileURLToPath(new URL(`../../examples/${name}.yaml`, import.meta.url));

let pg: Playground;

before(async () => {
  pg = await preparePlayground();
  const up = pg.cli('up', '--local', '--detach');
  assert.equal(up.status, 0, `up failed:\n${up.stdout}\n${up.stderr}`);
});

after(() => {
  pg?.cli('down');
});

/** Runs an example, asserts it completed and left nothing behind; returns its record. */
async function runExample(name: string, duration = '2s') {
  await waitSettled(pg);
  const before = await appProcesses(pg);
  const r = pg.cli('chaos', 'run', example(name), '--duration', duration);
  assert.equal(r.status, 0, `chaos run ${name}:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /targets: /, 'progress names the targets');
  assert.match(r.stdout, /applied /, 'progress says the fault was applied');
  assert.match(r.stdout, /verified on /, 'progress says it was verified');
  assert.match(r.stdout, /: Completed/, 'summary at the end');
  const record = run(pg, runIdFrom(r.stdout));
  assert.equal(record.phase, 'Completed');
  assert.ok(record.verification.length > 0);
  for (const v of record.verification)
    assert.equal(v.outcome, 'verified', `${v.pod}: ${v.observed}`);
  assert.deepEqual(await allAgentFaults(pg), [], 'no fault left in any agent');
  const after = await appProcesses(pg);
  for (const [pod, p] of Object.entries(after)) {
    assert.notEqual(p.state, 'T', `${pod} is not left stopped`);
    assert.ok(isAlive(p.pid), `${pod} runs`);
  }
  return { record, before, after, stdout: r.stdout };
}

test('redis-latency-200ms: a PING through the redis link shows the added 150-250 ms', async () => {
  const { record } = await runExample('redis-latency-200ms');
  assert.equal(record.targets.length, 1);
  assert.match(record.targets[0]!.pod, /^booking-\d$/);
  // The round trip through the link carries the whole injected delay (≥ 200 − 50 ms).
  const m = /through \S+ (\d+) ms/.exec(record.verification[0]!.observed);
  assert.ok(m && Number(m[1]) >= 148 && Number(m[1]) < 1000, record.verification[0]!.observed);
  assert.equal(record.applied[0]!.agentFaultType, 'latency');
  assert.equal(record.recovered.length, 1);
});

test('kill-scheduler-leader: the leader is killed and comes back with a new pid', async () => {
  const { record, before } = await runExample('kill-scheduler-leader');
  const t = record.targets[0]!;
  assert.equal(t.role, 'leader', 'the role was resolved at apply time');
  assert.equal(t.uid, String(before[t.pod]!.pid));
  assert.match(record.verification[0]!.observed, new RegExp(`pid ${t.uid} → \\d+`));
  const now = await appProcesses(pg);
  assert.notEqual(
    now[t.pod]!.pid,
    before[t.pod]!.pid,
    'a new process runs under the same pod name',
  );
  assert.equal(record.applied[0]!.kind, 'one-shot');
});

test('pause-booking-past-lock-ttl: the app process is stopped (T), then resumed', async () => {
  const { record, before, after } = await runExample('pause-booking-past-lock-ttl');
  const pod = record.targets[0]!.pod;
  assert.match(record.verification[0]!.observed, /state T/);
  assert.equal(after[pod]!.pid, before[pod]!.pid, 'the same process, resumed (not restarted)');
});

test("booking-http-503: about 20% of requests through each inbound link get the agent's 503", async () => {
  const { record } = await runExample('booking-http-503');
  assert.deepEqual(
    record.targets.map((t) => t.pod),
    ['booking-0', 'booking-1', 'booking-2'],
  );
  for (const v of record.verification) {
    const m = /(\d+) of 200/.exec(v.observed);
    assert.ok(m && Number(m[1]) >= 10 && Number(m[1]) <= 70, v.observed);
  }
});

test('partition-etcd-member: every link to etcd-1 hangs; the member itself answers', async () => {
  const { record } = await runExample('partition-etcd-member');
  assert.equal(record.targets[0]!.pod, 'etcd-1');
  assert.deepEqual(
    record.applied.map((a) => `${a.agentPod}/${a.link}/${a.agentFaultType}`).sort(),
    [
      'scheduler-0/etcd-1/partition-hard',
      'scheduler-1/etcd-1/partition-hard',
      'scheduler-2/etcd-1/partition-hard',
    ],
  );
  assert.match(record.verification[0]!.observed, /no answer within 1000 ms/);
});
