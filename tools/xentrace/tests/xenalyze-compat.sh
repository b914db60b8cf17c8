#!/bin/bash
# Upstream xenalyze (Debian's 4.17, unpacked by scripts/setup-deps.sh) reads
# a trace written by libxentrace-ext to its end: --dump-raw-reads prints one
# "R p" line per record read.  Measured: xenalyze reads each pCPU's records
# once and every window record once per pCPU (each pCPU walks all window
# records from its first window on, skipping the other pCPUs' windows), so
# the test checks that the non-window lines equal the records written and
# that the distinct window offsets equal the windows written; with one pCPU
# the total is exactly records + windows.  --summary must also exit 0.
set -u
BUILD=${BUILD:-build}
XENALYZE=build/upstream/usr/bin/xenalyze
GEN=$BUILD/tests/xte_gentrace
if [ ! -x "$XENALYZE" ]; then
    echo "SKIP: $XENALYZE not found (run scripts/setup-deps.sh)"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
for shape in "1 500" "4 3000" "8 1500"; do
    set -- $shape
    out=$("$GEN" "$tmp/t.bin" "$1" "$2") || { echo "FAIL: xte_gentrace $shape"; exit 1; }
    records=$(echo "$out" | awk '{print $2}')
    windows=$(echo "$out" | awk '{print $4}')
    "$XENALYZE" --dump-raw-reads "$tmp/t.bin" >"$tmp/raw" 2>"$tmp/raw.err"
    rc=$?
    # R p <pcpu> o<offset> <event> ...
    seen_rec=$(awk '$1 == "R" && $2 == "p" && $5 != "1f003"' "$tmp/raw" | wc -l)
    seen_win=$(awk '$1 == "R" && $2 == "p" && $5 == "1f003" {print $4}' "$tmp/raw" | sort -u | wc -l)
    total=$(grep -c '^R p' "$tmp/raw")
    if [ "$rc" -ne 0 ] || [ "$seen_rec" -ne "$records" ] || [ "$seen_win" -ne "$windows" ] ||
       { [ "$1" -eq 1 ] && [ "$total" -ne $((records + windows)) ]; }; then
        echo "FAIL: $1 pCPUs: xenalyze --dump-raw-reads exit $rc, records $seen_rec of $records, windows $seen_win of $windows, R p lines $total"
        tail -5 "$tmp/raw.err"
        fail=1
    else
        echo "ok: $1 pCPUs: xenalyze read all $records records and $windows windows ($total R p lines)"
    fi
    if ! "$XENALYZE" --summary "$tmp/t.bin" >"$tmp/sum" 2>&1; then
        echo "FAIL: $1 pCPUs: xenalyze --summary exit non-zero"
        tail -5 "$tmp/sum"
        fail=1
    fi
done
exit $fail
