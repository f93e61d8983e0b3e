// The leader is paused (SIGSTOP) while one of its job writes is in flight, past its lease
// TTL; a new leader takes over. With the lease guard off, the resumed leader must still make
// an overdue write and have it fenced out. On resume the tick that came due is skipped (the
// in-flight write still counts as running), and before the next tick the keep-alive learns
// that the lease is gone: an elector that stepped down on that news never wrote again, which
// made the guard-off pause test flaky whenever SIGSTOP landed mid-write. With the guard off
// only the fence may end a term.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEtcd, type EtcdCluster } from '@faultline/kit/testing/etcd-server';
import { waitFor } from '@faultline/kit/testing/child-process';
import { scrapeSample } from '@faultline/kit/testing/metric-samples';
import { checkJobLog } from '../src/job-log-check.js';
import {
  TEST_TTL_S,
  logLines,
  readJobLog,
  startLeaderPair,
  stopAll,
  waitForLeader,
  waitForRecord,
  type Replica,
} from './harness.js';

let etcd: EtcdCluster | undefined;
const all: Replica[] = [];
after(async () => {
  etcd?.members[0]?.process?.child.kill('SIGCONT');
  await stopAll(all);
  await etcd?.stop();
});

test('a leader paused mid-write makes its overdue write on resume, and the fence rejects it', async () => {
  etcd = await startEtcd(1);
  const etcdProcess = etcd.members[0]!.process!.child;
  const env = { SCHEDULER_LEASE_GUARD: 'off', SCHEDULER_ELECTION: 'pause-mid-write' };
  const { old, other, term } = await startLeaderPair(etcd.endpoints, env, all);

  // Hold etcd still for more than one tick (500 ms), so a job write is sent and waits for its
  // reply; stop the leader, then let etcd commit the write while the leader cannot read it.
  const heldFrom = Date.now();
  etcdProcess.kill('SIGSTOP');
  await sleep(700);
  old.child.kill('SIGSTOP');
  etcdProcess.kill('SIGCONT');
  const heldUntil = Date.now();

  const { term: newTerm } = await waitForLeader([other], term, TEST_TTL_S * 1000 + 10_000);
  await waitForRecord(other, (r) => r.term === newTerm, 'the new leader writing');
  // The scenario needs a write sent while etcd was held and committed in the old term.
  const log = await readJobLog(other);
  assert.ok(
    log.some(
      (r) => r.term === term && Date.parse(r.at) >= heldFrom && Date.parse(r.at) <= heldUntil,
    ),
    `no write of the old leader was in flight while etcd was held: ${JSON.stringify(log.slice(-5))}`,
  );
  old.child.kill('SIGCONT');

  await waitFor(
    async () =>
      (await scrapeSample(old.url, 'faultline_scheduler_fenced_writes_total', {
        result: 'rejected-stale',
      })) >= 1,
    'the overdue write to be fenced out',
  ).catch((e: unknown) => {
    throw new Error(`${String(e)}\n${old.output().slice(-4000)}`);
  });
  assert.ok(logLines(old, 'fenced write rejected: our term is over').length >= 1);
  await waitFor(() => logLines(old, 'stepped down').length > 0, 'the old leader to step down');
  const report = checkJobLog(await readJobLog(other));
  assert.ok(report.ok, JSON.stringify(report.violations));
});
