/** The scheduler's domain metrics (`faultline_scheduler_*`), on the app's own registry. */
import client from 'prom-client';
import type { Metrics } from '@faultline/kit/metrics';

export type FencedWriteResult = 'accepted' | 'rejected-stale' | 'seq-conflict' | 'error';
export type Transition = 'elected' | 'stepped-down';

export interface SchedulerMetrics {
  isLeader: client.Gauge;
  term: client.Gauge;
  transitions: client.Counter<'transition' | 'reason'>;
  failoverGap: client.Histogram;
  fencedWrites: client.Counter<'result'>;
  keepAliveFailures: client.Counter;
}

export function createSchedulerMetrics(metrics: Metrics): SchedulerMetrics {
  const registers = [metrics.registry];
  return {
    isLeader: new client.Gauge({
      name: 'faultline_scheduler_is_leader',
      help: '1 while this replica is the acting leader.',
      registers,
    }),
    term: new client.Gauge({
      name: 'faultline_scheduler_term',
      help: 'Term (leader key create revision) of the leader this replica sees.',
      registers,
    }),
    transitions: new client.Counter({
      name: 'faultline_scheduler_leader_transitions_total',
      help: 'Times this replica became leader or stepped down, by reason.',
      labelNames: ['transition', 'reason'] as const,
      registers,
    }),
    failoverGap: new client.Histogram({
      name: 'faultline_scheduler_failover_gap_seconds',
      help: 'Time without a working leader as a follower saw it: last job of one term to the first of the next.',
      buckets: [0.1, 0.25, 0.5, 1, 1.5, 2, 3, 4, 5, 7.5, 10, 20, 30, 60],
      registers,
    }),
    fencedWrites: new client.Counter({
      name: 'faultline_scheduler_fenced_writes_total',
      help: 'Fenced job-log writes by result (rejected-stale = the fence stopped a deposed leader).',
      labelNames: ['result'] as const,
      registers,
    }),
    keepAliveFailures: new client.Counter({
      name: 'faultline_scheduler_keepalive_failures_total',
      help: 'Lease keep-alive round trips that failed or timed out.',
      registers,
    }),
  };
}
