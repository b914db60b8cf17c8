#!/bin/bash
# hvsim --scenario dpci end to end: both variants side by side, the
# baseline takes the global tasklet lock 3 times per interrupt and the fix
# never; a trace of the optimized run names the DPCI_* events.
set -u
B=${BUILD:-build}
H=$B/bin/hvsim
X=$B/bin/xenalyze-ext
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$H" --list | grep -q '^dpci ' || fail "--list has no dpci"
"$H" --scenario dpci --pcpus 4 --seconds 0.4 >"$T/both" || fail "dpci run"
cat "$T/both"
base=$(awk '$1 == "lock_acq_per_irq" {print $2}' "$T/both")
opt=$(awk '$1 == "lock_acq_per_irq" {print $3}' "$T/both")
[ "$base" = 3 ] || fail "baseline lock_acq_per_irq $base, want 3"
[ "$opt" = 0 ] || fail "optimized lock_acq_per_irq $opt, want 0"
inj=$(awk '$1 == "injections_per_s" {print $3}' "$T/both")
awk -v v="$inj" 'BEGIN {exit !(v > 0)}' || fail "no injections"

"$H" --scenario dpci --variant optimized --pcpus 2 --seconds 0.2 \
     --trace "$T/t" >/dev/null || fail "dpci traced run"
[ -s "$T/t" ] || fail "no trace"
if [ -x "$X" ]; then
    "$X" --summary "$T/t" >"$T/s" 2>&1 || fail "xenalyze-ext --summary: $(tail -3 "$T/s")"
    grep -q 'DPCI_SCHEDULE' "$T/s" || fail "no DPCI_SCHEDULE in the summary"
    grep -q 'DPCI_RUN' "$T/s" || fail "no DPCI_RUN in the summary"
fi
echo "ok"
