#!/usr/bin/env bash
# Builds Jaeger v2 (the `cmd/jaeger` of github.com/jaegertracing/jaeger at its v1.x tag) from the
# Go module proxy into the per-user cache and prints the binary's path (scripts/go-tool.sh; a
# no-op when it is there).
#
# Jaeger's go.mod has `replace` directives, which `go install pkg@version` refuses, so it is
# built in a throwaway module that requires Jaeger and copies those replaces (--replaces-of).
# The module carries no web UI assets (they are built from a separate repo), so this binary serves
# the query API only; the chart uses the official image, which has the UI.
set -euo pipefail
JAEGER_VERSION="${FAULTLINE_JAEGER_VERSION:-v1.76.0}"
exec "$(dirname "$0")/go-tool.sh" jaeger "$JAEGER_VERSION" github.com/jaegertracing/jaeger/cmd/jaeger \
  --replaces-of github.com/jaegertracing/jaeger \
  --ldflags '-s -w' \
  --without 'tracing stays off'
