#!/bin/bash
# Batch mode against a known trace written with libxentrace-ext's writer
# (tests/xtp-mktrace.c says what it holds): exact text and CSV frames, a
# single view sorted, -i, and a trace read from a pipe.
set -eu
. "$(dirname "$0")/lib.sh"
cd "$TMP"
"$HELP/xtp-mktrace" k.trace

"$XTP" -b --trace k.trace > all.txt
same "all views, text" "$EXP/trace-all.txt" all.txt

"$XTP" -b --csv --trace k.trace > all.csv
same "all views, csv" "$EXP/trace-all.csv" all.csv

# One view, sorted by ADDS/s (descending by default), then reversed; 2 frames.
"$XTP" -b -i 2 -V pi -s ADDS/s --trace k.trace > pi-sorted.txt
same "pi sorted by ADDS/s" "$EXP/trace-pi-sorted.txt" pi-sorted.txt
"$XTP" -b -i 2 -V pi -s adds_per_s -r --trace k.trace > pi-rev.txt
sed -n '/^ PCPU/,$p' pi-rev.txt | awk 'NR>1 && $1 ~ /^[0-9]+$/ {print $1}' | tr '\n' ' ' > order
[ "$(cat order)" = "0 1 2 3 0 1 2 3 " ] || fail "reverse sort order: $(cat order)"
echo "ok: reverse sort"

# A pipe: the same frames, read from standard input.
cat k.trace | "$XTP" -b --trace - > pipe.txt
sed 's/source=trace:-/source=trace:k.trace/' pipe.txt > pipe-norm.txt
same "trace from a pipe" "$EXP/trace-all.txt" pipe-norm.txt

# Half-second slices of trace time: events fill only 0-0.12 s of each
# second, so empty slices merge into the next sample: 0.5 s, 1.5 s, end.
n=$("$XTP" -b -d 0.5 -V pi --trace k.trace | grep -c '^xentop-pi ')
[ "$n" -eq 3 ] || fail "-d 0.5: expected 3 frames (0.5 s, 1.5 s, end), got $n"
echo "ok: -d slices trace time"

# --follow: a file still being written.  The records before 1.5 s are
# there at the start, the rest arrives a second later; the frames are those
# of the whole file (but the last, partial one: the file may still grow).
cut=$("$HELP/xtp-mktrace" split.trace --split-at 1500000000)
head -c "$cut" split.trace > growing.trace
( sleep 1; tail -c +$((cut + 1)) split.trace >> growing.trace ) &
timeout 20 "$XTP" -b -i 2 --follow --trace growing.trace > follow.txt || fail "--follow: exit $?"
wait
sed 's/source=trace:growing.trace/source=trace:k.trace/' follow.txt > follow-norm.txt
awk '/^xentop-pi /{f++} f <= 2' "$EXP/trace-all.txt" > first2.txt
same "--follow on a growing file" first2.txt follow-norm.txt
