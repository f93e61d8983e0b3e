/**
 * Every PromQL query a dashboard runs, with where it sits (panel title, refId, or the
 * annotation's name), and the label variables it depends on: what the no-empty-panel test
 * evaluates.
 */
import { VariableType } from '@grafana/grafana-foundation-sdk/dashboard';
import type { Dashboard, Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';

export interface PanelQuery {
  dashboard: string;
  /** Panel title, or `annotation: <name>`. */
  panel: string;
  refId: string;
  expr: string;
  /** The panel asks Prometheus for exemplars with this query. */
  exemplar: boolean;
}

export interface LabelVariable {
  name: string;
  metric: string;
  label: string;
}

const isRow = (p: Panel | RowPanel): p is RowPanel => p.type === 'row';

function panelsOf(d: Dashboard): Panel[] {
  const flat: Panel[] = [];
  for (const p of d.panels ?? []) {
    if (isRow(p)) flat.push(...p.panels);
    else flat.push(p);
  }
  return flat;
}

export function panelQueries(d: Dashboard): PanelQuery[] {
  const out: PanelQuery[] = [];
  for (const p of panelsOf(d)) {
    for (const t of p.targets ?? []) {
      const { expr, refId, exemplar } = t as { expr?: string; refId?: string; exemplar?: boolean };
      if (expr)
        out.push({
          dashboard: d.title ?? d.uid ?? '(untitled)',
          panel: p.title ?? '(untitled)',
          refId: refId ?? '',
          expr,
          exemplar: exemplar === true,
        });
    }
  }
  for (const a of d.annotations.list ?? []) {
    const expr = (a as { expr?: string }).expr;
    if (expr)
      out.push({
        dashboard: d.title ?? '',
        panel: `annotation: ${a.name}`,
        refId: '',
        expr,
        exemplar: false,
      });
  }
  return out;
}

export function labelVariables(d: Dashboard): LabelVariable[] {
  const out: LabelVariable[] = [];
  for (const v of d.templating.list ?? []) {
    if (v.type !== VariableType.Query) continue;
    const def = (v as { definition?: string }).definition ?? '';
    const m = /^label_values\(\s*([^,\s]+)\s*,\s*(\w+)\s*\)$/.exec(def);
    if (!m)
      throw new Error(
        `${d.title ?? ''}: variable ${v.name} is not label_values(metric, label): ${def}`,
      );
    out.push({ name: v.name, metric: m[1]!, label: m[2]! });
  }
  return out;
}
