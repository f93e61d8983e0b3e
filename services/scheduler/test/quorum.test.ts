// A 3-member etcd cluster under the scheduler: losing one member changes nothing visible;
// losing two (no quorum) stops leadership changes and job writes until quorum returns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitForHealthy } from '@faultline/kit/testing/etcd-server';
import { checkJobLog } from '../src/job-log-check.js';
import {
  TEST_TTL_S,
  metricValue,
  readJobLog,
  useCluster,
  waitForLeader,
  waitForRecord,
} from './harness.js';

const cluster = useCluster(3, 2);
const { replicas } = cluster;

const sum = async (name: string, labels: Record<string, string>) =>
  (await Promise.all(replicas.map((r) => metricValue(r, name, labels)))).reduce((a, b) => a + b, 0);

test('one etcd member down: the scheduler keeps a leader and keeps writing', async () => {
  const { replica: leader } = await waitForLeader(replicas);
  const before = (await waitForRecord(leader, () => true, 'a first record')).seq;
  await cluster.etcd.members[0]!.kill();
  const after = await waitForRecord(
    replicas[1]!,
    (r) => r.seq >= before + 4,
    'four more records with one member down',
    20_000,
  );
  assert.ok(after.seq >= before + 4);
  await waitForLeader(replicas);
  const report = checkJobLog(await readJobLog(replicas[1]!));
  assert.ok(report.ok, JSON.stringify(report.violations));
});

test('two members down: no writes and no elections until quorum returns; then work resumes', async () => {
  await cluster.etcd.members[1]!.kill();
  // Writes already on the wire settle within a call timeout; then nothing may change.
  await sleep(TEST_TTL_S * 1000);
  const accepted = await sum('faultline_scheduler_fenced_writes_total', { result: 'accepted' });
  const elected = await sum('faultline_scheduler_leader_transitions_total', {
    transition: 'elected',
  });
  const windowStart = Date.now();
  await sleep(TEST_TTL_S * 1000 * 2 + 1000);
  assert.equal(
    await sum('faultline_scheduler_fenced_writes_total', { result: 'accepted' }),
    accepted,
    'no accepted write without quorum',
  );
  assert.equal(
    await sum('faultline_scheduler_leader_transitions_total', { transition: 'elected' }),
    elected,
    'no election without quorum',
  );
  assert.equal(
    await sum('faultline_scheduler_is_leader', {}),
    0,
    'nobody acts as leader on a lease it cannot prove',
  );
  const windowEnd = Date.now();

  await cluster.etcd.members[0]!.start();
  await cluster.etcd.members[1]!.start();
  await Promise.all(cluster.etcd.members.map((m) => waitForHealthy(m, 20_000)));
  const { replica: leader } = await waitForLeader(replicas, 0, 20_000);
  const resumed = await waitForRecord(
    leader,
    (r) => Date.parse(r.at) > windowEnd,
    'a record after quorum returned',
    20_000,
  );
  assert.ok(resumed);
  const log = await readJobLog(leader);
  const report = checkJobLog(log);
  assert.ok(report.ok, JSON.stringify(report.violations));
  const inWindow = log.filter(
    (r) => Date.parse(r.at) >= windowStart && Date.parse(r.at) <= windowEnd,
  );
  assert.deepEqual(inWindow, [], 'no record was written while quorum was lost');
});
