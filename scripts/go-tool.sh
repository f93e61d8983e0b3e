#!/usr/bin/env bash
# Builds one Go tool at a pinned version from the Go module proxy into the per-user cache
# ($FAULTLINE_CACHE, default ~/.cache/faultline/<binary>-<version>/bin/<binary>) and prints the
# binary's path. A no-op when it is there. scripts/{helm,kind,jaeger}-binary.sh call it.
#
#   go-tool.sh BINARY VERSION PACKAGE [--ldflags FLAGS] [--replaces-of MODULE]
#              [--without WHAT-FAILS] [--manual URL]
#
# --replaces-of MODULE: MODULE's go.mod has `replace` directives, which `go install pkg@version`
#   refuses; build PACKAGE in a throwaway module that requires MODULE and copies those replaces.
# --without / --manual: what fails without the tool, and where to get it by hand (for messages).
set -euo pipefail

usage() {
  echo "usage: go-tool.sh BINARY VERSION PACKAGE [--ldflags FLAGS] [--replaces-of MODULE] [--without TEXT] [--manual URL]" >&2
  exit 2
}
[ $# -ge 3 ] || usage
name="$1" version="$2" package="$3"
shift 3
ldflags="" replaces_of="" without="" manual=""
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || usage
  case "$1" in
    --ldflags) ldflags="$2" ;;
    --replaces-of) replaces_of="$2" ;;
    --without) without="$2" ;;
    --manual) manual="$2" ;;
    *) usage ;;
  esac
  shift 2
done

me="$name-binary"
cache="${FAULTLINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/faultline}"
dest="$cache/$name-$version"
bin="$dest/bin/$name"

if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi

go_bin="$(command -v go || true)"
[ -z "$go_bin" ] && [ -x /usr/local/go/bin/go ] && go_bin=/usr/local/go/bin/go
if [ -z "$go_bin" ]; then
  echo "$me: Go is not installed, so $name $version cannot be built${without:+ ($without)}." >&2
  echo "$me: install Go >= 1.24 from https://go.dev/dl/ (or your distribution's golang package), then rerun scripts/$me.sh" >&2
  [ -z "$manual" ] || echo "$me: or install $name $version yourself ($manual) and copy it to $bin" >&2
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

echo "$me: building $name $version from the Go module proxy into $dest (the first build takes minutes)" >&2
log="$dest/build.log"
partial="$dest/bin.partial"
link_flags=()
[ -z "$ldflags" ] || link_flags=("-ldflags=$ldflags")

install_plain() {
  GOBIN="$partial" CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-trimpath" \
    "$go_bin" install "${link_flags[@]}" "$package@$version"
}

build_with_replaces() {
  local upstream_mod
  # Not local: the EXIT trap of this (sub)shell runs after the function has returned.
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  cd "$work"
  "$go_bin" mod init "faultline.local/$name-build"
  "$go_bin" mod edit -require="$replaces_of@$version"
  upstream_mod="$("$go_bin" mod download -json "$replaces_of@$version" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
  # Copy upstream's replace directives (single-line form: `replace a => b v`) into the wrapper.
  grep -E '^replace ' "$upstream_mod" | while read -r _ from _arrow to to_version; do
    "$go_bin" mod edit -replace="$from=$to${to_version:+@$to_version}"
  done
  export CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false"
  "$go_bin" get "$package@$version"
  mkdir -p "$partial"
  "$go_bin" build -trimpath "${link_flags[@]}" -o "$partial/$name" "$package"
}

rm -rf "$partial"
if [ -n "$replaces_of" ]; then build=build_with_replaces; else build=install_plain; fi
if ! ($build) >"$log" 2>&1; then
  echo "$me: the build failed; last lines of $log:" >&2
  tail -n 20 "$log" >&2
  exit 1
fi
# Moved into place only when built: a half-finished build never looks like a cache hit.
mv "$partial/$name" "$bin"
rmdir "$partial"
echo "$me: built $bin" >&2
echo "$bin"
