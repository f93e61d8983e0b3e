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
        title: 'Responses by status',
        description: 'k6_http_reqs_total by status (0: no response: timeout or connection error).',
        unit: 'reqps',
        stacked: true,
        queries: [
          {
            expr: 'sum by (status) (rate(k6_http_reqs_total[$__rate_interval]))',
            legend: '{{status}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Failed request share',
        description:
          'k6_http_req_failed_rate: share failed so far (5xx or no response), per operation.',
        unit: 'percentunit',
        min: 0,
        queries: [
          {
            expr: 'max by (scenario, op) (k6_http_req_failed_rate)',
            legend: '{{scenario}} {{op}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Client-side latency p95 per operation',
        description:
          'k6_http_req_duration_seconds from the scheduled start to the end of the response (so queueing in the generator counts, as in an open model).',
        unit: 's',
        min: 0,
        queries: [
          {
            expr: 'histogram_quantile(0.95, sum by (scenario, op, le) (rate(k6_http_req_duration_seconds_bucket[$__rate_interval])))',
            legend: '{{scenario}} {{op}} p95',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Dropped iterations and busy VUs',
        description:
          'Requests not started because the in-flight bound was reached, and VUs busy against their maximum: the system, or the generator, is saturated.',
        queries: [
          {
            expr: 'sum by (scenario) (increase(k6_dropped_iterations_total[$__rate_interval]))',
            legend: '{{scenario}} dropped',
          },
          { expr: 'sum by (scenario) (k6_vus)', legend: '{{scenario}} VUs busy' },
          { expr: 'sum by (scenario) (k6_vus_max)', legend: '{{scenario}} VUs max' },
        ],
      }),
    )
    .build();
}
