// The freshness series on real replicas: a follower counts fresh checks while the leader
// writes and stale ones while the leader is frozen (SIGSTOP) past three ticks, until a new
// leader writes again. This is the series slos/scheduler-freshness.yaml is built on.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEtcd, type EtcdCluster } from '@faultline/kit/testing/etcd-server';
import { waitFor } from '@faultline/kit/testing/child-process';
import { startLeaderPair, stopAll, waitForLeader, waitForRecord, type Replica } from './harness.js';

const LEASE_TTL_S = 6;
const all: Replica[] = [];
let etcd: EtcdCluster | undefined;
after(async () => {
  await stopAll(all);
  await etcd?.stop();
});

/** `faultline_scheduler_job_log_checks_total{result}` from a replica's /metrics; a missing series fails. */
async function checks(r: Replica, result: 'fresh' | 'stale'): Promise<number> {
  const text = await (
    await fetch(`${r.url}/metrics`, { signal: AbortSignal.timeout(2000) })
  ).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`faultline_scheduler_job_log_checks_total{result="${result}"}`));
  if (!line) throw new Error(`${r.name} exposes no job_log_checks_total{result="${result}"}`);
  return Number(line.split(' ')[1]);
}

test('a follower counts stale checks while no leader writes, fresh ones otherwise', async () => {
  etcd = await startEtcd(1);
  // A 6 s lease, not the harness's 2 s: the follower counts stale checks between 1.5 s without a
  // record and the lease's expiry, when it takes over. With 2 s that window held one tick, and a
  // loaded machine (CI) could skip it.
  const env = { SCHEDULER_ELECTION: 'freshness', SCHEDULER_LEASE_TTL_S: String(LEASE_TTL_S) };
  const { old, other, term } = await startLeaderPair(etcd.endpoints, env, all);

  const fresh0 = await checks(other, 'fresh');
  await waitFor(async () => (await checks(other, 'fresh')) >= fresh0 + 3, 'three fresh checks');
  assert.equal(await checks(other, 'stale'), 0, 'no stale check while the leader writes');

  old.child.kill('SIGSTOP');
  try {
    // Ticks are 500 ms: stale after 1.5 s without a record, long before the lease expires and
    // the follower takes over.
    await waitFor(async () => (await checks(other, 'stale')) > 0, 'a stale check on the follower');
    const { term: newTerm } = await waitForLeader([other], term, LEASE_TTL_S * 1000 + 10_000);
    await waitForRecord(other, (r) => r.term === newTerm, 'the new leader writing');
  } finally {
    old.child.kill('SIGCONT');
  }
  const stale = await checks(other, 'stale');
  const fresh = await checks(other, 'fresh');
  await waitFor(async () => (await checks(other, 'fresh')) >= fresh + 3, 'fresh checks again');
  assert.equal(await checks(other, 'stale'), stale, 'no stale check once the new leader writes');
});
