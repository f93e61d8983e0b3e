/**
 * The no-empty-panel check: evaluate every query of every dashboard (template variables
 * replaced by the values Prometheus has for them) over a time window and report each query
 * that returns no finite sample, or selects a metric name no target exposes, or does not
 * parse. Each problem names dashboard, panel, refId and the query as run.
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { labelVariables, panelQueries, type PanelQuery } from './panel-queries.js';
import type { PrometheusApi } from './prometheus-api.js';
import { selectedMetrics } from './promql-selectors.js';
import { expandTemplate } from './template.js';

/** A panel excused from the check, and why (with the test that covers it instead). */
export interface AllowedPanel {
  dashboard: string;
  /** Panel title; omitted: the whole dashboard. */
  panel?: string;
  why: string;
}

export interface CheckOptions {
  prometheus: PrometheusApi;
  dashboards: readonly Dashboard[];
  /** Window to evaluate, epoch seconds. */
  start: number;
  end: number;
  /** Metric names the targets expose (samples or metadata). */
  exposed: ReadonlySet<string>;
  allowed?: readonly AllowedPanel[];
  rateInterval?: string;
}

export interface CheckReport {
  checked: number;
  problems: string[];
  /** Queries skipped through the allow-list, for the record. */
  excused: PanelQuery[];
  /** Allow-list entries that matched no query (stale entries are problems too). */
  unusedAllowances: AllowedPanel[];
}

const where = (q: PanelQuery) => `${q.dashboard} › ${q.panel}${q.refId ? ` [${q.refId}]` : ''}`;

function hasFiniteSample(series: { values: [number, string][] }[]): boolean {
  return series.some((s) => s.values.some(([, v]) => Number.isFinite(Number(v))));
}

/** Each label variable's values in the window, as Grafana's variable query would list them. */
export async function resolveVariables(
  prometheus: PrometheusApi,
  d: Dashboard,
  start: number,
  end: number,
): Promise<Record<string, string[]>> {
  const variables: Record<string, string[]> = {};
  for (const v of labelVariables(d))
    variables[v.name] = await prometheus.labelValues(v.label, v.metric, start, end);
  return variables;
}

export async function checkDashboards(o: CheckOptions): Promise<CheckReport> {
  const allowed = o.allowed ?? [];
  const used = new Set<AllowedPanel>();
  const report: CheckReport = { checked: 0, problems: [], excused: [], unusedAllowances: [] };
  const rangeSeconds = Math.max(1, Math.round(o.end - o.start));
  for (const d of o.dashboards) {
    const variables = await resolveVariables(o.prometheus, d, o.start, o.end);
    for (const q of panelQueries(d)) {
      const allowance = allowed.find(
        (a) => a.dashboard === d.uid && (a.panel === undefined || a.panel === q.panel),
      );
      if (allowance) {
        used.add(allowance);
        report.excused.push(q);
        continue;
      }
      report.checked++;
      let expr: string;
      try {
        expr = expandTemplate(q.expr, {
          variables,
          rateInterval: o.rateInterval ?? '30s',
          interval: '10s',
          range: `${String(rangeSeconds)}s`,
        });
      } catch (e) {
        report.problems.push(`${where(q)}: ${(e as Error).message}\n    query: ${q.expr}`);
        continue;
      }
      try {
        const { names, patterns } = selectedMetrics(expr);
        const missing = names.filter((n) => !o.exposed.has(n));
        const unmatched = patterns.filter((p) => {
          const re = new RegExp(`^(?:${p})$`);
          return ![...o.exposed].some((n) => re.test(n));
        });
        if (missing.length + unmatched.length > 0) {
          report.problems.push(
            `${where(q)}: no target exposes ${[...missing, ...unmatched.map((p) => `__name__=~"${p}"`)].join(', ')}\n    query: ${expr}`,
          );
          continue;
        }
        const series = await o.prometheus.queryRange(expr, o.start, o.end, 2);
        if (!hasFiniteSample(series))
          report.problems.push(`${where(q)}: no data in the window\n    query: ${expr}`);
      } catch (e) {
        report.problems.push(`${where(q)}: ${(e as Error).message}\n    query: ${expr}`);
      }
    }
  }
  report.unusedAllowances = allowed.filter((a) => !used.has(a));
  return report;
}
