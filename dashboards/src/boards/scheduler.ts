/**
 * Scheduler: who leads and in which term, how long failovers leave the job without a
 * leader, and whether the term fence let a deposed leader's write through
 * (`faultline_scheduler_*`).
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { board } from '../board.js';
import { latency, row, stat, timeSeries, timeline, valueNames } from '../panels.js';

const sel = 'job="scheduler"';
const GAP = 'faultline_scheduler_failover_gap_seconds';

export function schedulerDashboard(): Dashboard {
  return board({
    uid: 'faultline-scheduler',
    title: 'faultline / Scheduler',
    description: 'Leader and term over time, failover gaps, fenced writes accepted and rejected.',
    tags: ['scheduler', 'etcd'],
  })
    .withRow(row('Leadership (etcd election; term = the leader key’s create revision)'))
    .withPanel(
      timeline({
        title: 'Leader over time',
        description: 'One lane per replica: leader while it is the acting leader.',
        queries: [
          { expr: `max by (pod) (faultline_scheduler_is_leader{${sel}})`, legend: '{{pod}}' },
        ],
        mappings: valueNames({ 0: ['follower', 'transparent'], 1: ['leader', 'green'] }),
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Term each replica sees',
        description:
          'Lines that step up together: one leader per term. A replica lagging behind sees an old term.',
        queries: [{ expr: `max by (pod) (faultline_scheduler_term{${sel}})`, legend: '{{pod}}' }],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Leader transitions',
        description: 'elected / stepped-down, by reason, per replica.',
        queries: [
          {
            expr: `sum by (pod, transition, reason) (increase(faultline_scheduler_leader_transitions_total{${sel}}[$__rate_interval]))`,
            legend: '{{pod}} {{transition}} ({{reason}})',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Lease keep-alive failures',
        description:
          'Keep-alive round trips that failed or timed out: a leader about to step down.',
        queries: [
          {
            expr: `sum by (pod) (increase(faultline_scheduler_keepalive_failures_total{${sel}}[$__rate_interval]))`,
            legend: '{{pod}}',
          },
        ],
      }),
    )
    .withRow(row('Failover gaps (last job of one term to the first of the next)'))
    .withPanel(
      stat({
        title: 'Failovers in range',
        description: 'Gaps the followers observed in the selected time range.',
        queries: [{ expr: `max(increase(${GAP}_count{${sel}}[$__range]))`, legend: 'failovers' }],
      }),
    )
    .withPanel(
      stat({
        title: 'Failover gap p50 / max (bucket bound)',
        description: 'Median and largest gap in range, to the histogram’s bucket resolution.',
        unit: 's',
        queries: [
          {
            expr: `histogram_quantile(0.5, max by (le) (increase(${GAP}_bucket{${sel}}[$__range])))`,
            legend: 'p50',
          },
          {
            expr: `histogram_quantile(1, max by (le) (increase(${GAP}_bucket{${sel}}[$__range])))`,
            legend: 'max',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Failovers over time',
        description: 'Gaps recorded (by any follower that saw the new term’s first job).',
        queries: [
          { expr: `max(increase(${GAP}_count{${sel}}[$__rate_interval]))`, legend: 'failovers' },
        ],
      }),
    )
    .withRow(row('Fenced job log (every leader write is an etcd txn on its term)'))
    .withPanel(
      timeSeries({
        title: 'Fenced writes by result',
        description:
          'accepted; rejected-stale (the fence stopped a deposed leader); seq-conflict; error.',
        unit: 'ops',
        queries: [
          {
            expr: `sum by (result) (rate(faultline_scheduler_fenced_writes_total{${sel}}[$__rate_interval]))`,
            legend: '{{result}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Fenced writes rejected',
        description:
          'Writes the fence refused. The result series appear on first use, so none yet reads 0.',
        queries: [
          {
            // Absent rejected-* series mean "never rejected"; the metric name itself is checked
            // to exist by the dashboard test, so `or vector(0)` cannot hide a typo.
            expr: `sum(increase(faultline_scheduler_fenced_writes_total{${sel},result!="accepted"}[$__rate_interval])) or vector(0)`,
            legend: 'rejected',
          },
        ],
      }),
    )
    .withPanel(
      latency({
        title: 'Scheduler API latency p95',
        description: 'GET /leader and GET /jobs as each replica served them.',
        width: 24,
        queries: [
          {
            expr: `histogram_quantile(0.95, sum by (pod, http_route, le) (rate(http_server_request_duration_seconds_bucket{${sel}}[$__rate_interval])))`,
            legend: '{{pod}} {{http_route}}',
          },
        ],
      }),
    )
    .build();
}
