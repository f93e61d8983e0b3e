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

echo "kube-binaries: building kube-apiserver and kube-controller-manager $KUBE_VERSION into $BIN (the first build takes several minutes)" >&2

WORK="$DIR/src"
rm -rf "$WORK"
mkdir -p "$WORK" "$BIN"
cd "$WORK"
export GOFLAGS="${GOFLAGS:-} -mod=mod" GOTOOLCHAIN=local CGO_ENABLED=0

cat >go.mod <<EOF
module faultline.local/kube-binaries

go 1.24
EOF

# The staging modules are exactly those k8s.io/kubernetes's go.mod replaces with ./staging paths.
kube_mod="$("$GO" mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')"
[ -f "$kube_mod" ] || { echo "kube-binaries: could not download k8s.io/kubernetes@$KUBE_VERSION's go.mod" >&2; exit 1; }
staging="$(sed -n 's#^[[:space:]]*\(k8s.io/[^ ]*\) => ./staging/.*#\1#p' "$kube_mod")"
[ -n "$staging" ] || { echo "kube-binaries: no staging replaces found in $kube_mod" >&2; exit 1; }
for m in $staging; do
  echo "replace $m => $m $STAGING_VERSION" >>go.mod
done

"$GO" get "k8s.io/kubernetes@$KUBE_VERSION" >&2
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  minor="${KUBE_VERSION#v1.}"
  ldflags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=${minor%%.*} -X $pkg.gitTreeState=clean"
done
"$GO" build -trimpath -ldflags "$ldflags" -o "$BIN.tmp/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager >&2
mv "$BIN.tmp/kube-apiserver" "$BIN.tmp/kube-controller-manager" "$BIN/"
rmdir "$BIN.tmp"
rm -rf "$WORK"
echo "kube-binaries: built $KUBE_VERSION" >&2
echo "$BIN"
