import { grafanaFromEnv, type GrafanaTarget } from '../engine/grafana-annotations.js';

/** `{ grafana }` when `GRAFANA_URL` is set: the CLI reads Grafana's settings once and passes them down. */
export function grafanaOption(): { grafana?: GrafanaTarget } {
  const grafana = grafanaFromEnv(process.env);
  return grafana ? { grafana } : {};
}
