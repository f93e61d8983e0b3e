/**
 * What every faultline dashboard shares: time range, refresh, a shared crosshair, the chaos
 * annotations (from `faultline_experiment_running`, and the engine's own Grafana annotations
 * when it was given a Grafana URL), and label variables resolved from Prometheus.
 */
import {
  AnnotationQueryBuilder,
  AnnotationTargetBuilder,
  type AnnotationTarget,
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  QueryVariableBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import type { Builder, Dataquery } from '@grafana/grafana-foundation-sdk/cog';
import { prometheus } from './datasources.js';

export interface BoardSpec {
  uid: string;
  title: string;
  description: string;
  tags?: string[];
}

/** Grafana's own annotation store, where the chaos engine posts start/end of each run. */
const grafanaStore = { type: 'grafana', uid: '-- Grafana --' };

/**
 * Grafana's tag filter for its own annotations. The SDK types an annotation's target as a
 * datasource query; this one is the built-in store's, so it is adapted here (the marker method
 * is not serialised).
 */
function tagsTarget(tags: string[]): Builder<Dataquery> {
  const built: AnnotationTarget = new AnnotationTargetBuilder()
    .type('tags')
    .tags(tags)
    .matchAny(false)
    .limit(100)
    .build();
  return { build: () => ({ ...built, _implementsDataqueryVariant: () => {} }) };
}

export function board(spec: BoardSpec): DashboardBuilder {
  return (
    new DashboardBuilder(spec.title)
      .uid(spec.uid)
      .description(spec.description)
      .tags(['faultline', ...(spec.tags ?? [])])
      .editable()
      .time({ from: 'now-30m', to: 'now' })
      .refresh('10s')
      .timezone('browser')
      .tooltip(DashboardCursorSync.Crosshair)
      // Every faultline dashboard one click away, keeping the time range (a game day's window).
      .link(
        new DashboardLinkBuilder('faultline')
          .type(DashboardLinkType.Dashboards)
          .tags(['faultline'])
          .asDropdown(true)
          .keepTime(true)
          .includeVars(false),
      )
      .annotation(
        new AnnotationQueryBuilder()
          .name('Chaos experiments')
          .datasource(prometheus)
          .enable(true)
          .iconColor('red')
          .expr('max by (experiment, name, fault) (faultline_experiment_running) > 0')
          .step('10s')
          .titleFormat('chaos {{name}}')
          .textFormat('{{fault}} (experiment {{experiment}})')
          .tagKeys('fault,experiment'),
      )
      .annotation(
        new AnnotationQueryBuilder()
          .name('Chaos engine notes')
          .datasource(grafanaStore)
          .enable(true)
          .iconColor('orange')
          .type('tags')
          .target(tagsTarget(['faultline', 'chaos'])),
      )
  );
}

/**
 * A multi-value variable over a label's values on one metric (`label_values(metric, label)`),
 * "All" by default so a fresh dashboard shows everything.
 */
export function labelVariable(
  name: string,
  label: string,
  metric: string,
  title = name,
): QueryVariableBuilder {
  const query = `label_values(${metric}, ${label})`;
  return new QueryVariableBuilder(name)
    .label(title)
    .datasource(prometheus)
    .query({ query, refId: 'PrometheusVariableQueryEditor-VariableQuery', qryType: 1 })
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.+')
    .current({ text: 'All', value: '$__all' });
}
