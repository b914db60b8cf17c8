#!/bin/bash
# The sqlite post-mortem store: every canned query against an ingested
# golden trace (answers worked out by hand from gentrace.c golden()),
# idempotent ingest (file and pipe), recovery after a kill -9 in the middle
# of an ingest, and schema-version refusal.
. "$(dirname "$0")/lib/common.sh"
command -v sqlite3 > /dev/null || { echo "sqlite3 CLI missing (Debian package sqlite3)"; exit 77; }

T=$TMP/golden.trace
DB=$TMP/post.db
"$GEN" golden "$T" || { echo "generator failed"; exit 1; }
"$XA" --sqlite "$DB" "$T" > "$TMP/o1" || fail "ingest exit $?"
grep -q "sqlite: run 1 written to $DB" "$TMP/o1" && ok "run 1 written" || fail "ingest message: $(cat "$TMP/o1")"

q() { sqlite3 -csv "$DB" < "$QUERIES/$1.sql"; }

expect "pi_peak.sql" "$(q pi_peak)" "1,0,6,0,7.25e-07,6,0
1,1,1,0,1.0e-06,1,1"
expect "dpci_latency.sql" "$(q dpci_latency)" "1,1,4,2000,4000,4000,4000
1,2,1,10000,10000,10000,10000"
expect "ept_latency.sql" "$(q ept_latency)" "1,1,10,5000000,9000000,10000000,10000000,8.0,0.0
1,2,4,5000,5000,5000,5000,0.0,100.0"
# the slowest flush ran while vCPU 1.2 was running, and both read waits of
# domain 1 ended inside it (3 ms of waiting)
expect "ept_worst_flushes.sql (worst)" "$(q ept_worst_flushes | head -1)" \
    "1,70,4000,0,1,10000000,8,sync,1.2,2,3000000"
expect "ept_worst_flushes.sql (rows)" "$(q ept_worst_flushes | wc -l)" 10
expect "ept_worst_flushes.sql (2nd)" "$(q ept_worst_flushes | sed -n 2p)" \
    "1,67,3950,0,1,9000000,8,sync,1.2,0,0"
expect "maptrack_over_time.sql" "$(q maptrack_over_time)" "1,1,2500,grow,0,13,16,10
1,1,2550,grow,1,14,16,300
1,1,2600,grow,2,15,16,600
1,1,2650,grow,3,16,16,900
1,1,2700,steal,0,,,1000
1,1,2750,steal,1,,,1020
1,1,2800,exhausted,2,16,,1024
1,2,2850,grow,0,1,32,5"
expect "msix_forwarded.sql" "$(q msix_forwarded)" "1,1,3,5,1,37.5
1,2,0,2,0,0.0"
expect "lost_records.sql" "$(q lost_records)" "1,2,1,7,1000,1000"
expect "runs.sql" "$(q runs | cut -d, -f1-4,7-14)" \
    "1,xenalyze-ext,$T,1,2000000000,trace,ns,8,76,7,5,"
for f in "$QUERIES"/*.sql; do
    case $(basename "$f" .sql) in
    pi_peak|dpci_latency|ept_latency|ept_worst_flushes|maptrack_over_time|msix_forwarded|lost_records|runs) ;;
    *) fail "canned query $f has no checked answer in this test" ;;
    esac
done

# views and host shape
expect "v_maptrack_domain" "$(sqlite3 -csv "$DB" 'SELECT * FROM v_maptrack_domain ORDER BY domid')" \
"1,1,16,16,2,1
1,2,1,32,0,0
1,3,,,0,0"
expect "domains" "$(sqlite3 -csv "$DB" 'SELECT domid, nr_vcpus, created_t_ns FROM domains ORDER BY domid')" \
"1,4,
2,2,
3,,250"
expect "vcpus" "$(sqlite3 "$DB" 'SELECT COUNT(*) FROM vcpus')" 7
expect "unknown_events" "$(sqlite3 -csv "$DB" 'SELECT printf("0x%08x", event), name, count FROM unknown_events ORDER BY event')" \
"0x0008200e,TRC_HVM_CPUID,2
0x00f0f001,,3"

expect "host_meta" "$(sqlite3 -csv "$DB" "SELECT key, value FROM host_meta WHERE key IN ('trace_bytes', 'cpu_windows', 'pcpus_seen', 'run_info_nr_pcpus') ORDER BY key")" \
"cpu_windows,4
pcpus_seen,4
run_info_nr_pcpus,8
trace_bytes,$(stat -c %s "$T")"
expect "host_meta path" "$(sqlite3 "$DB" "SELECT value FROM host_meta WHERE key = 'trace_path'")" "$(realpath "$T")"

# idempotent: the same file again adds nothing
rows() { sqlite3 "$1" "SELECT (SELECT COUNT(*) FROM runs) || '/' || (SELECT COUNT(*) FROM ev_ept_flush) || '/' || (SELECT COUNT(*) FROM runstate)"; }
before=$(rows "$DB")
"$XA" --sqlite "$DB" "$T" > "$TMP/o2" || fail "second ingest exit $?"
grep -q "already in $DB as run 1; nothing added" "$TMP/o2" && ok "second ingest says so" || fail "second ingest: $(cat "$TMP/o2")"
expect "rows after second ingest" "$(rows "$DB")" "$before"
# a pipe: identity from the record stream; the second time adds nothing
"$XA" --sqlite "$DB" - < "$T" > /dev/null || fail "stdin ingest exit $?"
"$XA" --sqlite "$DB" - < "$T" > "$TMP/o3" || fail "stdin ingest 2 exit $?"
grep -q "already in $DB as run 2" "$TMP/o3" && ok "second pipe ingest says so" || fail "pipe: $(cat "$TMP/o3")"
expect "runs after pipe ingests" "$(sqlite3 "$DB" 'SELECT COUNT(*) || "/" || SUM(complete) FROM runs')" "2/2"
expect "pipe run identity" "$(sqlite3 "$DB" 'SELECT substr(identity, 1, 10) FROM runs WHERE run_id = 2')" "stream:76:"

# killed mid-ingest: consistent, invisible, and completed by a rerun
B=$TMP/big.trace
"$GEN" big "$B" 6 || fail "big trace"
K=$TMP/kill.db
(XENALYZE_EXT_TEST_KILL_AFTER=150000 exec "$XA" --sqlite "$K" "$B" > /dev/null 2>&1) 2> /dev/null
expect "killed ingest status" "$?" 137
expect "incomplete run left" "$(sqlite3 "$K" 'SELECT COUNT(*) || "/" || SUM(complete) FROM runs')" "1/0"
partial=$(sqlite3 "$K" 'SELECT COUNT(*) FROM ev_pi_list_add')
[ "$partial" -gt 0 ] && ok "committed batches kept ($partial PI rows)" || fail "no partial rows"
expect "views hide the incomplete run" "$(sqlite3 "$K" 'SELECT COUNT(*) FROM v_ept_flush_domain')" 0
expect "integrity after kill" "$(sqlite3 "$K" 'PRAGMA integrity_check')" ok
"$XA" --sqlite "$K" "$B" > /dev/null || fail "rerun exit $?"
F=$TMP/fresh.db
"$XA" --sqlite "$F" "$B" > /dev/null || fail "fresh ingest exit $?"
counts() { sqlite3 "$1" "SELECT (SELECT COUNT(*) || '/' || SUM(complete) FROM runs) || ' ' || (SELECT COUNT(*) FROM ev_pi_list_add) || ' ' || (SELECT COUNT(*) FROM ev_ept_flush) || ' ' || (SELECT COUNT(*) FROM ev_dpci_run) || ' ' || (SELECT COUNT(*) FROM ev_maptrack_grow) || ' ' || (SELECT SUM(latency) FROM ev_ept_flush)"; }
expect "rerun completes the run like a fresh ingest" "$(counts "$K" | sed 's/^1\/1 //;s/^/x /')" "$(counts "$F" | sed 's/^1\/1 //;s/^/x /')"
expect "one complete run after rerun" "$(sqlite3 "$K" 'SELECT COUNT(*) || "/" || SUM(complete) FROM runs')" "1/1"

# a pipe ingest killed half way: its pending run goes at the next ingest
(XENALYZE_EXT_TEST_KILL_AFTER=100000 exec "$XA" --sqlite "$K" - < "$B" > /dev/null 2>&1) 2> /dev/null
expect "killed pipe ingest status" "$?" 137
expect "pending run left" "$(sqlite3 "$K" "SELECT COUNT(*) FROM runs WHERE complete = 0 AND identity LIKE 'pending:%'")" 1
"$XA" --sqlite "$K" - < "$B" > /dev/null || fail "pipe rerun exit $?"
expect "pending run removed, pipe run complete" "$(sqlite3 "$K" 'SELECT COUNT(*) || "/" || SUM(complete) FROM runs')" "2/2"
expect "pipe run rows" "$(sqlite3 "$K" 'SELECT COUNT(*) FROM ev_ept_flush')" "$(( 2 * $(sqlite3 "$F" 'SELECT COUNT(*) FROM ev_ept_flush') ))"

# schema versions: newer refused, older refused, foreign refused
cp "$DB" "$TMP/newer.db"
sqlite3 "$TMP/newer.db" "INSERT INTO schema_version (version) VALUES (2)"
"$XA" --sqlite "$TMP/newer.db" "$T" > /dev/null 2> "$TMP/e1"
expect "newer schema exit" "$?" 1
grep -q "$TMP/newer.db: schema version 2 is newer than this xenalyze-ext's (1)" "$TMP/e1" &&
    ok "newer schema message" || fail "newer schema message: $(cat "$TMP/e1")"
sqlite3 "$TMP/older.db" "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT); INSERT INTO schema_version VALUES (0, 'x')"
"$XA" --sqlite "$TMP/older.db" "$T" > /dev/null 2> "$TMP/e2"
expect "older schema exit" "$?" 1
grep -q "$TMP/older.db: schema version 0 is older than this xenalyze-ext's (1) and there is no upgrade" "$TMP/e2" &&
    ok "older schema message" || fail "older schema message: $(cat "$TMP/e2")"
sqlite3 "$TMP/foreign.db" "CREATE TABLE t (x)"
"$XA" --sqlite "$TMP/foreign.db" "$T" > /dev/null 2> "$TMP/e3"
expect "foreign db exit" "$?" 1
grep -q "not a xen-vtd-scale database" "$TMP/e3" && ok "foreign db message" || fail "foreign: $(cat "$TMP/e3")"
echo "this is not sqlite" > "$TMP/text.db"
"$XA" --sqlite "$TMP/text.db" "$T" > /dev/null 2> "$TMP/e4"
expect "non-sqlite exit" "$?" 1
grep -q "$TMP/text.db: .*not a database" "$TMP/e4" && ok "non-sqlite message" || fail "non-sqlite: $(cat "$TMP/e4")"
expect "refused db untouched" "$(cat "$TMP/text.db")" "this is not sqlite"

# names sqlite reads as no file at all (an in-memory database, a URI) are
# files here: the rows reported written are in them afterwards
case $XA in /*) xa_abs=$XA ;; *) xa_abs=$PWD/$XA ;; esac
for name in ":memory:" "file:uri.db?mode=memory"; do
    (cd "$TMP" && "$xa_abs" --sqlite "$name" "$T") > "$TMP/o5" 2>&1
    expect "--sqlite '$name' exit" "$?" 0
    expect "--sqlite '$name': rows kept in that file" \
        "$(sqlite3 "$TMP/$name" 'SELECT records FROM runs' 2>&1)" 76
done

# a database that cannot grow (here a file size limit, as a full disk): the
# record it stopped at and sqlite's reason, exit 1
"$GEN" big "$TMP/big.trace" 8 > /dev/null 2>&1 || fail "generator (big)"
(trap '' XFSZ; ulimit -f 3000; "$XA" --sqlite "$TMP/full.db" "$TMP/big.trace") > /dev/null 2> "$TMP/e6"
expect "database that cannot grow: exit" "$?" 1
grep -q "$TMP/full.db: cannot store record [0-9]*: [a-z]" "$TMP/e6" &&
    ok "database that cannot grow: record and reason named" || fail "full database: $(cat "$TMP/e6")"
rm -f "$TMP/big.trace" "$TMP/full.db"*

# the store is usable from schemas/ by hand too
(cd schemas && sqlite3 "$TMP/hand.db" < schema.sql) && ok "schema.sql loads by hand" || fail "schema.sql by hand"
expect "hand-built schema version" "$(sqlite3 "$TMP/hand.db" 'SELECT MAX(version) FROM schema_version')" 1
"$XA" --sqlite "$TMP/hand.db" "$T" > /dev/null || fail "ingest into hand-built db"

finish
