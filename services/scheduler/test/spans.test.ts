// The scheduler's spans in a real OTLP receiver: the winning replica's campaign span carries
// its term; each job tick is a trace whose fenced-write child names the result and the seq the
// job log holds for it.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEtcd, type EtcdCluster } from '@faultline/kit/testing/etcd-server';
import { waitFor } from '@faultline/kit/testing/child-process';
import { startOtlpReceiver, type OtlpReceiver } from '@faultline/kit/testing/otlp-receiver';
import {
  readJobLog,
  startReplica,
  stopAll,
  waitForLeader,
  waitForRecord,
  type Replica,
} from './harness.js';

let etcd: EtcdCluster | undefined;
let receiver: OtlpReceiver | undefined;
const replicas: Replica[] = [];
after(async () => {
  await stopAll(replicas);
  await etcd?.stop();
  await receiver?.stop();
});

test('campaign, job tick and fenced write spans reach the receiver with term, result and seq', async () => {
  etcd = await startEtcd(1);
  receiver = await startOtlpReceiver();
  const otel = {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OTEL_TRACES_SAMPLER_ARG: '1',
    OTEL_SERVICE_NAME: 'scheduler',
  };
  replicas.push(await startReplica('s0', etcd.endpoints, otel));
  const { replica: leader, term } = await waitForLeader(replicas);
  await waitForRecord(leader, (r) => r.term === term && r.seq >= 2, 'two records');
  const spans = receiver.spans;

  const campaign = await waitFor(
    () =>
      spans.find((s) => s.name === 'scheduler.campaign' && s.attributes['scheduler.term'] === term),
    'the winning campaign span',
    15_000,
    100,
  );
  assert.equal(campaign.service, 'scheduler');
  assert.equal(campaign.attributes['scheduler.instance'], 's0');

  const write = await waitFor(
    () =>
      spans.find(
        (s) =>
          s.name === 'scheduler.fenced_write' &&
          s.attributes['scheduler.write_result'] === 'accepted',
      ),
    'an accepted fenced write span',
    15_000,
    100,
  );
  const tick = spans.find((s) => s.spanId === write.parentSpanId);
  assert.equal(tick?.name, 'scheduler.job_tick', 'the write is a child of its tick');
  assert.equal(tick.attributes['scheduler.term'], term);
  assert.equal(tick.traceId, write.traceId);
  assert.notEqual(write.status.code, 2);
  // The seq on the span is a record the log really holds, written in that term by s0.
  const seq = Number(write.attributes['scheduler.seq']);
  const record = (await readJobLog(leader)).find((r) => r.seq === seq);
  assert.deepEqual(
    record && { term: record.term, leader: record.leader },
    { term, leader: 's0' },
    `record ${seq}`,
  );
});
