#!/usr/bin/env bash
# Copies the generated artifacts the chart carries into charts/faultline/, because helm's
# .Files and crds/ only see files inside the chart directory (a packaged chart has no symlinks,
# and `helm package` would drop the targets). The copies are committed;
# chaos/test/chart-files.test.ts fails when one differs from its source: run this script again.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
chart="$root/charts/faultline"

rm -rf "$chart/files/slo-rules" "$chart/files/dashboards" "$chart/files/grafana-provisioning" "$chart/crds"
mkdir -p "$chart/files/slo-rules" "$chart/files/dashboards" "$chart/files/grafana-provisioning" "$chart/crds"
cp "$root"/slos/generated/*.yaml "$chart/files/slo-rules/"
cp "$root"/dashboards/generated/*.json "$chart/files/dashboards/"
# Grafana provisioning: one ConfigMap for both kinds, so each file is prefixed with its kind.
for kind in datasources dashboards; do
  for f in "$root/dashboards/generated/provisioning/$kind"/*.yaml; do
    cp "$f" "$chart/files/grafana-provisioning/$kind-$(basename "$f")"
  done
done
cp "$root/chaos/schema/crd-experiment.yaml" "$chart/crds/experiment.yaml"
cp "$root/chaos/schema/controller-rbac.yaml" "$chart/files/controller-rbac.yaml"
