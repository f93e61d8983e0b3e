#!/usr/bin/env bash
# Builds helm v3 (helm.sh/helm/v3/cmd/helm at one pinned tag) from the Go module proxy into the
# per-user cache and prints the binary's path (scripts/go-tool.sh; a no-op when it is there). The
# chart tests (chaos/test/chart-*.test.ts) run `helm lint` and `helm template` with it; `make up`
# uses it too.
set -euo pipefail
HELM_VERSION="${FAULTLINE_HELM_VERSION:-v3.22.0}"
# helm's go.mod has no replace directives, so plain `go install pkg@version` builds it.
exec "$(dirname "$0")/go-tool.sh" helm "$HELM_VERSION" helm.sh/helm/v3/cmd/helm \
  --ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
  --without 'the chart tests fail' \
  --manual 'https://helm.sh/docs/intro/install/'
