// The failover-gap meter on a real etcd, in-process: it measures a term change even when the
// old term's last record was written before the meter started (a follower that joined, or
// re-watched, after the old leader's last tick), it leaves the new leader's own term change
// alone, and its watch survives an etcd restart.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Etcd3 } from 'etcd3';
import { createLogger } from '@faultline/kit/logging';
import { createMetrics } from '@faultline/kit/metrics';
import { startEtcd, type EtcdCluster } from '@faultline/kit/testing/etcd-server';
import { waitFor } from '@faultline/kit/testing/child-process';
import { FailoverGapMeter } from '../src/failover-gap.js';
import { FencedJobLog } from '../src/fenced-job-log.js';
import type { JobRecord } from '../src/job-record.js';
import { createSchedulerMetrics, type SchedulerMetrics } from '../src/scheduler-metrics.js';
import { createEtcdClient } from '../src/etcd-client.js';

let etcd: EtcdCluster;
let writer: Etcd3;

before(async () => {
  etcd = await startEtcd(1);
  writer = new Etcd3({ hosts: etcd.endpoints });
});

after(async () => {
  writer?.close();
  await etcd?.stop();
});

/** A meter as a replica named `instance` runs it, on its own client and registry. */
function startMeter(election: string, instance: string) {
  const client = createEtcdClient(etcd.endpoints, 2000);
  const metrics: SchedulerMetrics = createSchedulerMetrics(createMetrics());
  const meter = new FailoverGapMeter(client, new FencedJobLog(client, election).prefix, {
    instance,
    logger: createLogger({ service: 'scheduler-test', instance, level: 'silent' }),
    metrics,
    callTimeoutMs: 2000,
  });
  return {
    started: meter.start(),
    /** Gap observations so far, and their sum in seconds. */
    async gaps(): Promise<{ count: number; sum: number }> {
      const { values } = await metrics.failoverGap.get();
      const value = (suffix: string) =>
        values.find((v) => v.metricName === `faultline_scheduler_failover_gap_seconds${suffix}`)
          ?.value ?? 0;
      return { count: value('_count'), sum: value('_sum') };
    },
    async stop() {
      await meter.stop();
      client.close();
    },
  };
}

/** Appends a record as a leader would (the fence is not under test here). */
async function append(election: string, record: Omit<JobRecord, 'at'>, at = new Date()) {
  const log = new FencedJobLog(writer, election);
  await writer
    .put(log.jobKey(record.seq))
    .value(JSON.stringify({ ...record, at: at.toISOString() }));
}

test('a term change is measured although the old term ended before the meter started', async () => {
  const election = 'late-follower';
  // The old leader's last record, 1.5 s before the meter starts: the gap includes that time.
  await append(election, { term: 2, leader: 'r0', seq: 1 }, new Date(Date.now() - 1500));
  const meter = startMeter(election, 'r2');
  try {
    await meter.started;
    assert.deepEqual(await meter.gaps(), { count: 0, sum: 0 }, 'no term change yet');
    await append(election, { term: 7, leader: 'r1', seq: 2 });
    const gaps = await waitFor(
      async () => ((await meter.gaps()).count >= 1 ? meter.gaps() : undefined),
      'the failover gap observed',
    );
    assert.equal(gaps.count, 1);
    assert.ok(gaps.sum >= 1.4, `gap ${gaps.sum} s counts from the old term's last record`);
    // More records of the same term are no new failover: when the next term's record has
    // been seen (the watch delivers in order), exactly two changes were counted.
    await append(election, { term: 7, leader: 'r1', seq: 3 });
    await append(election, { term: 7, leader: 'r1', seq: 4 });
    await append(election, { term: 11, leader: 'r0', seq: 5 });
    await waitFor(async () => (await meter.gaps()).count >= 2, 'the second term change');
    assert.equal((await meter.gaps()).count, 2);
  } finally {
    await meter.stop();
  }
});

test('the replica that became leader does not measure its own term change', async () => {
  const election = 'own-term';
  await append(election, { term: 2, leader: 'r0', seq: 1 });
  const meter = startMeter(election, 'r1');
  const control = startMeter(election, 'r2');
  try {
    await Promise.all([meter.started, control.started]);
    await append(election, { term: 5, leader: 'r1', seq: 2 });
    await waitFor(async () => (await control.gaps()).count === 1, 'the follower measures it');
    assert.equal((await meter.gaps()).count, 0);
  } finally {
    await Promise.all([meter.stop(), control.stop()]);
  }
});

test('the watch survives an etcd restart and sees the term that follows', async () => {
  const election = 'restart';
  await append(election, { term: 2, leader: 'r0', seq: 1 });
  const meter = startMeter(election, 'r2');
  try {
    await meter.started;
    await append(election, { term: 2, leader: 'r0', seq: 2 });
    const member = etcd.members[0]!;
    await member.kill();
    await member.start();
    // Written as soon as etcd answers again, likely before the meter's watch is back.
    await waitFor(
      () => append(election, { term: 9, leader: 'r1', seq: 3 }).then(() => true),
      'etcd to take writes again',
      15_000,
      100,
    );
    await waitFor(async () => (await meter.gaps()).count === 1, 'the failover gap observed');
  } finally {
    await meter.stop();
  }
});
