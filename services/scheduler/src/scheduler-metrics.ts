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
  jobLogChecks: client.Counter<'result'>;
  jobLogAge: client.Gauge;
}

/** Every fenced-write result, each exposed at 0 from start so "never happened" reads as 0, not absent. */
const FENCED_WRITE_RESULTS = [
  'accepted',
  'rejected-stale',
  'seq-conflict',
  'error',
] as const satisfies readonly FencedWriteResult[];

export function createSchedulerMetrics(metrics: Metrics): SchedulerMetrics {
  const registers = [metrics.registry];
  const out: SchedulerMetrics = {
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
    jobLogChecks: new client.Counter({
      name: 'faultline_scheduler_job_log_checks_total',
      help: 'Per-tick checks of the job log as this replica sees it: fresh (newest record younger than three ticks) or stale.',
      labelNames: ['result'] as const,
      registers,
    }),
    jobLogAge: new client.Gauge({
      name: 'faultline_scheduler_job_log_age_seconds',
      help: 'Age of the newest job record this replica has seen, at the last check.',
      registers,
    }),
  };
  for (const result of FENCED_WRITE_RESULTS) out.fencedWrites.inc({ result }, 0);
  return out;
}
