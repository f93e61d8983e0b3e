#!/usr/bin/env bash
# Builds helm v3 (helm.sh/helm/v3/cmd/helm at one pinned tag) from the Go module proxy into the
# per-user cache and prints the binary's path. A no-op when it is there. The chart tests
# (chaos/test/chart-*.test.ts) run `helm lint` and `helm template` with it; `make up` uses it too.
set -euo pipefail

HELM_VERSION="${FAULTLINE_HELM_VERSION:-v3.22.0}"
cache="${FAULTLINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/faultline}"
dest="$cache/helm-$HELM_VERSION"
bin="$dest/bin/helm"

if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi

go_bin="$(command -v go || true)"
[ -z "$go_bin" ] && [ -x /usr/local/go/bin/go ] && go_bin=/usr/local/go/bin/go
if [ -z "$go_bin" ]; then
  echo "helm-binary: Go is not installed, so helm $HELM_VERSION cannot be built (the chart tests fail)." >&2
  echo "helm-binary: install Go >= 1.24 from https://go.dev/dl/ (or your distribution's golang package), then rerun $0" >&2
  echo "helm-binary: or install helm $HELM_VERSION yourself (https://helm.sh/docs/intro/install/) and copy it to $bin" >&2
  exit 1
fi

# One build at a time (test files may start together); whoever waited finds the binary.
mkdir -p "$dest/bin"
exec 9>"$dest/.lock"
flock 9
if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi

echo "helm-binary: building helm $HELM_VERSION from the Go module proxy into $dest (the first build takes minutes)" >&2
log="$dest/build.log"
# helm's go.mod has no replace directives, so plain `go install pkg@version` builds it.
if ! GOBIN="$dest/bin.partial" CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-trimpath" \
  "$go_bin" install -ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
  "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >"$log" 2>&1; then
  echo "helm-binary: the build failed; last lines of $log:" >&2
  tail -n 20 "$log" >&2
  exit 1
fi
# Moved into place only when built: a half-finished build never looks like a cache hit.
mv "$dest/bin.partial/helm" "$bin"
rmdir "$dest/bin.partial"
echo "helm-binary: built $bin" >&2
echo "$bin"
