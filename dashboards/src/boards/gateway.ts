/**
 * Gateway: per backend request rate and results, latency, health, outlier ejections,
 * circuit breakers, retries and sticky sessions (`faultline_gateway_*`).
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { board, labelVariable } from '../board.js';
import { latency, row, timeSeries, timeline, valueNames } from '../panels.js';
import { BREAKER_STATES } from './booking.js';

const up = 'upstream=~"$upstream"';

export function gatewayDashboard(): Dashboard {
  return board({
    uid: 'faultline-gateway',
    title: 'faultline / Gateway',
    description: 'Per backend rate, latency, ejections, breaker state, retries and sticky hits.',
    tags: ['gateway'],
  })
    .withVariable(labelVariable('upstream', 'upstream', 'faultline_gateway_requests_total'))
    .withRow(row('Traffic per backend'))
    .withPanel(
      timeSeries({
        title: 'Attempts per backend by result',
        description: 'Every attempt the gateway sent (retries included), by status class or error.',
        unit: 'reqps',
        stacked: true,
        queries: [
          {
            expr: `sum by (upstream, backend, result) (rate(faultline_gateway_requests_total{${up}}[$__rate_interval]))`,
            legend: '{{upstream}} {{backend}} {{result}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Picker decisions per backend',
        description: 'Which backend the balancing algorithm chose (sticky hits bypass the picker).',
        unit: 'ops',
        queries: [
          {
            expr: `sum by (upstream, picker, backend) (rate(faultline_gateway_picker_decisions_total{${up}}[$__rate_interval]))`,
            legend: '{{upstream}} {{picker}} → {{backend}}',
          },
        ],
      }),
    )
    .withPanel(
      latency({
        title: 'Gateway latency p95 by status',
        description: 'End to end through the proxy, as the gateway served it.',
        queries: [
          {
            expr: 'histogram_quantile(0.95, sum by (http_response_status_code, le) (rate(http_server_request_duration_seconds_bucket{job="gateway"}[$__rate_interval])))',
            legend: '{{http_response_status_code}}',
          },
        ],
      }),
    )
    .withPanel(
      latency({
        title: 'Backend latency p95 per replica',
        description:
          'The same requests as each backend replica served them (the gateway keeps no per-backend histogram; the gap to the gateway p95 is the proxy hop).',
        queries: [
          {
            expr: 'histogram_quantile(0.95, sum by (job, pod, le) (rate(http_server_request_duration_seconds_bucket{job=~"booking|scheduler"}[$__rate_interval])))',
            legend: '{{pod}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'In flight per backend',
        description: 'Requests outstanding at each backend (least-request picks the smallest).',
        queries: [
          {
            expr: `sum by (upstream, backend) (faultline_gateway_backend_in_flight{${up}})`,
            legend: '{{upstream}} {{backend}}',
          },
        ],
        width: 24,
      }),
    )
    .withRow(row('Health, ejection, breakers'))
    .withPanel(
      timeline({
        title: 'Active health per backend',
        description: 'healthy / unhealthy from the active health checks.',
        queries: [
          {
            expr: `max by (upstream, backend) (faultline_gateway_backend_healthy{${up}})`,
            legend: '{{upstream}} {{backend}}',
          },
        ],
        mappings: valueNames({ 0: ['unhealthy', 'red'], 1: ['healthy', 'green'] }),
      }),
    )
    .withPanel(
      timeline({
        title: 'Eligible for new requests',
        description:
          'A backend is ineligible while ejected, unhealthy, draining or its breaker is open.',
        queries: [
          {
            expr: `max by (upstream, backend) (faultline_gateway_backend_eligible{${up}})`,
            legend: '{{upstream}} {{backend}}',
          },
        ],
        mappings: valueNames({ 0: ['out', 'red'], 1: ['in', 'green'] }),
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Outlier ejections',
        description: 'Passive health: backends ejected for consecutive failures.',
        queries: [
          {
            expr: `sum by (upstream, backend) (increase(faultline_gateway_ejections_total{${up}}[$__rate_interval]))`,
            legend: '{{upstream}} {{backend}}',
          },
          {
            expr: `sum(faultline_gateway_backend_ejected{${up}})`,
            legend: 'ejected now',
          },
        ],
      }),
    )
    .withPanel(
      timeline({
        title: 'Circuit breaker per backend',
        description: 'closed / open / half-open.',
        queries: [
          {
            expr: `max by (upstream, backend) (faultline_gateway_breaker_state{${up}})`,
            legend: '{{upstream}} {{backend}}',
          },
        ],
        mappings: BREAKER_STATES,
      }),
    )
    .withRow(row('Retries and sticky sessions'))
    .withPanel(
      timeSeries({
        title: 'Retries',
        description:
          'Retries sent to another backend (idempotent requests only), and retries the budget refused.',
        unit: 'ops',
        queries: [
          {
            expr: `sum by (upstream) (rate(faultline_gateway_retries_total{${up}}[$__rate_interval]))`,
            legend: '{{upstream}} retried',
          },
          {
            expr: `sum by (upstream) (rate(faultline_gateway_retry_budget_exhausted_total{${up}}[$__rate_interval]))`,
            legend: '{{upstream}} budget exhausted',
          },
        ],
        width: 8,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Sticky sessions by outcome',
        description: 'hit (cookie honoured), miss (no cookie), restick (its backend was gone).',
        unit: 'ops',
        queries: [
          {
            expr: `sum by (upstream, outcome) (rate(faultline_gateway_sticky_total{${up}}[$__rate_interval]))`,
            legend: '{{upstream}} {{outcome}}',
          },
        ],
        width: 8,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Sticky hit ratio (requests with a cookie)',
        description: 'Of the requests that carried the affinity cookie, the share that stayed put.',
        unit: 'percentunit',
        min: 0,
        queries: [
          {
            expr: `sum by (upstream) (rate(faultline_gateway_sticky_total{${up},outcome="hit"}[$__rate_interval])) / sum by (upstream) (rate(faultline_gateway_sticky_total{${up},outcome=~"hit|restick"}[$__rate_interval]))`,
            legend: '{{upstream}}',
          },
        ],
        width: 8,
      }),
    )
    .build();
}
