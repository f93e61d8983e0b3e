import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import { progressLine } from './install-progress.js';

const pod = (name: string, ready: boolean, status: V1Pod['status'] = {}): V1Pod => ({
  metadata: { name },
  status: {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    ...status,
  },
});

test('names the pods not ready, what each waits for and its latest event', () => {
  const pods = [
    pod('redis-0', true),
    pod('etcd-1', false, {
      phase: 'Pending',
      containerStatuses: [
        {
          name: 'etcd',
          image: 'etcd',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: 'ImagePullBackOff' } },
        },
      ],
    }),
    pod('grafana-x', false, {
      containerStatuses: [
        { name: 'grafana', image: 'g', imageID: '', ready: false, restartCount: 0 },
      ],
    }),
  ];
  const event = (name: string, reason: string, message: string, at: string): CoreV1Event => ({
    metadata: {},
    involvedObject: { kind: 'Pod', name },
    reason,
    message,
    lastTimestamp: new Date(at),
  });
  const events = [
    event('etcd-1', 'Pulling', 'Pulling image "quay.io/coreos/etcd"', '2026-12-01T10:00:00Z'),
    event('etcd-1', 'Failed', 'Back-off pulling image', '2026-12-01T10:00:05Z'),
  ];
  assert.equal(
    progressLine(pods, events),
    '1/3 pods ready; waiting: etcd-1 (ImagePullBackOff; last event: Failed Back-off pulling image), grafana-x (not ready: grafana)',
  );
});

test('helm test pods are left out; all ready says helm is the one waiting; none yet says so', () => {
  const hook: V1Pod = {
    ...pod('faultline-test', false),
    metadata: { name: 'faultline-test', annotations: { 'helm.sh/hook': 'test' } },
  };
  assert.equal(
    progressLine([pod('a', true), hook], []),
    '1/1 pods ready; waiting for helm to see the workloads ready',
  );
  assert.equal(progressLine([], []), 'no pods yet (creating the release objects)');
});
