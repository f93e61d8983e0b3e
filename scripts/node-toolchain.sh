#!/usr/bin/env bash
# Prints a directory holding a Node >= 24 `node` binary, to be put first on PATH.
# The machines we build on ship an older Node; the `node-linux-<arch>` package on the
# npm registry carries the official binary, so that is the only place we fetch it from.
set -euo pipefail

NODE_VERSION="${FAULTLINE_NODE_VERSION:-24.21.0}"
MIN_MAJOR=24
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/.toolchain/node-$NODE_VERSION"

current_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if command -v node >/dev/null 2>&1 && [ "$(current_major node)" -ge "$MIN_MAJOR" ]; then
  dirname "$(command -v node)"
  exit 0
fi

if [ ! -x "$dest/bin/node" ]; then
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "node-toolchain: unsupported architecture $(uname -m)" >&2; exit 1 ;;
  esac
  echo "node-toolchain: system node is older than $MIN_MAJOR; fetching node-linux-$arch@$NODE_VERSION from the npm registry" >&2
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-$arch@$NODE_VERSION" >/dev/null)
  mkdir -p "$dest"
  tar -xzf "$tmp"/node-linux-*.tgz -C "$dest" --strip-components=1 package/bin/node package/LICENSE
fi
echo "$dest/bin"
