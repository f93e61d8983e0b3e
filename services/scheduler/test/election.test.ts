// Three real scheduler processes on a real etcd: exactly one leader; SIGKILL and SIGTERM of
// the leader hand over to another replica; the job log stays valid throughout. Each test has
// its own etcd and replicas, so none depends on what another left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@faultline/kit/testing/child-process';
import { findSample, scrapeMetrics, scrapeSample } from '@faultline/kit/testing/metric-samples';
import { checkJobLog } from '../src/job-log-check.js';
import {
  actingLeaders,
  leaderOf,
  logLines,
  readJobLog,
  startCluster,
  waitForLeader,
  waitForRecord,
} from './harness.js';

test('three replicas: exactly one leader, and every replica names it', async (t) => {
  const { replicas, stop } = await startCluster(1, 3);
  t.after(stop);
  const { replica: leader, term } = await waitForLeader(replicas);
  // Every follower's view converges on the same leader and term.
  await waitFor(async () => {
    const views = await Promise.all(replicas.map(leaderOf));
    return views.every((v) => v.leader === leader.name && v.term === term);
  }, 'all replicas to agree on the leader');
  assert.equal((await actingLeaders(replicas)).length, 1);
  const gauges = await Promise.all(
    replicas.map((r) => scrapeSample(r.url, 'faultline_scheduler_is_leader')),
  );
  assert.deepEqual(
    gauges,
    replicas.map((r) => (r === leader ? 1 : 0)),
    'the is-leader gauge is 1 on the leader and 0 on the followers',
  );
  // Only the leader writes.
  await waitForRecord(leader, (r) => r.term === term && r.seq >= 3, 'three records');
  const log = await readJobLog(leader);
  assert.ok(
    log.every((r) => r.leader === leader.name && r.term === term),
    JSON.stringify(log),
  );
  assert.ok(checkJobLog(log).ok);
});

test('SIGKILL the leader: another replica is elected in a later term and continues the log', async (t) => {
  const { replicas, stop } = await startCluster(1, 3);
  t.after(stop);
  const { replica: old, term } = await waitForLeader(replicas);
  await waitForRecord(old, (r) => r.term === term, 'the first leader writing');
  old.child.kill('SIGKILL');
  await old.exited;
  const { replica: next, term: nextTerm } = await waitForLeader(replicas, term);
  await waitForRecord(next, (r) => r.term === nextTerm, 'a record of the new term');
  const report = checkJobLog(await readJobLog(next));
  assert.ok(report.ok, JSON.stringify(report.violations));
  assert.deepEqual(
    report.terms.slice(-2).map((t) => t.leader),
    [old.name, next.name],
  );
  // A follower measured the gap between the two terms' records.
  const follower = replicas.find((r) => r !== old && r !== next)!;
  await waitFor(
    async () =>
      (findSample(
        await scrapeMetrics(follower.url),
        'faultline_scheduler_failover_gap_seconds_count',
      ) ?? 0) >= 1,
    'failover gap observed',
    15_000,
  ).catch((e: unknown) => {
    throw new Error(`${String(e)}\n${follower.name}:\n${follower.output().slice(-3000)}`);
  });
});

test('SIGTERM the leader: it resigns and another replica takes over', async (t) => {
  const { replicas, stop } = await startCluster(1, 3);
  t.after(stop);
  const { replica: old, term } = await waitForLeader(replicas);
  await waitForRecord(old, (r) => r.term === term, 'the first leader writing');
  old.child.kill('SIGTERM');
  const exit = await old.exited;
  assert.equal(exit.code, 0);
  assert.equal(logLines(old, 'resigned: leader key deleted').length, 1, old.output());
  const { replica: next, term: nextTerm } = await waitForLeader(replicas, term);
  await waitForRecord(next, (r) => r.term === nextTerm, 'a record of the new term');
  const report = checkJobLog(await readJobLog(next));
  assert.ok(report.ok, JSON.stringify(report.violations));
  assert.deepEqual(
    report.terms.map((t) => t.leader),
    [old.name, next.name],
    'the resigned leader handed over to one successor',
  );
});
