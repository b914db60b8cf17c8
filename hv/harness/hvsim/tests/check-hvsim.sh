#!/bin/bash
# hvsim: options, the pi scenario end to end (both variants, JSON, trace,
# shared memory), Ctrl-C leaving a complete trace that upstream xenalyze
# and our reader read to the end.
set -u
B=${BUILD:-build}
H=$B/bin/hvsim
XA=$B/upstream/usr/bin/xenalyze
X=$B/bin/xenalyze-ext
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$H" --list | grep -q '^pi ' || fail "--list has no pi"
"$H" --scenario nope >"$T/o" 2>&1; [ $? -eq 2 ] || fail "unknown scenario: exit 2"
grep -q 'no scenario "nope"' "$T/o" || fail "unknown scenario: message"
"$H" --scenario pi --variant fast 2>"$T/e"; [ $? -eq 2 ] || fail "bad variant"
grep -q -- '--variant' "$T/e" || fail "bad variant: message"
"$H" --scenario pi --pcpus 0 2>/dev/null; [ $? -eq 2 ] || fail "--pcpus 0"
"$H" --scenario pi --pcpus 99999 2>/dev/null; [ $? -eq 2 ] || fail "--pcpus too big"
"$H" --scenario pi --seconds -1 2>/dev/null; [ $? -eq 2 ] || fail "--seconds -1"
"$H" --scenario pi --seconds x 2>/dev/null; [ $? -eq 2 ] || fail "--seconds x"
"$H" --scenario pi extra 2>/dev/null; [ $? -eq 2 ] || fail "stray argument"
# A run that cannot start: exit 1, the option or file named, and no
# figures on stdout (an empty result read like a run with nothing in it).
run_refused() {   # PATTERN ARGS...
    local pat=$1; shift
    "$H" --seconds 0.2 "$@" >"$T/o" 2>"$T/e"; local rc=$?
    [ $rc -eq 1 ] || fail "$*: exit $rc, want 1"
    grep -q -- "$pat" "$T/e" || fail "$*: message $(head -2 "$T/e")"
    [ ! -s "$T/o" ] || fail "$*: figures of a run that never started: $(cat "$T/o")"
}
run_refused 'ept: needs --pcpus 20' --scenario ept --pcpus 2 --variant optimized --json
run_refused 'ept: needs --pcpus 20' --scenario ept --pcpus 2
run_refused 'dpci: needs --pcpus 2' --scenario dpci --pcpus 1 --variant baseline
run_refused "$T/none/t: offset 0: cannot create" --scenario pi --pcpus 4 \
    --variant optimized --trace "$T/none/t"
run_refused "$T/none/t.baseline: offset 0: cannot create" --scenario pi \
    --pcpus 4 --trace "$T/none/t"

# Both variants, side by side: the optimized walks are bounded.
"$H" --scenario pi --pcpus 16 --seconds 0.5 >"$T/both" || fail "pi both variants"
cat "$T/both"
grep -q 'baseline.*optimized' "$T/both" || fail "no side-by-side table"
base=$(awk '$1 == "walk_max" {print $2}' "$T/both")
opt=$(awk '$1 == "walk_max" {print $3}' "$T/both")
[ "$base" = 4096 ] || fail "baseline walk_max $base, want 4096 (one list)"
# limit = 4096/16 + 16 = 272
[ -n "$opt" ] && [ "$opt" -le 272 ] || fail "optimized walk_max $opt > 272"

# JSON, one variant, with trace and shared memory.
"$H" --scenario pi --variant optimized --pcpus 8 --seconds 0.5 --json \
     --trace "$T/t" --shm "hvsim-check-$$" >"$T/j" || fail "pi json run"
grep -q '"variants": {"optimized": {.*"walk_max": ' "$T/j" || fail "json: $(cat "$T/j")"
[ -s "$T/t" ] || fail "no trace written"
[ -e "/dev/shm/xte-hvsim-check-$$" ] || fail "no shared memory file"
rm -f "/dev/shm/xte-hvsim-check-$$"
"$X" --summary "$T/t" >"$T/s" 2>&1 || fail "xenalyze-ext cannot read the trace"
grep -q 'records lost *0' "$T/s" || fail "records lost: $(grep lost "$T/s")"

# Ctrl-C: figures so far, and a complete trace.
"$H" --scenario pi --variant baseline --pcpus 8 --seconds 60 \
     --trace "$T/int" >"$T/io" 2>&1 &
pid=$!
sleep 1
kill -INT $pid
wait $pid || fail "interrupted run exit $?"
grep -q interrupted "$T/io" || fail "no (interrupted) mark"
"$X" --summary "$T/int" >/dev/null 2>&1 || fail "interrupted trace unreadable"
if [ -x "$XA" ]; then
    "$XA" "$T/int" >/dev/null 2>"$T/xa" || fail "upstream xenalyze: $(tail -2 "$T/xa")"
    "$XA" "$T/t" >/dev/null 2>"$T/xa" || fail "upstream xenalyze: $(tail -2 "$T/xa")"
else
    echo "upstream xenalyze not unpacked (make deps): not checked"
fi
# The threaded runner under ThreadSanitizer (not with SANITIZE=...).
if [ -z "${SANITIZE:-}" ] && [ -x "$B/tsan/hvsim" ]; then
    "$B/tsan/hvsim" --scenario pi --pcpus 12 --seconds 0.5 \
        --trace "$T/tsan" --shm "hvsim-tsan-$$" >"$T/ts" 2>&1 ||
        fail "hvsim under TSan: $(grep -m3 -A3 'WARNING\|FAIL' "$T/ts")"
    rm -f "/dev/shm/xte-hvsim-tsan-$$"
fi
echo ok
