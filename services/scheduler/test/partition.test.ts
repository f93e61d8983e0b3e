// Cut the leader off from etcd (a TCP proxy that goes silent): the old leader stops writing
// before the new leader's first write; when the partition heals and its held requests reach
// etcd late, the fence keeps them out of the log.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEtcd, type EtcdCluster } from '@faultline/kit/testing/etcd-server';
import { waitFor } from '@faultline/kit/testing/child-process';
import { checkJobLog } from '../src/job-log-check.js';
import { startBlackholeProxy, type BlackholeProxy } from './blackhole-proxy.js';
import {
  TEST_TTL_S,
  leaderOf,
  logLines,
  readJobLog,
  startReplica,
  stopAll,
  waitForLeader,
  waitForRecord,
  type Replica,
} from './harness.js';

let etcd: EtcdCluster;
const proxies = new Map<Replica, BlackholeProxy>();
const replicas: Replica[] = [];

before(async () => {
  etcd = await startEtcd(1);
  for (const name of ['p0', 'p1', 'p2']) {
    const proxy = await startBlackholeProxy(etcd.members[0]!.clientPort);
    const r = await startReplica(name, [proxy.url]);
    replicas.push(r);
    proxies.set(r, proxy);
  }
});

after(async () => {
  await stopAll(replicas);
  await Promise.all([...proxies.values()].map((p) => p.stop()));
  await etcd?.stop();
});

test('a partitioned leader stops writing before the new leader writes; late requests are fenced', async () => {
  const { replica: old, term } = await waitForLeader(replicas);
  await waitForRecord(old, (r) => r.term === term, 'the first leader writing');
  const cutAt = Date.now();
  proxies.get(old)!.blackhole();

  const others = replicas.filter((r) => r !== old);
  const { replica: next, term: newTerm } = await waitForLeader(
    others,
    term,
    TEST_TTL_S * 1000 + 10_000,
  );
  const firstNew = await waitForRecord(next, (r) => r.term === newTerm, 'the new leader writing');
  const firstNewAt = Date.parse(firstNew.at);

  // The old leader stepped down on its own (it heard nothing from etcd), before the new write.
  const stopped = await waitFor(
    () => logLines(old, 'leader work stopped')[0],
    'the old leader to stop its work',
  );
  assert.equal(stopped.reason, 'lease-margin', JSON.stringify(stopped));
  const stoppedAt = Date.parse(String(stopped.time));
  assert.ok(
    stoppedAt < firstNewAt,
    `old leader stopped at ${stoppedAt}, new leader wrote at ${firstNewAt}`,
  );
  assert.ok(
    Number(stopped.lastWriteAt) < firstNewAt,
    'its last write attempt came before the new leader wrote',
  );
  assert.ok(stoppedAt - cutAt < TEST_TTL_S * 1000, 'it stopped within the TTL of losing etcd');
  assert.equal((await leaderOf(old)).isLeader, false);
  // The precondition of "late requests are fenced": a job write went into the partition (sent
  // after the cut, so the proxy holds it and delivers it only on heal).
  const lateWriteAt = Number(stopped.lastWriteAt);
  assert.ok(
    lateWriteAt > cutAt,
    `no write was sent into the partition (last write ${lateWriteAt}, cut ${cutAt}); nothing late to fence`,
  );
  const held = proxies.get(old)!.heldBytes();
  assert.ok(held > 0, 'the proxy held the requests sent into the partition');

  // Heal: whatever the old leader sent into the partition now reaches etcd, late. Its etcd
  // connection delivers the held frames first, so once the old replica's readiness (an etcd
  // round trip on that connection) passes, etcd has judged the late write.
  proxies.get(old)!.heal();
  await waitFor(
    async () => (await fetch(`${old.url}/readyz`)).status === 200,
    'old leader ready again',
    15_000,
    100,
  );
  const log = await readJobLog(next);
  const report = checkJobLog(log);
  assert.ok(report.ok, JSON.stringify(report.violations));
  const idx = log.findIndex((r) => r.seq === firstNew.seq);
  assert.ok(
    log.slice(idx).every((r) => r.term === newTerm),
    'nothing of the old term after the new one began',
  );
  assert.deepEqual(
    log.filter((r) => r.term === term && Date.parse(r.at) >= lateWriteAt),
    [],
    'the late write (sent into the partition) was rejected by the fence',
  );
  // The old replica recovers as a follower, the new leader unchanged.
  assert.equal((await waitForLeader(replicas, term)).replica, next);
});
