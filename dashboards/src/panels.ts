/**
 * The few panel shapes the dashboards use, over the foundation SDK's builders: a PromQL
 * target, time series (latency ones with exemplars), stat, state timeline and table. One place
 * decides units, legends and sizes, so the dashboards read as lists of questions and queries.
 */
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as TimeSeries } from '@grafana/grafana-foundation-sdk/timeseries';
import { PanelBuilder as Stat } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as StateTimeline } from '@grafana/grafana-foundation-sdk/statetimeline';
import { PanelBuilder as Table } from '@grafana/grafana-foundation-sdk/table';
import { MappingType, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import type { ValueMapping } from '@grafana/grafana-foundation-sdk/dashboard';
import {
  LegendDisplayMode,
  LegendPlacement,
  SortOrder,
  StackingConfigBuilder,
  StackingMode,
  TooltipDisplayMode,
  VizLegendOptionsBuilder,
  VizTooltipOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import { prometheus } from './datasources.js';

/** One PromQL query of a panel: the expression and its legend (`{{label}}` templates). */
export interface Query {
  expr: string;
  legend?: string;
  /** Ask Prometheus for exemplars too (latency histograms: the trace_id of a slow request). */
  exemplar?: boolean;
  /** Evaluate once at the end of the range (stat and table panels). */
  instant?: boolean;
}

export interface PanelSpec {
  title: string;
  description: string;
  queries: Query[];
  unit?: string;
  /** Grid width (of 24) and height; defaults 12 × 8. */
  width?: number;
  height?: number;
}

const REF_IDS = 'ABCDEFGHIJ';

function target(q: Query, i: number): DataqueryBuilder {
  const t = new DataqueryBuilder()
    .datasource(prometheus)
    .refId(REF_IDS[i] ?? `Q${String(i)}`)
    .expr(q.expr)
    .legendFormat(q.legend ?? '__auto');
  if (q.exemplar) t.exemplar(true);
  return q.instant ? t.instant() : t.range();
}

/** A line chart. */
export function timeSeries(p: PanelSpec & { stacked?: boolean; min?: number }): TimeSeries {
  const panel = new TimeSeries()
    .title(p.title)
    .description(p.description)
    .datasource(prometheus)
    .targets(p.queries.map(target))
    .unit(p.unit ?? 'short')
    .span(p.width ?? 12)
    .height(p.height ?? 8)
    .fillOpacity(p.stacked ? 30 : 10)
    .legend(
      new VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(LegendDisplayMode.List)
        .placement(LegendPlacement.Bottom),
    )
    .tooltip(
      new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending),
    );
  if (p.min !== undefined) panel.min(p.min);
  if (p.stacked) panel.stacking(new StackingConfigBuilder().mode(StackingMode.Normal));
  return panel;
}

/** A latency chart in seconds whose queries carry exemplars (click one: its trace in Jaeger). */
export function latency(p: PanelSpec): TimeSeries {
  return timeSeries({
    ...p,
    unit: 's',
    min: 0,
    queries: p.queries.map((q) => ({ ...q, exemplar: true })),
  });
}

/** One big number per series (the last value). */
export function stat(p: PanelSpec & { mappings?: ValueMapping[] }): Stat {
  const panel = new Stat()
    .title(p.title)
    .description(p.description)
    .datasource(prometheus)
    .targets(p.queries.map((q, i) => target({ ...q, instant: q.instant ?? true }, i)))
    .unit(p.unit ?? 'short')
    .span(p.width ?? 6)
    .height(p.height ?? 6);
  if (p.mappings) panel.mappings(p.mappings);
  return panel;
}

/** Discrete states over time, one lane per series (leaders, breaker states, active faults). */
export function timeline(p: PanelSpec & { mappings?: ValueMapping[] }): StateTimeline {
  const panel = new StateTimeline()
    .title(p.title)
    .description(p.description)
    .datasource(prometheus)
    .targets(p.queries.map(target))
    .span(p.width ?? 12)
    .height(p.height ?? 8);
  if (p.mappings) panel.mappings(p.mappings);
  return panel;
}

/** The series of an instant query as rows (labels as columns). */
export function table(p: PanelSpec): Table {
  return new Table()
    .title(p.title)
    .description(p.description)
    .datasource(prometheus)
    .targets(p.queries.map((q, i) => target({ ...q, instant: true }, i)))
    .span(p.width ?? 24)
    .height(p.height ?? 8);
}

/** A value → text (and colour) mapping for gauges that encode states as numbers. */
export function valueNames(names: Record<number, [text: string, color: string]>): ValueMapping[] {
  const options = Object.fromEntries(
    Object.entries(names).map(([value, [text, color]], index) => [value, { text, color, index }]),
  );
  return [{ type: MappingType.ValueToText, options }];
}

/** A row header; panels added after it sit under it. */
export function row(title: string): RowBuilder {
  return new RowBuilder(title);
}
