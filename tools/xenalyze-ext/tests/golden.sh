#!/bin/bash
# Golden test: a trace of known content (xa-gentrace golden, written by
# libxentrace-ext's writer) must produce exactly these figures.  The
# values are worked out by hand from the records in gentrace.c golden().
. "$(dirname "$0")/lib/common.sh"

T=$TMP/golden.trace
"$GEN" golden "$T" || { echo "generator failed"; exit 1; }
"$XA" --csv --recommend --summary "$T" > "$TMP/out.csv" 2> "$TMP/err" ||
    fail "exit status $?"
O=$TMP/out.csv
g() { csv_get "$O" "$@"; }

# overview: 76 records (67 catalogue, 4 interpreted upstream, 5 others),
# 4 windows (cpu 0,1,2 then the late cpu 3 one), hz from RUN_INFO
expect records "$(g overview item records value)" 76
expect "catalogue records" "$(g overview item 'catalogue records' value)" 67
expect "upstream interpreted" "$(g overview item 'upstream records interpreted' value)" 4
expect windows "$(g overview item 'cpu windows' value)" 4
expect "cpu_hz source" "$(g overview item 'cpu_hz source' value)" RUN_INFO
expect "duration ns" "$(g overview item 'duration ns' value)" 4350
expect "records lost" "$(g overview item 'records lost' value)" 7
expect "lost hidden ns" "$(g overview item 'time hidden by lost records ns' value)" 1000

# per pCPU: the lost burst is pCPU 2's
expect "pcpu2 lost" "$(g pcpus pcpu 2 lost_records)" 7
expect "pcpu2 hidden" "$(g pcpus pcpu 2 lost_hidden)" 1000
expect "pcpu3 runstate" "$(g pcpus pcpu 3 runstate_changes)" 1

# domains: 3 created by TRC_SCHED_DOM_ADD at tsc 1500 = 250 ns
expect "dom3 created" "$(g domains domid 3 created_at)" 250
expect "dom1 vcpus" "$(g domains domid 1 nr_vcpus)" 4

# PI: pCPU 0 peaks at 6 (tsc 2450 = 725 ns), walks 5,3,8
expect "pi hwm" "$(g pi_pcpu pcpu 0 hwm)" 6
expect "pi hwm_at" "$(g pi_pcpu pcpu 0 hwm_at)" 725
expect "pi len now" "$(g pi_pcpu pcpu 0 len_now)" 4
expect "pi walk p50" "$(g pi_pcpu pcpu 0 walk_p50)" 5
expect "pi walk p99" "$(g pi_pcpu pcpu 0 walk_p99)" 8
expect "pi walk avg" "$(g pi_pcpu pcpu 0 walk_avg)" 5.333
expect "pi redirected" "$(g pi_pcpu pcpu 1 redirected)" 1
expect "pi walk hist [8,16)" "$(g pi_walk_hist walked_from 8 wakeups)" 1

# dpci
expect "dpci dom1 p50" "$(g dpci_domain domid 1 lat_p50_ns)" 2000
expect "dpci dom1 p90" "$(g dpci_domain domid 1 lat_p90_ns)" 4000
expect "dpci dom2 teardown" "$(g dpci_domain domid 2 teardown_eagain)" 1
expect "dpci pcpu1 lat p50" "$(g dpci_pcpu pcpu 1 lat_p50_ns)" 3000
expect "dpci pcpu1 lat p90" "$(g dpci_pcpu pcpu 1 lat_p90_ns)" 10000
expect "dpci pcpu1 batch avg" "$(g dpci_pcpu pcpu 1 batch_avg)" 1.667
expect "dpci pcpu1 lock wait" "$(g dpci_pcpu pcpu 1 lock_wait_ns)" 1500
# 5 runs over 4350 ns
expect "dpci pcpu1 runs/s" "$(g dpci_pcpu pcpu 1 runs_per_s)" 1149425.287

# maptrack
expect "mt dom1 use" "$(g maptrack_domain domid 1 use_pct)" 100.000
expect "mt dom1 steals" "$(g maptrack_domain domid 1 steals)" 2
expect "mt dom1 exhausted at" "$(g maptrack_domain domid 1 first_exhausted_at)" 2800
expect "mt dom2 use" "$(g maptrack_domain domid 2 use_pct)" 3.125

# EPT
expect "ept dom1 p50" "$(g ept_domain domid 1 lat_p50_ns)" 5000000
expect "ept dom1 p90" "$(g ept_domain domid 1 lat_p90_ns)" 9000000
expect "ept dom1 p99" "$(g ept_domain domid 1 lat_p99_ns)" 10000000
expect "ept dom1 ipis/flush" "$(g ept_domain domid 1 ipis_per_flush)" 8.000
expect "ept dom2 deferred%" "$(g ept_domain domid 2 deferred_pct)" 100.000
expect "ept dom2 coalesced%" "$(g ept_domain domid 2 coalesced_pct)" 50.000
expect "ept dom1 read waits" "$(g ept_domain domid 1 read_waits)" 2

# MSI-X
expect "msix dom1 emulated%" "$(g msix_domain domid 1 emulated_pct)" 62.500
expect "msix dom1 fwd reads" "$(g msix_domain domid 1 reads_forwarded)" 3
expect "msix dom1 fwd writes" "$(g msix_domain domid 1 writes_forwarded)" 1

# unknown events counted by id, not fatal
expect "unknown 0x00f0f001" "$(g events event 0x00f0f001 count)" 3
expect "unknown handling" "$(g events event 0x00f0f001 handling)" skipped
expect "TRC_HVM_CPUID" "$(g events event 0x0008200e count)" 2

# recommendations and their exact commands: PI lists unbounded, average
# 6 vCPUs / 8 pCPUs = 0.75, slack max(4, ceil(0.75 / 4)) = 4, bound 1 + 4
# = 5 < the 6 seen; maptrack 16 frames / 4 vCPUs = 4 per vCPU, exhausted:
# twice that, 8; EPT p99 10 ms synchronous > 1 ms: deferred
expect "rec pi" "$(g recommendations subsystem pi boot_parameter)" \
    "pi_list_policy=bounded pi_list_slack=4"
expect "rec maptrack" "$(g recommendations subsystem maptrack runtime_command)" \
    "xenhypfs write /params/gnttab_max_maptrack_frames 8"
expect "rec ept" "$(g recommendations subsystem ept boot_parameter)" \
    "ept_flush_policy=deferred"
# whole finding, not cut at a buffer's end
g recommendations subsystem pi finding | grep -q "no walk longer than 5 entries$" &&
    ok "rec pi finding whole" || fail "rec pi finding: $(g recommendations subsystem pi finding)"

# --dump: every record, in TSC order, the late window merged in
"$XA" --dump "$T" > "$TMP/dump" || fail "--dump exit $?"
expect "dump lines" "$(grep -c ' cpu[0-9]' "$TMP/dump")" 76
sorted=$(grep ' cpu[0-9]' "$TMP/dump" | awk '{print $1}' | sort -c -g 2>&1 && echo yes)
expect "dump in TSC order" "$sorted" yes
expect "dump line 4" "$(grep ' cpu[0-9]' "$TMP/dump" | sed -n 4p)" \
    "0.000000250 cpu3 TRC_SCHED_DOM_ADD [ 0x00000003 ]"
grep -q 'PI_LIST_ADD domid=1 vcpu=3 pcpu=0 len=6 from_pcpu=0 limit=0' \
    "$TMP/dump" && ok "dump names fields" || fail "dump field names"

# JSON parses (when python3 is there) and carries the same figure
"$XA" --json "$T" > "$TMP/out.json" || fail "--json exit $?"
if command -v python3 > /dev/null; then
    got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([r["lat_p99_ns"] for r in d["ept_domain"]["rows"] if r["domid"]==1][0])' "$TMP/out.json")
    expect "json ept p99" "$got" 10000000
fi

# --cpu-hz overrides RUN_INFO and says so
"$XA" --cpu-hz 1G "$T" > "$TMP/hz" || fail "--cpu-hz exit $?"
grep -q 'time base: 1000000000 Hz from --cpu-hz (the trace.s RUN_INFO says 2000000000 Hz)' \
    "$TMP/hz" && ok "cpu-hz override stated" || fail "cpu-hz override line"

# --interval: 1 us rows, 4350 ns of trace = 5 rows
"$XA" --csv --interval 0.000001 "$T" > "$TMP/iv" || fail "--interval exit $?"
expect "interval rows" "$(awk '/^## interval:/{f=1;next} f&&/^$/{f=0} f&&!/^#/' "$TMP/iv" | tail -n +2 | wc -l)" 5
# EPT flushes at 3550..3950 ns (9) and 4000..4200 ns (1 + 4)
expect "interval 3 ept" "$(csv_get "$TMP/iv" interval t_ns 3000 ept_flushes)" 9
expect "interval 4 ept" "$(csv_get "$TMP/iv" interval t_ns 4000 ept_flushes)" 5
expect "interval 3 t_s" "$(csv_get "$TMP/iv" interval t_ns 3000 t_s)" 0.000003000
expect "interval 3 lost" "$(csv_get "$TMP/iv" interval t_ns 3000 lost)" 7

finish
