/**
 * SLOs: the SLI, burn rate per window, error budget left and the burn-rate alerts, from the
 * recording rules and alerts that slos/ generates (Sloth-compatible names, see
 * slos/generated: `slo:sli_error:ratio_rate<W>` for every window of both window sets).
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { board, labelVariable } from '../board.js';
import { row, stat, table, timeSeries, timeline, valueNames } from '../panels.js';

const slo = 'sloth_id=~"$slo"';
/** Every window's error ratio, with the window as a label (`5m`, `1h`, … and the game-day ones). */
const errorRatios = `label_replace({__name__=~"slo:sli_error:ratio_rate.+",${slo}}, "window", "$1", "__name__", "slo:sli_error:ratio_rate(.+)")`;

/** The alerts slos/ generates (standard and game-day window sets). */
export const SLO_ALERTS =
  'SLOBurnRatePage|SLOBurnRateTicket|SLOBurnRatePageGameDay|SLOBurnRateTicketGameDay';

const ALERT_LABELS = 'alertname, sloth_service, sloth_slo, severity, window_set';

export function slosDashboard(): Dashboard {
  return board({
    uid: 'faultline-slos',
    title: 'faultline / SLOs',
    description: 'SLI, burn rates per window, error budget remaining, firing burn-rate alerts.',
    tags: ['slo'],
  })
    .withVariable(labelVariable('slo', 'sloth_id', 'slo:objective:ratio', 'SLO'))
    .withRow(row('Objectives and budget'))
    .withPanel(
      stat({
        title: 'Objective',
        description: 'Target share of good events over the SLO window.',
        unit: 'percentunit',
        queries: [
          { expr: `max by (sloth_id) (slo:objective:ratio{${slo}})`, legend: '{{sloth_id}}' },
        ],
      }),
    )
    .withPanel(
      stat({
        title: 'Error budget remaining (SLO window)',
        description:
          'Share of the period’s budget left (slo:period_error_budget_remaining:ratio over the SLO window, e.g. 30d).',
        unit: 'percentunit',
        queries: [
          {
            expr: `max by (sloth_id) (slo:period_error_budget_remaining:ratio{${slo}})`,
            legend: '{{sloth_id}}',
          },
        ],
      }),
    )
    .withPanel(
      stat({
        title: 'Error budget remaining (time range)',
        description:
          'Share of the budget (1 − objective) left after the selected time range (a game day): 1 − mean error ratio ÷ budget.',
        unit: 'percentunit',
        queries: [
          {
            expr: `1 - max by (sloth_id) (avg_over_time(slo:sli_error:ratio_rate5m{${slo}}[$__range])) / on (sloth_id) group_left () max by (sloth_id) (slo:error_budget:ratio{${slo}})`,
            legend: '{{sloth_id}}',
          },
        ],
      }),
    )
    .withPanel(
      stat({
        title: 'Current burn rate',
        description: 'How fast the budget burns now (1 = exactly on budget over the SLO window).',
        queries: [
          {
            expr: `max by (sloth_id) (slo:current_burn_rate:ratio{${slo}})`,
            legend: '{{sloth_id}}',
          },
        ],
        width: 6,
      }),
    )
    .withRow(row('SLI and burn rates'))
    .withPanel(
      timeSeries({
        title: 'SLI (good share, 5m)',
        description: 'Share of good events over the last 5 minutes.',
        unit: 'percentunit',
        queries: [
          {
            expr: `1 - max by (sloth_id) (slo:sli_error:ratio_rate5m{${slo}})`,
            legend: '{{sloth_id}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Burn rate per window',
        description:
          'Error ratio over each alert window ÷ error budget. An alert pages when a long and its short window both exceed the factor.',
        queries: [
          {
            expr: `max by (sloth_id, window) (${errorRatios}) / on (sloth_id) group_left () max by (sloth_id) (slo:error_budget:ratio{${slo}})`,
            legend: '{{sloth_id}} {{window}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Error ratio per window',
        description: 'The recorded SLI error ratio for every window of both window sets.',
        unit: 'percentunit',
        width: 24,
        queries: [
          { expr: `max by (sloth_id, window) (${errorRatios})`, legend: '{{sloth_id}} {{window}}' },
        ],
      }),
    )
    .withRow(row('Burn-rate alerts'))
    .withPanel(
      timeline({
        title: 'Burn-rate alerts over time',
        description: 'pending / firing per SLO, severity and window set.',
        width: 24,
        queries: [
          {
            // One lane per alert: 2 while firing, else 1 while pending.
            expr: `2 * max by (${ALERT_LABELS}) (ALERTS{alertname=~"${SLO_ALERTS}",alertstate="firing"}) or max by (${ALERT_LABELS}) (ALERTS{alertname=~"${SLO_ALERTS}",alertstate="pending"})`,
            legend: '{{sloth_service}}/{{sloth_slo}} {{severity}} ({{window_set}})',
          },
        ],
        mappings: valueNames({ 1: ['pending', 'orange'], 2: ['firing', 'red'] }),
      }),
    )
    .withPanel(
      table({
        title: 'Firing burn-rate alerts',
        description: 'Alerts firing now.',
        queries: [
          {
            expr: `ALERTS{alertname=~"${SLO_ALERTS}",alertstate="firing"}`,
            legend: '{{alertname}}',
          },
        ],
      }),
    )
    .build();
}
