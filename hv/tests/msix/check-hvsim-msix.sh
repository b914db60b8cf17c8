#!/bin/bash
# hvsim --scenario msix end to end: in the baseline every interrupt's two
# flush reads reach the device model, in the fix none does.
set -u
B=${BUILD:-build}
H=$B/bin/hvsim
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$H" --list | grep -q '^msix ' || fail "--list has no msix"
"$H" --scenario msix --pcpus 4 --seconds 0.4 >"$T/both" || fail "msix run"
cat "$T/both"
base=$(awk '$1 == "reads_forwarded_per_irq" {print $2}' "$T/both")
opt=$(awk '$1 == "reads_forwarded_per_irq" {print $3}' "$T/both")
emu=$(awk '$1 == "reads_emulated_per_irq" {print $3}' "$T/both")
[ "$base" = 2 ] || fail "baseline reads_forwarded_per_irq $base, want 2"
[ "$opt" = 0 ] || fail "optimized reads_forwarded_per_irq $opt, want 0"
[ "$emu" = 2 ] || fail "optimized reads_emulated_per_irq $emu, want 2"
"$H" --scenario msix --variant optimized --pcpus 2 --seconds 0.2 --json \
     >"$T/j" || fail "msix json"
grep -q '"reads_forwarded_per_irq": 0' "$T/j" || fail "json: $(cat "$T/j")"
echo "ok"
