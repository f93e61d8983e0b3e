/**
 * Sloth-compatible Prometheus rules for one SLO (same record names and `sloth_*` labels as
 * Sloth's output, so dashboards and tools made for Sloth read them):
 * - SLI recordings `slo:sli_error:ratio_rate<W>` for every window of both window sets, and
 *   `slo:sli_error:ratio_rate<period>` averaged from the 5m recording, as Sloth does;
 * - meta recordings `slo:objective:ratio`, `slo:error_budget:ratio`, `slo:time_period:days`,
 *   `slo:current_burn_rate:ratio` (5m), `slo:period_burn_rate:ratio`,
 *   `slo:period_error_budget_remaining:ratio`, `sloth_slo_info`;
 * - multiwindow multi-burn-rate alerts `SLOBurnRatePage` / `SLOBurnRateTicket` (standard
 *   windows) and `SLOBurnRatePageGameDay` / `SLOBurnRateTicketGameDay` (game-day windows).
 */
import { durationSeconds } from './duration.js';
import { promString, sliErrorRatioExpr } from './promql.js';
import { errorBudget, sloId, type Slo } from './slo.js';
import {
  allWindows,
  windowSetsFor,
  type BurnRateWindow,
  type Severity,
  type WindowSet,
} from './windows.js';

export interface RecordingRule {
  record: string;
  expr: string;
  labels: Record<string, string>;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface RuleGroup<R> {
  name: string;
  rules: R[];
}

/** The three groups of one SLO, in the order Sloth writes them. */
export interface SloRuleGroups {
  sli: RuleGroup<RecordingRule>;
  meta: RuleGroup<RecordingRule>;
  alerts: RuleGroup<AlertingRule & { windows: readonly BurnRateWindow[]; set: WindowSet }>;
}

/** Alert names, by window set and severity (fixed by the contract with game days and dashboards). */
export const ALERT_NAMES: Record<WindowSet['name'], Record<Severity, string>> = {
  standard: { page: 'SLOBurnRatePage', ticket: 'SLOBurnRateTicket' },
  gameday: { page: 'SLOBurnRatePageGameDay', ticket: 'SLOBurnRateTicketGameDay' },
};

/** The window the current burn rate is taken over (Sloth's choice). */
const CURRENT_WINDOW = '5m';

/** `sloth_id`, `sloth_service`, `sloth_slo` for `slo`. */
export function sloLabels(slo: Slo): Record<string, string> {
  return { sloth_id: sloId(slo), sloth_service: slo.service, sloth_slo: slo.name };
}

function selectorOf(labels: Record<string, string>): string {
  return `{${Object.entries(labels)
    .map(([k, v]) => `${k}=${promString(v)}`)
    .join(', ')}}`;
}

/** A number as PromQL and YAML write it, without float noise. */
function num(x: number): string {
  return String(Number(x.toPrecision(12)));
}

/** Every rule of `slo`. */
export function sloRuleGroups(slo: Slo): SloRuleGroups {
  const id = sloId(slo);
  const labels = sloLabels(slo);
  const sel = selectorOf(labels);
  const sets = windowSetsFor(slo.window);
  const budget = errorBudget(slo);

  const sliRules: RecordingRule[] = allWindows(sets).map((w) => ({
    record: `slo:sli_error:ratio_rate${w}`,
    expr: sliErrorRatioExpr(slo, w),
    labels: { ...labels, sloth_window: w },
  }));
  const current = `slo:sli_error:ratio_rate${CURRENT_WINDOW}${sel}`;
  sliRules.push({
    record: `slo:sli_error:ratio_rate${slo.window}`,
    expr: `sum_over_time(${current}[${slo.window}])\n/ ignoring (sloth_window)\ncount_over_time(${current}[${slo.window}])`,
    labels: { ...labels, sloth_window: slo.window },
  });

  const on = 'on (sloth_id, sloth_slo, sloth_service) group_left';
  const meta: RecordingRule[] = [
    { record: 'slo:objective:ratio', expr: `vector(${num(slo.objective)})`, labels },
    { record: 'slo:error_budget:ratio', expr: `vector(${num(budget)})`, labels },
    {
      record: 'slo:time_period:days',
      expr: `vector(${num(durationSeconds(slo.window) / 86_400)})`,
      labels,
    },
    {
      record: 'slo:current_burn_rate:ratio',
      expr: `${current}\n/ ${on}\nslo:error_budget:ratio${sel}`,
      labels,
    },
    {
      record: 'slo:period_burn_rate:ratio',
      expr: `slo:sli_error:ratio_rate${slo.window}${sel}\n/ ${on}\nslo:error_budget:ratio${sel}`,
      labels,
    },
    {
      record: 'slo:period_error_budget_remaining:ratio',
      expr: `1 - slo:period_burn_rate:ratio${sel}`,
      labels,
    },
    {
      record: 'sloth_slo_info',
      expr: 'vector(1)',
      labels: {
        ...labels,
        sloth_mode: 'faultline-generated',
        sloth_objective: num(slo.objective * 100),
      },
    },
  ];

  const alerts = sets.flatMap((set) =>
    (['page', 'ticket'] as const).map((severity) => {
      const windows = set.windows.filter((w) => w.severity === severity);
      const clause = (w: BurnRateWindow) => {
        const over = (window: string) =>
          `max(slo:sli_error:ratio_rate${window}${sel} > (${num(w.factor)} * ${num(budget)})) without (sloth_window)`;
        return `(\n  ${over(w.short)}\n  and\n  ${over(w.long)}\n)`;
      };
      const name = ALERT_NAMES[set.name][severity];
      return {
        alert: name,
        expr: windows.map(clause).join('\nor\n'),
        labels: { ...labels, severity, window_set: set.name, sloth_severity: severity },
        annotations: {
          title: `(${severity}) ${slo.service} ${slo.name} SLO error budget burn rate is too fast (${set.name} windows).`,
          summary: `{{$labels.sloth_service}} {{$labels.sloth_slo}}: burning error budget faster than ${windows.map((w) => `${num(w.factor)}× over ${w.long}/${w.short}`).join(' or ')}; objective ${num(slo.objective * 100)} % over ${slo.window}.`,
        },
        windows,
        set,
      };
    }),
  );

  return {
    sli: { name: `sloth-slo-sli-recordings-${id}`, rules: sliRules },
    meta: { name: `sloth-slo-meta-recordings-${id}`, rules: meta },
    alerts: { name: `sloth-slo-alerts-${id}`, rules: alerts },
  };
}
