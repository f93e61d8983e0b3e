/**
 * The two datasources every dashboard points at, by fixed uid: provisioning creates them with
 * these uids, so the generated JSON needs no datasource variable and works in the chart's
 * Grafana and a local one alike.
 */
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';

export const PROMETHEUS_UID = 'faultline-prometheus';
export const JAEGER_UID = 'faultline-jaeger';

export const prometheus: DataSourceRef = { type: 'prometheus', uid: PROMETHEUS_UID };
export const jaeger: DataSourceRef = { type: 'jaeger', uid: JAEGER_UID };
