#!/usr/bin/env bash
# Builds kind (sigs.k8s.io/kind at one pinned tag) from the Go module proxy into the per-user
# cache and prints the binary's path (scripts/go-tool.sh; a no-op when it is there). `make up`
# needs it (with Docker).
set -euo pipefail
KIND_VERSION="${FAULTLINE_KIND_VERSION:-v0.33.0}"
exec "$(dirname "$0")/go-tool.sh" kind "$KIND_VERSION" sigs.k8s.io/kind \
  --manual 'https://kind.sigs.k8s.io/docs/user/quick-start/#installation'
