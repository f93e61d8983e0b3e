/**
 * Overview: RED per service and route (rate, errors, duration from the OTel HTTP server
 * histogram) and USE per process (CPU, memory, event loop, in-flight requests).
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { board, labelVariable } from '../board.js';
import { latency, row, stat, timeSeries, valueNames } from '../panels.js';

const HTTP = 'http_server_request_duration_seconds';
const sel = 'job=~"$job"';
/** USE covers every process Prometheus scrapes, etcd and Prometheus itself included. */
const proc = 'job=~"$process"';
const rate = (extra = '') => `rate(${HTTP}_count{${sel}${extra}}[$__rate_interval])`;
const quantile = (q: number) =>
  `histogram_quantile(${String(q)}, sum by (job, http_route, le) (rate(${HTTP}_bucket{${sel}}[$__rate_interval])))`;

export function overviewDashboard(): Dashboard {
  return board({
    uid: 'faultline-overview',
    title: 'faultline / Overview',
    description: 'RED per service and route, USE per process.',
    tags: ['red', 'use'],
  })
    .withVariable(labelVariable('job', 'job', `${HTTP}_count`, 'service'))
    .withVariable(labelVariable('process', 'job', 'process_cpu_seconds_total', 'process (USE)'))
    .withRow(row('RED: rate, errors, duration per service and route'))
    .withPanel(
      timeSeries({
        title: 'Request rate by service and route',
        description: 'Requests per second as each server saw them (the gateway proxies on /).',
        unit: 'reqps',
        queries: [
          { expr: `sum by (job, http_route) (${rate()})`, legend: '{{job}} {{http_route}}' },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Server error ratio (5xx) by service and route',
        description:
          'Share of responses with a 5xx status; 0 where a route answered without errors.',
        unit: 'percentunit',
        min: 0,
        queries: [
          {
            // `or 0 * total` keeps error-free routes on the chart at 0 instead of dropping them.
            expr: `(sum by (job, http_route) (${rate(',http_response_status_code=~"5.."')}) or 0 * sum by (job, http_route) (${rate()})) / sum by (job, http_route) (${rate()})`,
            legend: '{{job}} {{http_route}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Responses by status code',
        description: 'Every status per service: 4xx are the callers, 5xx are us.',
        unit: 'reqps',
        stacked: true,
        queries: [
          {
            expr: `sum by (job, http_response_status_code) (${rate()})`,
            legend: '{{job}} {{http_response_status_code}}',
          },
        ],
      }),
    )
    .withPanel(
      latency({
        title: 'Latency p95 by service and route',
        description: 'p95 of the server duration histogram. Exemplars link to the trace.',
        queries: [{ expr: quantile(0.95), legend: '{{job}} {{http_route}} p95' }],
      }),
    )
    .withPanel(
      latency({
        title: 'Latency p50 / p99 by service',
        description: 'The median and the tail, per service over all routes.',
        queries: [
          {
            expr: `histogram_quantile(0.5, sum by (job, le) (rate(${HTTP}_bucket{${sel}}[$__rate_interval])))`,
            legend: '{{job}} p50',
          },
          {
            expr: `histogram_quantile(0.99, sum by (job, le) (rate(${HTTP}_bucket{${sel}}[$__rate_interval])))`,
            legend: '{{job}} p99',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Requests in flight by service',
        description: 'http_server_active_requests: concurrency (USE saturation of the server).',
        queries: [
          { expr: `sum by (job) (http_server_active_requests{${sel}})`, legend: '{{job}}' },
        ],
      }),
    )
    .withRow(row('USE: every process (job/pod; an agent shares its pod’s name)'))
    .withPanel(
      timeSeries({
        title: 'CPU per process',
        description: 'CPU seconds per second (1 = one core busy).',
        unit: 'percentunit',
        queries: [
          {
            expr: `sum by (job, pod) (rate(process_cpu_seconds_total{${proc}}[$__rate_interval]))`,
            legend: '{{job}}/{{pod}}',
          },
        ],
        width: 8,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Resident memory per process',
        description: 'RSS, the number the playground budget is measured in.',
        unit: 'bytes',
        queries: [
          {
            expr: `sum by (job, pod) (process_resident_memory_bytes{${proc}})`,
            legend: '{{job}}/{{pod}}',
          },
        ],
        width: 8,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Heap used per process',
        description: 'V8 heap in use.',
        unit: 'bytes',
        queries: [
          {
            expr: `sum by (job, pod) (nodejs_heap_size_used_bytes{${proc}})`,
            legend: '{{job}}/{{pod}}',
          },
        ],
        width: 8,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Event-loop utilization per process',
        description: 'Share of time the event loop was busy (utilization of the one thread).',
        unit: 'percentunit',
        min: 0,
        queries: [
          {
            expr: `max by (job, pod) (nodejs_eventloop_utilization_ratio{${proc}})`,
            legend: '{{job}}/{{pod}}',
          },
        ],
        width: 8,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Event-loop lag per process (max since scrape)',
        description: 'Largest stall between scrapes: a SIGSTOP (pod-pause) shows up here.',
        unit: 's',
        min: 0,
        queries: [
          {
            expr: `max by (job, pod) (nodejs_eventloop_lag_max_since_scrape_seconds{${proc}})`,
            legend: '{{job}}/{{pod}}',
          },
        ],
        width: 8,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Open file descriptors per process',
        description: 'Sockets and files held: a leak or a connection storm shows here.',
        queries: [
          { expr: `sum by (job, pod) (process_open_fds{${proc}})`, legend: '{{job}}/{{pod}}' },
        ],
        width: 8,
      }),
    )
    .withPanel(
      stat({
        title: 'Processes up',
        description:
          'Scrape health per pod (1 up, 0 down): a killed pod drops to 0 until it restarts.',
        width: 24,
        height: 4,
        queries: [{ expr: `up{${proc}}`, legend: '{{job}}/{{pod}}' }],
        mappings: valueNames({ 0: ['down', 'red'], 1: ['up', 'green'] }),
      }),
    )
    .build();
}
