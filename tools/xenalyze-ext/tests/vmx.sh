#!/bin/bash
# A realistic upstream capture: what xentrace -e all records on a VMX host
# without our events (TRC_HVM VMENTRY/VMEXIT/VMEXIT64, TRC_SCHED runstate
# changes with the states in the event id, TRC_SCHED_SWITCH, domain
# creation, CPUID handler records, lost records, 4 KiB windows so the CPU
# changes often), built by xa-gentrace from the upstream record layout.
# It must parse to the end with every count right; upstream xenalyze, when
# build/upstream has it, must read the same file to its end too.
. "$(dirname "$0")/lib/common.sh"

T=$TMP/vmx.trace
"$GEN" vmx "$T" 20000 > "$TMP/expect" || { echo "generator failed"; exit 1; }
want() { awk -v k="$1" '$1 == k { print $2 }' "$TMP/expect"; }

"$XA" --csv --cpu-hz 2.5G "$T" > "$TMP/out" 2> "$TMP/err" || fail "exit $? ($(cat "$TMP/err"))"
O=$TMP/out
g() { csv_get "$O" "$@"; }
sum_col() {   # TABLE COL: sum of a column over its rows
    awk -F, -v T="$1" -v C="$2" '
        /^## / { intab = (substr($0, 4, length(T) + 2) == T ": "); hdr = 0; next }
        /^#/ { next } /^$/ { intab = 0; next }
        intab && !hdr { for (i = 1; i <= NF; i++) col[$i] = i; hdr = 1; next }
        intab && hdr { s += $(col[C]) } END { print s + 0 }' "$O"
}

expect records "$(g overview item records value)" "$(want records)"
expect "catalogue records" "$(g overview item 'catalogue records' value)" 0
expect "lost events" "$(g overview item 'lost-record events' value)" "$(want lost_events)"
expect "records lost" "$(g overview item 'records lost' value)" "$(want lost_records)"
expect "vmentries (pCPU sum)" "$(sum_col pcpus vmentries)" "$(want vmentries)"
expect "vmexits (pCPU sum)" "$(sum_col pcpus vmexits)" "$(want vmexits)"
expect "runstate changes (pCPU sum)" "$(sum_col pcpus runstate_changes)" "$(want runstate)"
expect "lost (pCPU sum)" "$(sum_col pcpus lost_records)" "$(want lost_records)"
expect "VMEXIT64 by id" "$(g events event 0x00081102 count)" "$(want vmexit64)"
expect "VMEXIT by id" "$(g events event 0x00081002 count)" "$(want vmexit32)"
expect "switch counted, skipped" "$(g events event 0x0002800a count),$(g events event 0x0002800a handling)" "$(want switches),skipped"
expect "CPUID counted" "$(g events event 0x0008200e count)" "$(want cpuid)"
expect "running->runnable id" "$(g events event 0x00021011 name)" TRC_SCHED_RUNSTATE_CHANGE
expect "domain 1 created" "$(g domains domid 1 created_at)" 0
# every VM exit happened while a guest vCPU ran: all are attributed
expect "vmexits by domain" "$(( $(g domains domid 1 vmexits) + $(g domains domid 2 vmexits) ))" "$(want vmexits)"
expect "dom1 vcpus seen" "$(g domains domid 1 vcpus_seen)" 4
expect "no records out of order" "$(g overview item 'records older than an earlier one' value)" 0
windows=$(g overview item 'cpu windows' value)
[ "$windows" -gt 100 ] && ok "many CPU changes ($windows windows)" || fail "windows: $windows"
grep -q "time base: 2500000000 Hz from --cpu-hz" "$O" && ok "--cpu-hz used" || fail "time base line"

# sqlite: the context tables fill from it
"$XA" --sqlite "$TMP/v.db" "$T" > /dev/null || fail "ingest exit $?"
if command -v sqlite3 > /dev/null; then
    expect "runstate rows" "$(sqlite3 "$TMP/v.db" 'SELECT COUNT(*) FROM runstate')" "$(want runstate)"
    expect "lost rows" "$(sqlite3 "$TMP/v.db" 'SELECT SUM(count) FROM lost_records')" "$(want lost_records)"
    expect "runstate decoded" "$(sqlite3 "$TMP/v.db" 'SELECT COUNT(*) FROM runstate WHERE NOT ((old_state = 0 AND new_state = 1) OR (old_state = 1 AND new_state = 0))')" 0
fi

# upstream xenalyze reads the same file to its end
UP=${BUILD%/san-*}/upstream/usr/bin/xenalyze
if [ -x "$UP" ]; then
    timeout 120 "$UP" --dump-raw-reads "$T" > "$TMP/raw" 2>&1
    expect "upstream xenalyze exit" "$?" 0
    # one "R p" line per read, some records read twice: count offsets
    expect "upstream read every record and window" \
        "$(grep '^R p' "$TMP/raw" | awk '{print $4}' | sort -u | wc -l)" \
        "$(( $(want records) + windows ))"
else
    echo "note: $UP absent (scripts/setup-deps.sh unpacks it); upstream cross-check skipped"
fi

finish
