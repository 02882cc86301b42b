#!/usr/bin/env bash
# Builds the real gator -- Gatekeeper's CLI, github.com/open-policy-agent/gatekeeper/v3/cmd/gator -- from its Go
# module (through the Go module proxy, never a release download) and caches it, as src/test/cluster/build.sh does
# for the control plane. The differential test GatorDifferentialTest runs it beside `portcullis test`.
#
#   tools/gator/build.sh            build when missing; the last line on stdout is the gator binary
#   tools/gator/build.sh --force    rebuild even when the cache looks fresh
#
# Cache: ${PORTCULLIS_GATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portcullis/gator-bin}/<gatekeeper-version>/gator,
# with a stamp of the inputs (go.mod, go.sum, build flags): when it matches, nothing runs and no Go toolchain is
# needed. Progress and timings go to stderr. A failing step names itself and exits 1.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
force=false
case "${1:-}" in
  --force) force=true ;;
  "") ;;
  *) echo "usage: $0 [--force]" >&2; exit 2 ;;
esac

fail() { echo "gator/build.sh: FAILED: $*" >&2; exit 1; }
log() { echo "gator/build.sh: $*" >&2; }

version=$(awk '$1 == "github.com/open-policy-agent/gatekeeper/v3" && $2 ~ /^v/ { print $2; exit }' "$here/go.mod")
[[ -n "$version" ]] || fail "no 'github.com/open-policy-agent/gatekeeper/v3 vX.Y.Z' requirement in $here/go.mod"
# gator --version reports the release it was built from, as Gatekeeper's Makefile sets it.
ldflags="-s -w -X github.com/open-policy-agent/gatekeeper/v3/pkg/version.Version=$version"

root=${PORTCULLIS_GATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portcullis/gator-bin}
out="$root/$version"
stamp=$(cat "$here/go.mod" "$here/go.sum" <(echo "CGO_ENABLED=0 -trimpath $ldflags") | sha256sum | cut -d' ' -f1)

fresh() { [[ -f "$out/.stamp" && "$(cat "$out/.stamp")" == "$stamp" && -x "$out/gator" ]]; }

if ! $force && fresh; then
  log "cached gator $version in $out"
  echo "$out/gator"
  exit 0
fi

mkdir -p "$out" || fail "cannot create the cache directory $out"
# Two runs starting at once must not build into the same file.
exec 9>"$out/.lock"
flock 9 || fail "cannot lock $out/.lock"
if ! $force && fresh; then
  log "cached gator $version in $out (built by another run meanwhile)"
  echo "$out/gator"
  exit 0
fi
rm -f "$out/.stamp"

command -v go >/dev/null 2>&1 || fail "the Go toolchain ('go', >= 1.26) is needed to build gator; none on PATH"
log "gator $version into $out with $(go version | awk '{print $3}'); GOPROXY=$(go env GOPROXY)"

start=$SECONDS
export CGO_ENABLED=0
# CPU time as well as wall time: on a machine shared with other work, CPU time is what predicts CI's.
TIMEFORMAT="gator/build.sh: build gator: %0R s (CPU: %0U s user, %0S s system)"
time (cd "$here" && go build -trimpath -ldflags="$ldflags" -o "$out/gator.tmp" \
  github.com/open-policy-agent/gatekeeper/v3/cmd/gator >&2) \
  || fail "build gator (after $((SECONDS - start)) s): see the Go output above"
mv -f "$out/gator.tmp" "$out/gator"
# The binary must at least run on this machine before the cache is declared good.
"$out/gator" --version >&2 || fail "the built gator does not run"
echo "$stamp" > "$out/.stamp"
log "done in $((SECONDS - start)) s; $(du -sh "$out/gator" | cut -f1)"
echo "$out/gator"
