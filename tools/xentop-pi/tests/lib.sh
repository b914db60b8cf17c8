# Shared by the xentop-pi test scripts: paths and a scratch directory.
BUILD=${BUILD:-build}
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
# BUILD is relative to the repository root unless absolute (make BUILD=/tmp/b).
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
XTP=$BUILD/bin/xentop-pi
HELP=$BUILD/tests/xentop-pi
EXP=$ROOT/tools/xentop-pi/tests/expected
TMP=$(mktemp -d "${TMPDIR:-/tmp}/xtp-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# same NAME EXPECTED-FILE ACTUAL-FILE
same() {
    if ! diff -u "$2" "$3" >"$TMP/diff"; then
        cat "$TMP/diff" >&2
        fail "$1: output differs from $2"
    fi
    echo "ok: $1"
}
