#!/usr/bin/env bash
# Usage: debian-deps.sh BINARY:PACKAGE ...  Installs each PACKAGE whose BINARY is not on PATH.
set -euo pipefail
missing=()
for pair in "$@"; do
  bin="${pair%%:*}" pkg="${pair#*:}"
  command -v "$bin" >/dev/null 2>&1 || [ -x "/usr/sbin/$bin" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]} from Debian" >&2
sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
