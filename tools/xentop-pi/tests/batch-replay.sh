#!/bin/bash
# --record then --replay: a recording of the known trace replays to exactly
# the frames the trace gave; the database holds what the schema says; two
# runs in one file do not make rates across them; a counter that goes
# backwards inside a run shows no rate ("-") for that interval.
set -eu
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed"; exit 77; }
cd "$TMP"
"$HELP/xtp-mktrace" k.trace

# Record into a new file: the schema is created from the embedded copy.
"$XTP" -b --trace k.trace --record rec.db > recorded.txt
same "frames shown while recording" "$EXP/trace-all.txt" recorded.txt
[ "$(sqlite3 rec.db "SELECT tool, source, complete, nr_pcpus FROM runs")" = \
  "xentop-pi|trace:k.trace|1|4" ] || fail "runs row: $(sqlite3 rec.db 'SELECT * FROM runs')"
[ "$(sqlite3 rec.db "SELECT count(*) FROM ctr_pi_pcpu")" = 12 ] || fail "ctr_pi_pcpu rows"
[ "$(sqlite3 rec.db "SELECT count(*) FROM ctr_maptrack_domain")" = 9 ] || fail "ctr_maptrack_domain rows"
[ "$(sqlite3 rec.db "SELECT adds, adds_redirected, walk_len_count, walk_len_max FROM ctr_pi_pcpu WHERE sample_ns = 2000000000 AND pcpu = 3")" = "12|3|3|8" ] \
    || fail "pCPU 3 at 2 s: $(sqlite3 rec.db "SELECT adds, adds_redirected, walk_len_count, walk_len_max FROM ctr_pi_pcpu WHERE sample_ns = 2000000000 AND pcpu = 3")"
# The writers' contract (schemas/README.md): WAL, readers never blocked.
[ "$(sqlite3 rec.db "PRAGMA journal_mode")" = wal ] || fail "journal mode $(sqlite3 rec.db 'PRAGMA journal_mode'), expected wal"
echo "ok: recording stored"

# Slices of trace time without records are recorded like the others.
"$XTP" -b -d 0.25 --trace k.trace --record gap.db > gap.txt
[ "$(sqlite3 gap.db "SELECT count(DISTINCT sample_ns) FROM ctr_pi_pcpu")" = 9 ] \
    || fail "-d 0.25: 9 samples expected, got $(sqlite3 gap.db "SELECT group_concat(DISTINCT sample_ns) FROM ctr_pi_pcpu")"
[ "$(sqlite3 gap.db "SELECT adds FROM ctr_pi_pcpu WHERE pcpu = 3 AND sample_ns IN (250000000, 500000000, 750000000, 1000000000)" | tr '\n' ' ')" = "4 4 4 4 " ] \
    || fail "idle slices: pCPU 3's adds should stay 4"
"$XTP" -b --replay gap.db | sed 's/source=replay:gap.db/source=trace:k.trace/' > gap-replay.txt
same "replay of idle slices" gap.txt gap-replay.txt

"$XTP" -b --replay rec.db > replay.txt
sed 's/source=replay:rec.db/source=trace:k.trace/' replay.txt > replay-norm.txt
same "replay equals the live frames" "$EXP/trace-all.txt" replay-norm.txt

"$XTP" -b --csv --replay rec.db > replay.csv
same "replay csv" "$EXP/trace-all.csv" replay.csv

# A second run in the same file: its first frame has no rates although the
# counters went from high (end of run 1) to low (start of run 2).
"$XTP" -b --trace k.trace --record rec.db > /dev/null
[ "$(sqlite3 rec.db "SELECT count(*) FROM runs WHERE complete = 1")" = 2 ] || fail "second run"
"$XTP" -b -V pi --replay rec.db > two.txt
[ "$(grep -c '^xentop-pi ' two.txt)" = 6 ] || fail "two runs: expected 6 frames"
awk '/^xentop-pi /{f++} f==4 && $1 ~ /^[0-9]+$/ {print $6 $7 $8}' two.txt | sort -u > f4
[ "$(cat f4)" = "---" ] || fail "first frame of run 2 has rates: $(cat f4)"
echo "ok: a new run is a new baseline"

# A counter that goes backwards within a run (reset): no negative or huge rate.
sqlite3 rec.db "UPDATE ctr_pi_pcpu SET adds = 1 WHERE run_id = 1 AND sample_ns = 2120000000 AND pcpu = 2"
"$XTP" -b -V pi -i 3 --replay rec.db > reset.txt
line=$(awk '/^xentop-pi /{f++} f==3 && $1 == "2" {print}' reset.txt)
set -- $line
[ "$6" = "-" ] || fail "reset counter shows rate '$6': $line"
[ "$7" = "25.0" ] || fail "other counters keep their rate: $line"
echo "ok: a counter going backwards shows no rate"
