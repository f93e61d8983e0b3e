#!/usr/bin/env bash
# Builds kind (sigs.k8s.io/kind at one pinned tag) from the Go module proxy into the per-user
# cache and prints the binary's path. A no-op when it is there. `make up` needs it (with Docker).
set -euo pipefail

KIND_VERSION="${FAULTLINE_KIND_VERSION:-v0.33.0}"
cache="${FAULTLINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/faultline}"
dest="$cache/kind-$KIND_VERSION"
bin="$dest/bin/kind"

if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi

go_bin="$(command -v go || true)"
[ -z "$go_bin" ] && [ -x /usr/local/go/bin/go ] && go_bin=/usr/local/go/bin/go
if [ -z "$go_bin" ]; then
  echo "kind-binary: Go is not installed, so kind $KIND_VERSION cannot be built." >&2
  echo "kind-binary: install Go >= 1.24 from https://go.dev/dl/, then rerun $0; or install kind $KIND_VERSION (https://kind.sigs.k8s.io/docs/user/quick-start/#installation) and copy it to $bin" >&2
  exit 1
fi

mkdir -p "$dest/bin"
exec 9>"$dest/.lock"
flock 9
if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi
echo "kind-binary: building kind $KIND_VERSION from the Go module proxy into $dest (the first build takes a minute or two)" >&2
log="$dest/build.log"
if ! GOBIN="$dest/bin.partial" CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-trimpath" \
  "$go_bin" install "sigs.k8s.io/kind@$KIND_VERSION" >"$log" 2>&1; then
  echo "kind-binary: the build failed; last lines of $log:" >&2
  tail -n 20 "$log" >&2
  exit 1
fi
mv "$dest/bin.partial/kind" "$bin"
rmdir "$dest/bin.partial"
echo "kind-binary: built $bin" >&2
echo "$bin"
