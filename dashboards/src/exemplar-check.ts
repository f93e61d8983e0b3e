/**
 * Latency panels promise exemplars: every query a dashboard marks `exemplar: true` must have
 * Prometheus exemplars carrying a `trace_id` in the window (the link Grafana follows to the
 * trace in Jaeger). Only sampled requests carry one, so this needs tracing on.
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { resolveVariables } from './panel-check.js';
import { panelQueries } from './panel-queries.js';
import type { PrometheusApi } from './prometheus-api.js';
import { expandTemplate } from './template.js';

export interface ExemplarReport {
  checked: number;
  problems: string[];
  /** One trace id per query, to look up in Jaeger. */
  traceIds: string[];
}

export async function checkExemplars(o: {
  prometheus: PrometheusApi;
  dashboards: readonly Dashboard[];
  start: number;
  end: number;
}): Promise<ExemplarReport> {
  const report: ExemplarReport = { checked: 0, problems: [], traceIds: [] };
  for (const d of o.dashboards) {
    const variables = await resolveVariables(o.prometheus, d, o.start, o.end);
    for (const q of panelQueries(d)) {
      if (!q.exemplar) continue;
      report.checked++;
      const expr = expandTemplate(q.expr, {
        variables,
        rateInterval: '30s',
        interval: '10s',
        range: `${String(Math.round(o.end - o.start))}s`,
      });
      const series = await o.prometheus.exemplars(expr, o.start, o.end);
      const traceId = series.flatMap((s) => s.exemplars).find((e) => e.labels.trace_id)
        ?.labels.trace_id;
      if (traceId) report.traceIds.push(traceId);
      else
        report.problems.push(
          `${q.dashboard} › ${q.panel} [${q.refId}]: no exemplar with a trace_id\n    query: ${expr}`,
        );
    }
  }
  return report;
}
