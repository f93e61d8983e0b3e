// SIGSTOP the leader past its lease TTL: a new leader is elected; when the old one resumes it
// must not write in its old term. With the lease guard on (the default) it notices before
// writing; with the guard off (demo switch), its pending write reaches etcd and the fence
// rejects it. Either way the job log stays valid and the old leader steps down.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEtcd, type EtcdCluster } from '@faultline/kit/testing/etcd-server';
import { waitFor } from '@faultline/kit/testing/child-process';
import { scrapeSample } from '@faultline/kit/testing/metric-samples';
import { checkJobLog } from '../src/job-log-check.js';
import {
  TEST_TTL_S,
  leaderOf,
  logLines,
  readJobLog,
  startLeaderPair,
  stopAll,
  waitForLeader,
  waitForRecord,
  type Replica,
} from './harness.js';

const clusters: EtcdCluster[] = [];
const all: Replica[] = [];
after(async () => {
  await stopAll(all);
  await Promise.all(clusters.map((c) => c.stop()));
});

async function pauseLeaderPastTtl(guard: 'on' | 'off') {
  const etcd = await startEtcd(1);
  clusters.push(etcd);
  const env = { SCHEDULER_LEASE_GUARD: guard, SCHEDULER_ELECTION: `pause-${guard}` };
  const { replicas, old, other, term } = await startLeaderPair(etcd.endpoints, env, all);

  old.child.kill('SIGSTOP');
  const { term: newTerm } = await waitForLeader([other], term, TEST_TTL_S * 1000 + 10_000);
  await waitForRecord(other, (r) => r.term === newTerm, 'the new leader writing');
  // Stay stopped a little longer, so the old leader's tick is overdue when it resumes.
  await sleep(300);
  old.child.kill('SIGCONT');

  await waitFor(() => logLines(old, 'stepped down').length > 0, 'the old leader to step down');
  assert.equal((await leaderOf(old)).isLeader, false);
  assert.equal(await scrapeSample(old.url, 'faultline_scheduler_is_leader'), 0);
  // A few more ticks of the new leader: the old leader stays a follower and the log stays valid.
  const seen = (await readJobLog(other)).at(-1)?.seq ?? 0;
  await waitForRecord(other, (r) => r.seq >= seen + 3, 'three more records of the new leader');
  const log = await readJobLog(other);
  const report = checkJobLog(log);
  assert.ok(report.ok, JSON.stringify(report.violations));
  const firstNew = log.findIndex((r) => r.term === newTerm);
  assert.ok(
    log.slice(firstNew).every((r) => r.term >= newTerm),
    'no record of the old term after the new term began',
  );
  assert.equal(
    (await waitForLeader(replicas, term)).replica,
    other,
    'the new leader keeps leading',
  );
  return { old, stepDown: logLines(old, 'stepped down')[0]! };
}

test('lease guard on: the resumed leader sees its lease is unprovable and steps down without writing', async () => {
  const { old, stepDown } = await pauseLeaderPastTtl('on');
  assert.ok(
    ['lease-margin', 'lease-lost'].includes(String(stepDown.reason)),
    JSON.stringify(stepDown),
  );
  assert.equal(
    await scrapeSample(old.url, 'faultline_scheduler_fenced_writes_total', {
      result: 'rejected-stale',
    }),
    0,
  );
});

test('lease guard off: the resumed leader sends its pending write, the fence rejects it, it steps down', async () => {
  const { old } = await pauseLeaderPastTtl('off');
  assert.ok(
    (await scrapeSample(old.url, 'faultline_scheduler_fenced_writes_total', {
      result: 'rejected-stale',
    })) >= 1,
    old.output().slice(-4000),
  );
  assert.ok(logLines(old, 'fenced write rejected: our term is over').length >= 1);
});
