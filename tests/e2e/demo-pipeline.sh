#!/bin/bash
# The main job's pipeline end to end (scripts/demo.sh, what `make demo`
# runs), on a short run, checking that each stage produced what the next
# one needs:
#   hvsim mixed  -> a trace with all five subsystems' events, that upstream
#                   xenalyze also reads to its end
#   xenalyze-ext -> a report with every subsystem's section and advice
#   sqlite       -> non-empty event tables for all five, a complete run,
#                   idempotent re-ingest
#   queries      -> the canned post-mortem queries answer
set -u
BUILD=${BUILD:-build}
BIN=$BUILD/bin
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

DEMO_OUT=$T DEMO_SECONDS=1 BUILD=$BUILD scripts/demo.sh >"$T/demo.out" 2>&1 ||
    { tail -20 "$T/demo.out"; fail "scripts/demo.sh exited non-zero"; }
trace=$T/mixed.trace db=$T/mixed.db
[ -s "$trace" ] || fail "no trace"
[ -s "$db" ] || fail "no database"
echo "ok: demo pipeline ran ($(stat -c %s "$trace") bytes of trace)"

# Stage 1: every subsystem traced; upstream xenalyze reads it all.
"$BIN/xenalyze-ext" --json "$trace" >"$T/report.json" || fail "xenalyze-ext --json"
"$BIN/xenalyze-ext" --dump "$trace" | awk '{print $3}' | sort | uniq -c >"$T/events" ||
    fail "xenalyze-ext --dump"
for ev in PI_LIST_ADD PI_WAKEUP MSIX_EMULATED DPCI_RUN MAPTRACK_GROW EPT_FLUSH; do
    n=$(awk -v ev="$ev" '$2 == ev {print $1}' "$T/events")
    n=${n:-0}
    [ "$n" -gt 0 ] || fail "no $ev record in the mixed trace"
done
echo "ok: PI, MSI-X, dpci, maptrack and EPT events all in the trace"
UP=$BUILD/upstream/usr/bin/xenalyze
[ -x "$UP" ] || UP=build/upstream/usr/bin/xenalyze
if [ -x "$UP" ]; then
    "$UP" --summary "$trace" >"$T/up.out" 2>&1 || fail "upstream xenalyze exited $? on the demo trace"
    echo "ok: upstream xenalyze reads the demo trace to its end"
else
    echo "note: upstream xenalyze not unpacked (scripts/setup-deps.sh); skipped that check"
fi

# Stage 2: the report has each subsystem, and advice.
for section in "PI blocking lists" "dpci" "maptrack" "EPT" "MSI-X" "Recommendations"; do
    grep -q "$section" "$T/demo.out" || fail "report lacks '$section'"
done
echo "ok: report covers every subsystem and gives advice"

# Stage 3: sqlite tables filled, run complete, second ingest a no-op.
for tbl in ev_pi_list_add ev_pi_wakeup ev_msix_emulated ev_dpci_run ev_maptrack_grow ev_ept_flush; do
    n=$(sqlite3 "$db" "SELECT COUNT(*) FROM $tbl") || fail "query $tbl"
    [ "$n" -gt 0 ] || fail "table $tbl is empty"
done
[ "$(sqlite3 "$db" 'SELECT COUNT(*) FROM runs WHERE complete = 1')" = 1 ] ||
    fail "expected exactly one complete run"
grep -q "nothing added" "$T/demo.out" || fail "second ingest did not report a no-op"
echo "ok: sqlite has one complete run with all five subsystems' events"

# Stage 4: every canned query answers, the demo's two with rows.
for q in schemas/queries/*.sql; do
    sqlite3 "$db" <"$q" >"$T/q.out" 2>&1 || fail "$q: $(head -3 "$T/q.out")"
done
[ "$(sqlite3 "$db" <schemas/queries/pi_peak.sql | wc -l)" -gt 0 ] || fail "pi_peak.sql: no rows"
[ "$(sqlite3 "$db" <schemas/queries/ept_worst_flushes.sql | wc -l)" -gt 0 ] ||
    fail "ept_worst_flushes.sql: no rows"
echo "ok: every canned query runs; pi_peak and ept_worst_flushes answer"
