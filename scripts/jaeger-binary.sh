#!/usr/bin/env bash
# Builds Jaeger v2 (the `cmd/jaeger` of github.com/jaegertracing/jaeger at its v1.x tag) from the Go
# module proxy into the per-user cache and prints the binary's path. A no-op when it is there.
#
# Why a wrapper module: Jaeger's go.mod has `replace` directives, which `go install pkg@version`
# refuses. A throwaway module that requires Jaeger and copies those replaces builds the same code.
# The module carries no web UI assets (they are built from a separate repo), so this binary serves
# the query API only; the chart uses the official image, which has the UI.
set -euo pipefail

JAEGER_VERSION="${FAULTLINE_JAEGER_VERSION:-v1.76.0}"
cache="${FAULTLINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/faultline}"
dest="$cache/jaeger-$JAEGER_VERSION"
bin="$dest/bin/jaeger"

if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi

go_bin="$(command -v go || true)"
[ -z "$go_bin" ] && [ -x /usr/local/go/bin/go ] && go_bin=/usr/local/go/bin/go
if [ -z "$go_bin" ]; then
  echo "jaeger-binary: Go is not installed, so Jaeger $JAEGER_VERSION cannot be built (tracing stays off)." >&2
  echo "jaeger-binary: install Go >= 1.24 from https://go.dev/dl/ (or your distribution's golang package), then rerun $0" >&2
  exit 1
fi

echo "jaeger-binary: building Jaeger $JAEGER_VERSION from the Go module proxy into $dest (the first build takes minutes)" >&2
mkdir -p "$dest/bin"
log="$dest/build.log"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
build() {
  cd "$work"
  "$go_bin" mod init faultline.local/jaeger-build
  "$go_bin" mod edit -require="github.com/jaegertracing/jaeger@$JAEGER_VERSION"
  local upstream_mod
  upstream_mod="$("$go_bin" mod download -json "github.com/jaegertracing/jaeger@$JAEGER_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
  # Copy upstream's replace directives (single-line form: `replace a => b v`) into the wrapper.
  grep -E '^replace ' "$upstream_mod" | while read -r _ from _arrow to to_version; do
    "$go_bin" mod edit -replace="$from=$to${to_version:+@$to_version}"
  done
  export CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false"
  "$go_bin" get "github.com/jaegertracing/jaeger/cmd/jaeger@$JAEGER_VERSION"
  "$go_bin" build -trimpath -ldflags='-s -w' -o "$bin.partial" github.com/jaegertracing/jaeger/cmd/jaeger
}
if ! (build) >"$log" 2>&1; then
  echo "jaeger-binary: the build failed; last lines of $log:" >&2
  tail -n 20 "$log" >&2
  exit 1
fi
mv "$bin.partial" "$bin"
echo "jaeger-binary: built $bin" >&2
echo "$bin"
