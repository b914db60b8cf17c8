#!/bin/bash
# Debian's promtool accepts what xen-telemetry-export writes and the example
# rules: `promtool check metrics` (format and naming lint) on a real export
# from the simulator's shared memory, `promtool check rules` and
# `promtool test rules` (alerts fire when and only when they should).
# Skips (77) only when promtool or our binaries are absent.
set -u
BUILD=${BUILD:-build}
EXPORT=$BUILD/bin/xen-telemetry-export
PUB=$BUILD/tests/xtx-testpub
HVSIM=$BUILD/bin/hvsim
RULES=contrib/prometheus/xen-telemetry-rules.yml
RULES_TEST=contrib/prometheus/xen-telemetry-rules.test.yml

command -v promtool >/dev/null || { echo "SKIP: promtool absent (Debian package prometheus; run scripts/setup-deps.sh)"; exit 77; }
[ -x "$EXPORT" ] && [ -x "$PUB" ] || { echo "SKIP: $EXPORT or $PUB not built"; exit 77; }

tmp=$(mktemp -d /tmp/xtx-promtool.XXXXXX)
shm=xtxchk$$
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    rm -f "/dev/shm/xte-$shm" "/dev/shm/xte-${shm}h"
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

# A real export (wait until the publisher has created its shared memory).
"$PUB" --shm "$shm" --seconds 20 >"$tmp/expect" &
pids+=($!)
for _ in $(seq 50); do [ -e "/dev/shm/xte-$shm" ] && break; sleep 0.1; done
sleep 0.3
"$EXPORT" --textfile "$tmp" --sim "$shm" --once || fail "export from the publisher"
out=$(promtool check metrics <"$tmp/xen_telemetry.prom" 2>&1); rc=$?
echo "promtool check metrics (test publisher): exit $rc${out:+: $out}"
[ "$rc" -eq 0 ] && [ -z "$out" ] || fail "promtool check metrics rejected or linted the export"
# One family per counter and gauge of each node's records, two per
# histogram (the histogram and its _max gauge), five from the headers
# (up, node_present, node_pcpus, node_domains, node_clock_seconds):
# counted from catalogue.def itself.
want=$(awk '/^CAT_NODE\(/ { on = 1 } on && /CAT_(COUNTER|GAUGE)\(/ { n++ }
            on && /CAT_HIST\(/ { n += 2 } END { print n + 5 }' tools/xentrace/catalogue.def)
got=$(grep -c '^# TYPE ' "$tmp/xen_telemetry.prom")
echo "metric families: $got, catalogue: $want"
[ "$got" -eq "$want" ] || fail "$got metric families exported, the catalogue has $want"
# The same with one histogram per host.
mkdir -p "$tmp/host"
"$EXPORT" --textfile "$tmp/host" --sim "$shm" --once --histograms host || fail "export --histograms host"
out=$(promtool check metrics <"$tmp/host/xen_telemetry.prom" 2>&1) || fail "promtool rejected --histograms host: $out"
[ -z "$out" ] || fail "promtool lint on --histograms host: $out"
grep -q '^xen_telemetry_ept_flush_latency_seconds_count [1-9]' "$tmp/host/xen_telemetry.prom" || fail "no per-host ept histogram"
echo "promtool check metrics (--histograms host): ok"
grep -q '^xen_telemetry_up{node="ept"} 1$' "$tmp/xen_telemetry.prom" || fail "ept node not up"

# The simulator itself, when it is built.
if [ -x "$HVSIM" ]; then
    "$HVSIM" --scenario mixed --variant optimized --seconds 6 --shm "${shm}h" >/dev/null 2>&1 &
    pids+=($!)
    for _ in $(seq 50); do [ -e "/dev/shm/xte-${shm}h" ] && break; sleep 0.1; done
    sleep 1
    mkdir -p "$tmp/h"
    if "$EXPORT" --textfile "$tmp/h" --sim "${shm}h" --once; then
        out=$(promtool check metrics <"$tmp/h/xen_telemetry.prom" 2>&1) || fail "promtool rejected the hvsim export: $out"
        [ -z "$out" ] || fail "promtool lint on the hvsim export: $out"
        echo "promtool check metrics (hvsim --scenario mixed): ok, $(grep -c '^xen_telemetry' "$tmp/h/xen_telemetry.prom") samples"
    else
        fail "export from hvsim --shm failed"
    fi
else
    echo "note: $HVSIM not built; exported the test publisher only"
fi

promtool check rules "$RULES" || fail "promtool check rules"
promtool test rules "$RULES_TEST" || fail "promtool test rules"
echo "PASS"
