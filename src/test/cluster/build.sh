#!/usr/bin/env bash
# Builds the binaries of a real Kubernetes control plane for the end-to-end tests -- kube-apiserver, kubectl
# and etcd -- from their Go modules (through the Go module proxy, no other download), and caches them.
#
#   src/test/cluster/build.sh            build what is missing; the last line on stdout is the binary directory
#   src/test/cluster/build.sh --force    rebuild even when the cache looks fresh
#
# Cache: ${PORTCULLIS_CLUSTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portcullis/cluster-bin}/<k8s-version>/,
# with a stamp of the inputs (go.mod, go.sum, etcd/main.go, build flags): when it matches, nothing runs
# and no Go toolchain is needed. Progress and timings go to stderr. A failing step names itself and exits 1.
#
# Cost on a fresh machine (2 cores): see README.md beside this file.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
force=false
case "${1:-}" in
  --force) force=true ;;
  "") ;;
  *) echo "usage: $0 [--force]" >&2; exit 2 ;;
esac

fail() { echo "build.sh: FAILED: $*" >&2; exit 1; }
log() { echo "build.sh: $*" >&2; }

version=$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v/ { print $2; exit }' "$here/go.mod")
[[ -n "$version" ]] || fail "no 'k8s.io/kubernetes vX.Y.Z' requirement in $here/go.mod"
# kube-apiserver and kubectl report the release they were built from, as the official builds do
# (hack/lib/version.sh); without it they would say v0.0.0-master.
[[ "$version" =~ ^v([0-9]+)\.([0-9]+)\. ]] || fail "unexpected Kubernetes version '$version' in go.mod"
major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]}
version_flags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  version_flags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
  version_flags+=" -X $pkg.gitTreeState=clean"
done
ldflags="-s -w$version_flags"

root=${PORTCULLIS_CLUSTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portcullis/cluster-bin}
out="$root/$version"
binaries=(kube-apiserver kubectl etcd)

stamp=$(cat "$here/go.mod" "$here/go.sum" "$here/etcd/main.go" <(echo "CGO_ENABLED=0 -trimpath $ldflags") \
  | sha256sum | cut -d' ' -f1)

fresh() {
  [[ -f "$out/.stamp" && "$(cat "$out/.stamp")" == "$stamp" ]] || return 1
  for b in "${binaries[@]}"; do [[ -x "$out/$b" ]] || return 1; done
}

if ! $force && fresh; then
  log "cached Kubernetes $version binaries in $out"
  echo "$out"
  exit 0
fi

mkdir -p "$out" || fail "cannot create the cache directory $out"
# Two test runs starting at once must not build into the same files.
exec 9>"$out/.lock"
flock 9 || fail "cannot lock $out/.lock"
if ! $force && fresh; then
  log "cached Kubernetes $version binaries in $out (built by another run meanwhile)"
  echo "$out"
  exit 0
fi
rm -f "$out/.stamp"

command -v go >/dev/null 2>&1 \
  || fail "the Go toolchain ('go', >= 1.26) is needed to build kube-apiserver, kubectl and etcd; none on PATH"
log "Kubernetes $version into $out with $(go version | awk '{print $3}'); GOPROXY=$(go env GOPROXY)"

total_start=$SECONDS
step() {  # step NAME COMMAND...: runs the command in the module directory, timed; a failure names the step
  local name=$1; shift
  local start=$SECONDS status=0
  log "$name ..."
  # CPU time as well as wall time: on a machine shared with other work, CPU time is what predicts CI's.
  local TIMEFORMAT="build.sh: $name: %0R s (CPU: %0U s user, %0S s system)"
  time (cd "$here" && "$@" >&2) || status=$?
  if ((status != 0)); then
    fail "$name (after $((SECONDS - start)) s): see the Go output above. Command: $*"
  fi
}

# Only the modules whose packages the three commands import (a fraction of k8s.io/kubernetes's graph).
download_modules() {
  go list -deps k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl ./etcd >/dev/null
}
export CGO_ENABLED=0
step "module download" download_modules
step "build kube-apiserver" go build -trimpath -ldflags="$ldflags" -o "$out/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver
step "build kubectl" go build -trimpath -ldflags="$ldflags" -o "$out/kubectl.tmp" k8s.io/kubernetes/cmd/kubectl
step "build etcd" go build -trimpath -ldflags="-s -w" -o "$out/etcd.tmp" ./etcd

for b in "${binaries[@]}"; do
  mv -f "$out/$b.tmp" "$out/$b"
done
# Each binary must at least run on this machine before the cache is declared good.
"$out/kube-apiserver" --version >&2 || fail "the built kube-apiserver does not run"
"$out/kubectl" version --client >&2 || fail "the built kubectl does not run"
"$out/etcd" --version >&2 || fail "the built etcd does not run"
echo "$stamp" > "$out/.stamp"

log "done in $((SECONDS - total_start)) s; binaries: $(du -sh "$out" | cut -f1)"
echo "$out"
