#!/bin/bash
# Against the real simulator: hvsim runs seed 000 (PI lists) publishing its
# counters in shared memory and writing a trace.  The counters xentop-pi
# derives from the trace must equal the ones the hv/ code kept, field by
# field, for everything the trace sees (list length, high-water mark,
# limit, wakeups, entries walked, walk histogram).  Adds differ by design:
# the lists are filled before tracing starts.
set -u
. "$(dirname "$0")/lib.sh"
HVSIM=$BUILD/bin/hvsim
[ -x "$HVSIM" ] || { echo "hvsim not built"; exit 77; }
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed"; exit 77; }
name=xtp-hvsim-$$
trap 'rm -f /dev/shm/xte-$name; rm -rf "$TMP"' EXIT
cd "$TMP"
"$HVSIM" --scenario pi --variant optimized --pcpus 8 --seconds 1 --shm $name --trace pi.trace > hvsim.out 2>&1 \
    || { cat hvsim.out; fail "hvsim exit $?"; }
"$XTP" -b -i 1 -V pi --sim $name --record cmp.db > sim.txt || fail "--sim: exit $?"
"$XTP" -b -V pi --trace pi.trace --record cmp.db > trace.txt || fail "--trace: exit $?"
grep -q "source=sim:$name pcpus=8 domains=256 hvm_vcpus=4096 pi_limit=" sim.txt || { head -3 sim.txt; fail "sim host facts"; }
lim=$(sed -n 's/.* pi_limit=\([0-9]*\).*/\1/p' sim.txt | head -1)
tail -n +1 trace.txt | grep -q "source=trace:pi.trace pcpus=8 domains=256 hvm_vcpus=4096 pi_limit=$lim" || fail "trace host facts"
q() {
    sqlite3 cmp.db "SELECT c.pcpu, c.list_len, c.list_hwm, c.list_limit, c.wakeup_irqs, c.entries_walked,
                           c.vcpus_woken, c.walk_len_count, c.walk_len_sum, c.walk_len_max, hex(c.walk_len_buckets)
                    FROM ctr_pi_pcpu c WHERE c.run_id = $1
                     AND c.sample_ns = (SELECT max(sample_ns) FROM ctr_pi_pcpu WHERE run_id = $1)
                    ORDER BY c.pcpu"
}
q 1 > from-sim
q 2 > from-trace
[ "$(wc -l < from-sim)" = 8 ] || fail "8 pCPU rows from the simulator"
awk -F'|' '$5 == 0 {z++} END {exit z == NR}' from-sim || fail "no wakeups at all: nothing compared"
same "trace-derived PI counters equal the hypervisor's" from-sim from-trace
