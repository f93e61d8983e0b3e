#!/usr/bin/env bash
# Builds kube-apiserver and kube-controller-manager from one pinned Kubernetes release into a
# per-user cache outside the checkout, for the tests' real control plane (chaos/test/kube-harness.ts).
# No-op when both binaries are present. Prints the bin directory on stdout.
#
# Why a wrapper module: k8s.io/kubernetes's own go.mod replaces every k8s.io/* staging module with
# a ./staging/... path, which `go install pkg@version` refuses. The wrapper requires
# k8s.io/kubernetes and replaces each staging module with its published v0.<minor>.<patch> tag,
# the same code the release tree holds.
set -euo pipefail

KUBE_VERSION="${KUBE_VERSION:-v1.34.4}"
STAGING_VERSION="v0.${KUBE_VERSION#v1.}"
CACHE="${FAULTLINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/faultline}"
DIR="$CACHE/kubernetes-$KUBE_VERSION"
BIN="$DIR/bin"

if [ -x "$BIN/kube-apiserver" ] && [ -x "$BIN/kube-controller-manager" ]; then
  echo "$BIN"
  exit 0
fi

GO="$(command -v go || true)"
[ -z "$GO" ] && [ -x /usr/local/go/bin/go ] && GO=/usr/local/go/bin/go
if [ -z "$GO" ]; then
  cat >&2 <<EOF
kube-binaries: Go is required to build kube-apiserver and kube-controller-manager $KUBE_VERSION
for the kubernetes tests (they run a real control plane). Install Go >= 1.24 from
https://go.dev/doc/install (or 'apt-get install golang-go' if your distribution's is new enough)
and put 'go' on PATH, then run 'make test' again.
EOF
  exit 1
fi

# One build at a time (test files may start together); whoever waited finds the binaries.
mkdir -p "$DIR"
exec 9>"$DIR/.lock"
flock 9
if [ -x "$BIN/kube-apiserver" ] && [ -x "$BIN/kube-controller-manager" ]; then
  echo "$BIN"
  exit 0
fi

echo "kube-binaries: building kube-apiserver and kube-controller-manager $KUBE_VERSION into $BIN (the first build takes several minutes)" >&2

WORK="$DIR/src"
LOG="$DIR/build.log"
build() {
  rm -rf "$WORK"
  mkdir -p "$WORK" "$BIN"
  cd "$WORK"
  export GOFLAGS="${GOFLAGS:-} -mod=mod" GOTOOLCHAIN=local CGO_ENABLED=0
  printf 'module faultline.local/kube-binaries\n\ngo 1.24\n' >go.mod
  # The staging modules are exactly those k8s.io/kubernetes's go.mod replaces with ./staging paths.
  local kube_mod staging m
  kube_mod="$("$GO" mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')"
  [ -f "$kube_mod" ] || { echo "could not download k8s.io/kubernetes@$KUBE_VERSION's go.mod"; return 1; }
  staging="$(sed -n 's#^[[:space:]]*\(k8s.io/[^ ]*\) => ./staging/.*#\1#p' "$kube_mod")"
  [ -n "$staging" ] || { echo "no staging replaces found in $kube_mod"; return 1; }
  for m in $staging; do
    echo "replace $m => $m $STAGING_VERSION" >>go.mod
  done
  "$GO" get "k8s.io/kubernetes@$KUBE_VERSION"
  local minor="${KUBE_VERSION#v1.}" ldflags="-s -w" pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=${minor%%.*} -X $pkg.gitTreeState=clean"
  done
  rm -rf "$BIN.partial"
  "$GO" build -trimpath -ldflags "$ldflags" -o "$BIN.partial/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager
  # Moved into place only when both built: a half-finished build never looks like a cache hit.
  mv "$BIN.partial/kube-apiserver" "$BIN.partial/kube-controller-manager" "$BIN/"
  rmdir "$BIN.partial"
  rm -rf "$WORK"
}
if ! (build) >"$LOG" 2>&1; then
  echo "kube-binaries: the build failed; last lines of $LOG:" >&2
  tail -n 20 "$LOG" >&2
  exit 1
fi
echo "kube-binaries: built $KUBE_VERSION" >&2
echo "$BIN"
