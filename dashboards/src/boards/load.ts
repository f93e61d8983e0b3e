/**
 * Load: what the load generator sent and saw, under k6's Prometheus remote-write names
 * (`k6_*`), whether k6 or the embedded generator produced them (job `faultline-load`).
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { board } from '../board.js';
import { row, timeSeries } from '../panels.js';

export function loadDashboard(): Dashboard {
  return board({
    uid: 'faultline-load',
    title: 'faultline / Load',
    description:
      'Request rate, failures, latency and dropped iterations of the load run (k6 names).',
    tags: ['load', 'k6'],
  })
    .withRow(row('Load generator (client side)'))
    .withPanel(
      timeSeries({
        title: 'Requests sent by scenario',
        description: 'k6_http_reqs_total: requests the generator completed.',
        unit: 'reqps',
        queries: [
          {
            expr: 'sum by (scenario) (rate(k6_http_reqs_total[$__rate_interval]))',
            legend: '{{scenario}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Failed request rate',
        description: 'k6_http_req_failed_rate: share of requests k6 counts as failed.',
        unit: 'percentunit',
        min: 0,
        queries: [{ expr: 'max by (scenario) (k6_http_req_failed_rate)', legend: '{{scenario}}' }],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Client-side latency p95 / p99',
        description: 'k6 trend stats of http_req_duration, as the client saw them.',
        unit: 's',
        min: 0,
        queries: [
          { expr: 'max by (scenario) (k6_http_req_duration_p95)', legend: '{{scenario}} p95' },
          { expr: 'max by (scenario) (k6_http_req_duration_p99)', legend: '{{scenario}} p99' },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Dropped iterations',
        description:
          'Scheduled requests the generator could not start in time (open model): the system, or the generator, is saturated.',
        queries: [
          {
            expr: 'sum by (scenario) (increase(k6_dropped_iterations_total[$__rate_interval]))',
            legend: '{{scenario}}',
          },
        ],
      }),
    )
    .build();
}
