/**
 * Chaos: which faults are active where, the experiment runs and what their verification saw
 * (`faultline_experiment_*` from the engine, `faultline_fault_*` and link traffic from the
 * agents), next to the booking error ratio and latency they cause.
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { board } from '../board.js';
import { latency, row, timeSeries, timeline, valueNames } from '../panels.js';

const ACTIVE = valueNames({ 0: ['off', 'transparent'], 1: ['active', 'red'] });

export function chaosDashboard(): Dashboard {
  return board({
    uid: 'faultline-chaos',
    title: 'faultline / Chaos',
    description:
      'Active faults by experiment and target, experiment runs, verification results, and their effect.',
    tags: ['chaos'],
  })
    .withRow(row('Faults'))
    .withPanel(
      timeline({
        title: 'Active faults by experiment and target',
        description:
          'From each pod’s agent: the fault, the link it sits on (inbound, redis, etcd …) and the experiment that asked for it.',
        width: 24,
        queries: [
          {
            expr: 'max by (experiment, fault, pod, link) (faultline_fault_active)',
            legend: '{{experiment}} {{fault}} → {{pod}}/{{link}}',
          },
        ],
        mappings: ACTIVE,
      }),
    )
    .withPanel(
      timeline({
        title: 'Experiment runs',
        description: 'One lane per run (experiment id) while the engine ran it.',
        queries: [
          {
            expr: 'max by (experiment, name, fault) (faultline_experiment_running)',
            legend: '{{name}} ({{experiment}})',
          },
        ],
        mappings: valueNames({ 0: ['ended', 'transparent'], 1: ['running', 'orange'] }),
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Verification results per run',
        description:
          'After applying, the engine checks that the fault took effect: verified, not-verified or unverifiable, per target.',
        queries: [
          {
            expr: 'max by (experiment, fault, outcome) (faultline_experiment_verifications_total)',
            legend: '{{experiment}} {{fault}} {{outcome}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Faults applied / failed per run',
        description:
          'Running totals of each run’s engine (one series per run); failed is 0 for a run without a failed apply, renew or recover. Recovery shows in the agents’ panel below: the engine stops serving metrics right after it recovers.',
        queries: [
          {
            expr: 'max by (experiment, fault) (faultline_experiment_faults_applied_total)',
            legend: '{{experiment}} applied',
          },
          {
            // Failure series appear on the first failure; a run without any reads 0.
            expr: 'sum by (experiment, fault) (faultline_experiment_faults_failed_total) or 0 * max by (experiment, fault) (faultline_experiment_faults_applied_total)',
            legend: '{{experiment}} failed',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Faults ended in the agents, by reason',
        description:
          'removed (by the engine), expired (TTL ran out: nobody renewed it), replaced. Running totals per agent.',
        queries: [
          {
            expr: 'sum by (pod, fault, reason) (faultline_fault_removed_total)',
            legend: '{{pod}} {{fault}} {{reason}}',
          },
        ],
        width: 24,
      }),
    )
    .withRow(row('Links through the agents'))
    .withPanel(
      timeSeries({
        title: 'Link traffic',
        description:
          'Bytes per second through each agent link (upstream: from the app; downstream: back).',
        unit: 'Bps',
        queries: [
          {
            expr: 'sum by (pod, link, direction) (rate(faultline_agent_link_bytes_total[$__rate_interval]))',
            legend: '{{pod}} {{link}} {{direction}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Open connections per link',
        description: 'A hard partition keeps them open and silent; a kill drops them.',
        queries: [
          {
            expr: 'sum by (pod, link) (faultline_agent_link_connections_active)',
            legend: '{{pod}} {{link}}',
          },
        ],
      }),
    )
    .withRow(row('Effect on the services'))
    .withPanel(
      latency({
        title: 'Booking latency p95 per replica',
        description:
          'The replica under a latency fault stands out; exemplars open its slow traces.',
        queries: [
          {
            expr: 'histogram_quantile(0.95, sum by (pod, le) (rate(http_server_request_duration_seconds_bucket{job="booking"}[$__rate_interval])))',
            legend: '{{pod}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Error ratio (5xx) per service',
        description: 'What the faults cost the callers.',
        unit: 'percentunit',
        min: 0,
        queries: [
          {
            expr: '(sum by (job) (rate(http_server_request_duration_seconds_count{http_response_status_code=~"5.."}[$__rate_interval])) or 0 * sum by (job) (rate(http_server_request_duration_seconds_count[$__rate_interval]))) / sum by (job) (rate(http_server_request_duration_seconds_count[$__rate_interval]))',
            legend: '{{job}}',
          },
        ],
      }),
    )
    .build();
}
