// A 3-member etcd cluster under the scheduler: losing one member changes nothing visible;
// losing two (no quorum) stops leadership changes and job writes until quorum returns. Each
// test starts from a healthy cluster and leaves one behind, so either can run alone or first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitForHealthy } from '@faultline/kit/testing/etcd-server';
import { sampleValue, scrapeMetrics, type LabelMatch } from '@faultline/kit/testing/metric-samples';
import { checkJobLog } from '../src/job-log-check.js';
import { TEST_TTL_S, readJobLog, useCluster, waitForLeader, waitForRecord } from './harness.js';

const cluster = useCluster(3, 2);
const { replicas } = cluster;

/** Summed over the replicas; a series none of them exposes is a failure, not 0. */
const sum = async (name: string, labels: LabelMatch) =>
  sampleValue(
    (await Promise.all(replicas.map((r) => scrapeMetrics(r.url)))).join('\n'),
    name,
    labels,
  );

const allHealthy = () => Promise.all(cluster.etcd.members.map((m) => waitForHealthy(m, 20_000)));

test('one etcd member down: the scheduler keeps a leader and keeps writing', async () => {
  await allHealthy();
  const { replica: leader } = await waitForLeader(replicas);
  await waitForRecord(leader, () => true, 'a first record');
  // The newest record, not the first: the cluster may have been writing for a while.
  const before = (await readJobLog(leader)).at(-1)!.seq;
  const member = cluster.etcd.members[0]!;
  const killedAt = Date.now();
  await member.kill();
  try {
    const after = await waitForRecord(
      replicas[1]!,
      (r) => r.seq >= before + 4,
      'four more records with one member down',
      20_000,
    );
    // Those writes happened during the outage, not before it (the wait only counted seqs).
    assert.ok(Date.parse(after.at) > killedAt, `record ${after.seq} at ${after.at}`);
    await waitForLeader(replicas);
    const report = checkJobLog(await readJobLog(replicas[1]!));
    assert.ok(report.ok, JSON.stringify(report.violations));
  } finally {
    await member.start();
    await waitForHealthy(member, 20_000);
  }
});

test('two members down: no writes and no elections until quorum returns; then work resumes', async () => {
  await allHealthy();
  await waitForRecord(replicas[0]!, () => true, 'a record before the outage', 20_000);
  const [m0, m1] = [cluster.etcd.members[0]!, cluster.etcd.members[1]!];
  await Promise.all([m0.kill(), m1.kill()]);
  // Writes already on the wire settle within a call timeout; then nothing may change.
  await sleep(TEST_TTL_S * 1000);
  const accepted = await sum('faultline_scheduler_fenced_writes_total', { result: 'accepted' });
  const elected = await sum('faultline_scheduler_leader_transitions_total', {
    transition: 'elected',
  });
  const windowStart = Date.now();
  // A fixed observation window on purpose: this test proves that nothing happens in it.
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

  await m0.start();
  await m1.start();
  await allHealthy();
  const { replica: leader } = await waitForLeader(replicas, 0, 20_000);
  await waitForRecord(
    leader,
    (r) => Date.parse(r.at) > windowEnd,
    'a record after quorum returned',
    20_000,
  );
  const log = await readJobLog(leader);
  const report = checkJobLog(log);
  assert.ok(report.ok, JSON.stringify(report.violations));
  const inWindow = log.filter(
    (r) => Date.parse(r.at) >= windowStart && Date.parse(r.at) <= windowEnd,
  );
  assert.deepEqual(inWindow, [], 'no record was written while quorum was lost');
});
