#!/bin/bash
# The reader thread (read_ahead.c) under ThreadSanitizer: whole runs on
# the golden trace, the upstream VMX capture (many windows), a pipe and a
# truncated file (the thread ends on an error) must be race-free and print
# exactly what the regular build prints.
. "$(dirname "$0")/lib/common.sh"
TS=$BUILD/tsan/xenalyze-ext
[ -x "$TS" ] || { echo "no $TS (not built under SANITIZE=...)"; exit 77; }
export TSAN_OPTIONS="halt_on_error=1 exitcode=66"

"$GEN" golden "$TMP/g.trace" > /dev/null || exit 1
"$GEN" vmx "$TMP/v.trace" 20000 > /dev/null || exit 1
size=$(stat -c %s "$TMP/g.trace")
head -c $((size - 3)) "$TMP/g.trace" > "$TMP/t.trace"

same() {   # NAME STDIN ARGS...
    local name=$1 input=$2; shift 2
    $TS "$@" < "$input" > "$TMP/ts.out" 2> "$TMP/ts.err"; local rc1=$?
    "$XA" "$@" < "$input" > "$TMP/xa.out" 2> "$TMP/xa.err"; local rc2=$?
    if [ "$rc1" -eq 66 ] || grep -q "ThreadSanitizer" "$TMP/ts.err"; then
        fail "$name: ThreadSanitizer report"; sed -n 1,30p "$TMP/ts.err"; return
    fi
    expect "$name: exit status" "$rc1" "$rc2"
    cmp -s "$TMP/ts.out" "$TMP/xa.out" && ok "$name: same output" || fail "$name: output differs"
}
same golden /dev/null --csv --recommend "$TMP/g.trace"
same vmx /dev/null --csv --cpu-hz 2G "$TMP/v.trace"
same dump /dev/null --dump "$TMP/v.trace"
same pipe "$TMP/v.trace" --json -
same truncated /dev/null --csv "$TMP/t.trace"
same interval /dev/null --csv --interval 0.0000005 "$TMP/g.trace"
# both threads on one CPU: more threads than cores, so that the hand-over
# of batches is interleaved by the scheduler rather than by two cores
if command -v taskset > /dev/null; then
    TS="taskset -c 0 $TS" same pinned /dev/null --json "$TMP/v.trace"
fi

finish
