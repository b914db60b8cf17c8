#!/bin/bash
# Run every benchmark given on the command line and write bench/RESULTS.md.
#
# A benchmark prints one line per claim, measured in that run:
#   RESULT|id|what|baseline label=value unit|fix label=value unit|ratio|target|PASS or FAIL
# (ratio > 1 means the fix or our tool is better), and may print
#   INFO|id|text
# for a figure measured in the same run that explains a claim (a floor, a
# control); those are listed under the table.  The table marks a claim
# that misses its target, and one whose ratio fell by more than 20% since
# the previous RESULTS.md, so a regression is visible at a glance.
set -u
out=bench/RESULTS.md
logdir=${BUILD:-build}/bench-logs
mkdir -p "$logdir" bench
prev=$(mktemp)
[ -f "$out" ] && cp "$out" "$prev"
results=$(mktemp)
info=$(mktemp)
trap 'rm -f "$prev" "$results" "$info"' EXIT

machine="$(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/  */ /g'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
date=$(date -u +%Y-%m-%d)
start_all=$(date +%s)
failed_runs=0
for b in "$@"; do
    name=$(echo "$b" | sed 's#/#_#g')
    echo "== bench $b"
    start=$(date +%s)
    "$b" >"$logdir/$name.log" 2>&1
    rc=$?
    grep '^RESULT|' "$logdir/$name.log" | tee -a "$results"
    grep '^INFO|' "$logdir/$name.log" >>"$info"
    echo "   ($(( $(date +%s) - start )) s, exit $rc, log $logdir/$name.log)"
    if [ "$rc" -ne 0 ]; then
        failed_runs=$((failed_runs + 1))
        echo "RESULT|$name|benchmark run failed (exit $rc)|-|-|0|runs to completion|FAIL" >>"$results"
    fi
done

{
    echo "# Benchmark results"
    echo
    echo "Written by \`make bench\` on $date ($(( $(date +%s) - start_all )) s in all)."
    echo "Every figure below was measured in that run; each baseline was measured"
    echo "in the same run as the figure it is compared with.  Ratio > 1 means the"
    echo "fix (or our tool) is better.  **MISSED** marks a claim that missed its"
    echo "target; **REGRESSED** one whose ratio fell by more than 20% since the"
    echo "previous results."
    echo
    echo "| claim | what | baseline | fix or peer | ratio | target | verdict | machine | date |"
    echo "|---|---|---|---|---|---|---|---|---|"
    while IFS='|' read -r _ id what base fix ratio target verdict; do
        old=$(awk -F'|' -v id="$id" '$2 ~ "^ *" id " *$" {gsub(/ /,"",$6); print $6; exit}' "$prev")
        mark=$verdict
        [ "$verdict" = FAIL ] && mark="**MISSED**"
        if [ -n "$old" ] && awk -v o="$old" -v n="$ratio" 'BEGIN {exit !(o+0 > 0 && n+0 < 0.8*(o+0))}'; then
            mark="$mark, **REGRESSED** (was $old)"
        fi
        echo "| $id | $what | $base | $fix | $ratio | $target | $mark | $machine | $date |"
    done <"$results"
    if [ -s "$info" ]; then
        echo
        echo "## Measured in the same run, for reading the claims"
        echo
        while IFS='|' read -r _ id text; do
            echo "- \`$id\`: $text"
        done <"$info"
    fi
} >"$out"
echo "wrote $out ($(grep -c '^RESULT|' "$results") claims)"
[ "$failed_runs" -eq 0 ]
