#!/bin/bash
# Command line and bad input: usage errors exit 2 with one clear line; a
# bad or truncated trace still gets its report for what came before the
# fault, an error naming the file and byte offset, and exit 1.
. "$(dirname "$0")/lib/common.sh"

T=$TMP/golden.trace
"$GEN" golden "$T" || { echo "generator failed"; exit 1; }

# usage errors: exit 2, message on stderr naming the problem
usage_case() {   # WANT_PATTERN ARGS...
    local want=$1; shift
    "$XA" "$@" > "$TMP/out" 2> "$TMP/err"
    local rc=$?
    if [ "$rc" -eq 2 ] && grep -q -- "$want" "$TMP/err" && [ ! -s "$TMP/out" ]; then
        ok "usage: $* -> $want"
    else
        fail "usage: $* -> exit $rc, stderr: $(head -2 "$TMP/err")"
    fi
}
usage_case "no TRACE given"
usage_case "unknown option .-x." -x "$T"
usage_case "unknown option '--frobnicate'" --frobnicate "$T"
usage_case "--csv and --json exclude each other" --csv --json "$T"
usage_case "--dump and --interval cannot be combined" --dump --interval 1 "$T"
usage_case "--interval: 'abc' is not a number" --interval abc "$T"
usage_case "--interval: '0' is not a number" --interval 0 "$T"
usage_case "--interval: '-1' is not a number" --interval -1 "$T"
# below a nanosecond the series had 0 ns rows: accepted, nothing printed
usage_case "--interval: '1e-10' is not a number" --interval 1e-10 "$T"
# sqlite takes "" as a temporary database: nothing would be kept
usage_case "--sqlite: '' is not a file name" --sqlite "" "$T"
usage_case "--cpu-hz: 'fast' is not a frequency" --cpu-hz fast "$T"
usage_case "--cpu-hz: '12' is not a frequency" --cpu-hz 12 "$T"
usage_case "unexpected argument 'extra'" "$T" extra
usage_case "needs an argument" "$T" --sqlite
"$XA" --help > "$TMP/help"; expect "--help exit" "$?" 0
grep -q -- "--recommend" "$TMP/help" && ok "--help lists options" || fail "--help text"

# missing file: exit 1, names it
"$XA" "$TMP/nope.trace" > /dev/null 2> "$TMP/err"
expect "missing file exit" "$?" 1
grep -q "$TMP/nope.trace: offset 0: cannot open" "$TMP/err" && ok "missing file named" || fail "missing: $(cat "$TMP/err")"

# truncated mid-record: the records before the cut are reported
size=$(stat -c %s "$T")
head -c $((size - 3)) "$T" > "$TMP/trunc.trace"
"$XA" --csv "$TMP/trunc.trace" > "$TMP/out" 2> "$TMP/err"
expect "truncated exit" "$?" 1
expect "truncated: records before the cut" "$(csv_get "$TMP/out" overview item records value)" 75
expect "truncated: EPT still reported" "$(csv_get "$TMP/out" ept_domain domid 1 lat_p99_ns)" 10000000
grep -q "$TMP/trunc.trace: offset [0-9]*: truncated" "$TMP/err" && ok "truncation: file and offset on stderr" || fail "truncation stderr: $(cat "$TMP/err")"
csv_get "$TMP/out" overview item "input error" value | grep -q "offset [0-9]*: truncated" &&
    ok "truncation in the report" || fail "input error row"
# ... and ingested, with the error kept on the run
"$XA" --sqlite "$TMP/t.db" "$TMP/trunc.trace" > /dev/null 2>&1
expect "truncated ingest exit" "$?" 1
if command -v sqlite3 > /dev/null; then
    expect "truncated run stored" "$(sqlite3 "$TMP/t.db" "SELECT complete, records, status LIKE '%truncated%' FROM runs")" "1|75|1"
fi

# not a trace at all / empty
head -c 4096 /dev/urandom > "$TMP/random.trace"
printf '\x11\x22\x33\x44' | cat - "$TMP/random.trace" > "$TMP/bad.trace"
"$XA" "$TMP/bad.trace" > /dev/null 2> "$TMP/err"
expect "garbage exit" "$?" 1
grep -q "$TMP/bad.trace: offset 0:" "$TMP/err" && ok "garbage named with offset" || fail "garbage: $(cat "$TMP/err")"
: > "$TMP/empty.trace"
"$XA" "$TMP/empty.trace" > /dev/null 2> "$TMP/err"
expect "empty exit" "$?" 1

# a report that cannot be written (a full disk) is not a success
if [ -w /dev/full ]; then
    "$XA" --csv "$T" > /dev/full 2> "$TMP/err"
    expect "report to a full disk: exit" "$?" 1
    grep -q "standard output: write failed (No space left on device)" "$TMP/err" &&
        ok "report to a full disk: said" || fail "full disk: $(cat "$TMP/err")"
fi

# standard input
"$XA" --csv - < "$T" > "$TMP/out"
expect "stdin exit" "$?" 0
expect "stdin records" "$(csv_get "$TMP/out" overview item records value)" 76
expect "stdin file name" "$(csv_get "$TMP/out" overview item file value)" "-"

# no frequency anywhere: said, and times in ticks
"$GEN" vmx "$TMP/vmx.trace" 50 > /dev/null
"$XA" "$TMP/vmx.trace" > "$TMP/out" 2>&1
grep -q "time base: unknown (no RUN_INFO record and no --cpu-hz): times are TSC ticks" "$TMP/out" &&
    ok "unknown time base stated" || fail "unknown time base line"
"$XA" --interval 1 "$TMP/vmx.trace" > "$TMP/out" 2>&1
grep -q "give --cpu-hz" "$TMP/out" && ok "--interval without a frequency explained" || fail "interval w/o hz"

finish
