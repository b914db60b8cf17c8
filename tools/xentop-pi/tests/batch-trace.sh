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
# second, yet every slice is a frame: 0.5 s, 1 s, 1.5 s, 2 s, end.
n=$("$XTP" -b -d 0.5 -V pi --trace k.trace | grep -c '^xentop-pi ')
[ "$n" -eq 5 ] || fail "-d 0.5: expected 5 frames (0.5 s to 2 s, end), got $n"
echo "ok: -d slices trace time"

# A gap longer than the interval: with -d 0.25, 0.88 s without records
# after each burst.  Its slices are frames and CSV rows too, with zero
# rates and the gauges of the slice before; the burst at 1 s is the
# 1.25 s frame's (pCPU 3: 8 adds in 0.25 s, 32/s).
"$XTP" -b --csv -d 0.25 -V pi --trace k.trace > gap.csv
times=$(awk -F, '$2 == "pi" && $3 == 3 {printf "%s ", $1}' gap.csv)
[ "$times" = "0.250 0.500 0.750 1.000 1.250 1.500 1.750 2.000 2.120 " ] \
    || fail "-d 0.25: a frame per slice expected, got rows at $times"
for t in 0.500 0.750 1.000; do
    grep -qx "$t,pi,3,2,3,66.667,4,0.000,0.000,0.000,8" gap.csv \
        || fail "idle slice $t: pCPU 3 should keep LEN 2, HWM 4 at zero rates: $(grep "^$t,pi,3," gap.csv)"
done
grep -qx "1.250,pi,3,4,3,133.333,8,32.000,8.000,8.000,8" gap.csv \
    || fail "the slice after the gap: $(grep '^1.250,pi,3,' gap.csv)"
"$XTP" -b -d 0.25 -V ept --trace k.trace > gap.txt
awk '/^xentop-pi t=0.750s/{f=1; next} /^xentop-pi /{f=0} f && $1 == 1' gap.txt > idle-ept
[ "$(cat idle-ept)" = "    1 dom1               0.0        -        -        -       -       -" ] \
    || fail "idle slice: EPT should show 0 flushes/s and no latencies: $(cat idle-ept)"
echo "ok: a slice without records is a frame (zero rates, gauges carried)"

# A stretch without records longer than 100000 slices (here 10^6 s, as a
# TSC that jumped): its first 100000 slices are frames, then one spans the
# rest, then the last second's records.
"$HELP/xtp-mktrace" jump.trace --jump 1000000000000000
"$XTP" -b --csv -V msix --trace jump.trace |
    awk -F, '$2 == "msix" && $3 == 1 {print $1}' > jump.times
[ "$(wc -l < jump.times)" -eq 100003 ] || fail "jump: $(wc -l < jump.times) frames, expected 100003"
[ "$(sed -n '1,3p;100001,$p' jump.times | tr '\n' ' ')" = \
  "1.000 2.000 3.000 100001.000 1000002.000 1000002.120 " ] \
    || fail "jump: frames at $(sed -n '1,3p;100001,$p' jump.times | tr '\n' ' ')"
echo "ok: a stretch without records over 100000 slices is cut short"

# The same stretch when every sample is large (a record names pCPU 3999, so
# each sample holds 4000 pCPU records, megabytes): it is cut short once its
# samples would add up to 1 GiB, not after 100000 of them (which took hours
# for a 22 KB garbage trace naming pCPU 40960).
"$HELP/xtp-mktrace" far.trace --jump 1000000000000000 --far-pcpu 3999
timeout 120 "$XTP" -b --csv -V msix --trace far.trace |
    awk -F, '$2 == "msix" && $3 == 1 {print $1}' > far.times
nf=$(wc -l < far.times)
[ "$nf" -gt 5 ] && [ "$nf" -lt 1000 ] || fail "far pCPU: $nf frames, expected a few hundred at most"
[ "$(sed -n '1,3p' far.times | tr '\n' ' ')$(tail -n 2 far.times | tr '\n' ' ')" = \
  "1.000 2.000 3.000 1000002.000 1000002.120 " ] \
    || fail "far pCPU: frames at $(sed -n '1,3p' far.times | tr '\n' ' ') ... $(tail -n 2 far.times | tr '\n' ' ')"
echo "ok: a stretch of large idle samples stops at 1 GiB of them ($nf frames)"

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
