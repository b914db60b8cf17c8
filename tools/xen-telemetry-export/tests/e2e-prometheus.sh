#!/bin/bash
# End to end, with Debian's real daemons on loopback ports of our own:
#
#   xtx-testpub (known counters) --shm--> xen-telemetry-export --sim -d 0.2
#     --> DIR/xen_telemetry.prom --> prometheus-node-exporter (textfile
#     collector only) --> prometheus (scrapes every 1 s, loads the example
#     rules) --> /api/v1/query
#
# then asks Prometheus for rate() of a counter and histogram_quantile() of
# histograms, the recording rules' results and the pending alerts, and
# checks them against the laws the publisher follows (it prints its own
# expected answers; see testpub.c).  When hvsim is built, the same path is
# also run against the simulator, whose counters are read back directly
# from its shared memory to check Prometheus's rate.
#
# Tolerances: rate() within 10% (the exporter writes every 0.2 s and
# Prometheus scrapes every 1 s, so each sample is up to ~0.2 s stale
# against a 10 s window); histogram_quantile() within 3% of the value
# interpolated from the publisher's exact mix, and inside the log2 bucket
# that holds the true quantile.
#
# Bounded: about 20 s (35 s with hvsim), hard limit 60 s; everything
# started is killed on exit.  Exit 77 only when a binary is absent.
set -u
BUILD=${BUILD:-build}
EXPORT=$BUILD/bin/xen-telemetry-export
PUB=$BUILD/tests/xtx-testpub
HVSIM=${HVSIM:-$BUILD/bin/hvsim}
NODE_EXPORTER=${NODE_EXPORTER:-$(command -v prometheus-node-exporter)}
PROMETHEUS=${PROMETHEUS:-$(command -v prometheus)}
RULES=$PWD/contrib/prometheus/xen-telemetry-rules.yml

for b in "$EXPORT" "$PUB" "$NODE_EXPORTER" "$PROMETHEUS"; do
    if [ -z "$b" ] || [ ! -x "$b" ]; then
        echo "SKIP: missing ${b:-prometheus/prometheus-node-exporter} (Debian packages prometheus, prometheus-node-exporter; make)"
        exit 77
    fi
done
command -v curl >/dev/null || { echo "SKIP: curl absent"; exit 77; }

tmp=$(mktemp -d /tmp/xtx-e2e.XXXXXX)
shm=xtxe2e$$
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
    rm -f "/dev/shm/xte-$shm" "/dev/shm/xte-${shm}h"
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'echo "FAIL: e2e test exceeded 60 s"; exit 1' TERM
# The hard bound: whatever hangs, the test ends within 60 s.  (The sleep is
# killed with its watchdog, so nothing outlives the test.)
( trap 'kill $s 2>/dev/null; exit 0' TERM
  sleep 60 & s=$!
  wait $s && kill -TERM $$ ) &
pids+=($!)

fail() {
    echo "FAIL: $*"
    for f in "$tmp"/*.log; do echo "--- $f"; tail -n 5 "$f"; done
    exit 1
}
start=$(date +%s.%N)
elapsed() { awk -v s="$start" -v n="$(date +%s.%N)" 'BEGIN { printf "%.1f", n - s }'; }

# --- a daemon on a free loopback port: try ports until one binds ----------
# start_daemon NAME PORTVAR PROBE-PATH CMD... (CMD may use @PORT@)
start_daemon() {
    local name=$1 var=$2 probe=$3 port pid i
    shift 3
    for attempt in 1 2 3 4 5; do
        port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
        "${@//@PORT@/$port}" >"$tmp/$name.log" 2>&1 &
        pid=$!
        for i in $(seq 100); do
            if curl -fs --max-time 2 -o /dev/null "http://127.0.0.1:$port$probe"; then
                pids+=($pid)
                printf -v "$var" '%s' "$port"
                echo "[$(elapsed)s] $name pid $pid on 127.0.0.1:$port"
                return 0
            fi
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
        grep -qi "address already in use" "$tmp/$name.log" || break
    done
    fail "$name did not start"
}

# --- Prometheus queries ------------------------------------------------------
# query EXPR [TIME]: prints the value of a one-element vector, or "none".
query() {
    local out
    out=$(curl -fsS --max-time 5 -G "http://127.0.0.1:$PPORT/api/v1/query" \
               --data-urlencode "query=$1" ${2:+--data-urlencode "time=$2"}) ||
        { echo none; return; }
    case $out in
    *'"result":[]'*) echo none ;;
    *) echo "$out" | sed -n 's/.*"value":\[[0-9.e+]*,"\([^"]*\)"\].*/\1/p' | head -n 1 ;;
    esac
}
# within GOT WANT FRACTION
within() {
    awk -v g="$1" -v w="$2" -v f="$3" 'BEGIN {
        if (g == "none" || g == "" || g == "NaN") exit 1
        d = g - w; if (d < 0) d = -d
        exit !(d <= f * (w < 0 ? -w : w)) }'
}
between() { awk -v g="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(g != "none" && g >= lo && g <= hi) }'; }
expect() { sed -n "s/^$2=//p" "$1"; }
checks=0
check() {   # check DESCRIPTION COMMAND...
    local what=$1
    shift
    if "$@"; then
        checks=$((checks + 1)); echo "  ok   $what"
    else
        fail "$what"
    fi
}

# --- the pipeline ----------------------------------------------------------
mkdir -p "$tmp/textfile" "$tmp/textfile-h" "$tmp/prom"

"$PUB" --shm "$shm" --seconds 55 --rate 1000 >"$tmp/expect.txt" 2>"$tmp/testpub.log" &
pids+=($!)
for _ in $(seq 50); do [ -e "/dev/shm/xte-$shm" ] && break; sleep 0.1; done
[ -e "/dev/shm/xte-$shm" ] || fail "publisher did not create /dev/shm/xte-$shm"
"$EXPORT" --textfile "$tmp/textfile" --sim "$shm" -d 0.2 2>"$tmp/export.log" &
pids+=($!)

start_daemon node-exporter NEPORT /metrics "$NODE_EXPORTER" \
    --web.listen-address=127.0.0.1:@PORT@ \
    --collector.disable-defaults --collector.textfile \
    --collector.textfile.directory="$tmp/textfile"

HVSIM_RUN=0
if [ -x "$HVSIM" ]; then
    HVSIM_RUN=1
    # dpci on 2 pCPUs: the lightest scenario with a histogram that
    # moves; its rate varies by tens of percent from second to second on
    # 2 cores, so windows are 8 s (check-promtool.sh exports "mixed").
    "$HVSIM" --scenario dpci --variant optimized --pcpus 2 --seconds 45 --shm "${shm}h" >"$tmp/hvsim.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do [ -e "/dev/shm/xte-${shm}h" ] && break; sleep 0.1; done
    [ -e "/dev/shm/xte-${shm}h" ] || fail "hvsim did not create /dev/shm/xte-${shm}h"
    "$EXPORT" --textfile "$tmp/textfile-h" --sim "${shm}h" -d 0.2 2>"$tmp/export-h.log" &
    pids+=($!)
    start_daemon node-exporter-h NEPORT_H /metrics "$NODE_EXPORTER" \
        --web.listen-address=127.0.0.1:@PORT@ \
        --collector.disable-defaults --collector.textfile \
        --collector.textfile.directory="$tmp/textfile-h"
fi

{
    echo "global: { scrape_interval: 1s, evaluation_interval: 1s }"
    echo "rule_files: [ '$RULES' ]"
    echo "scrape_configs:"
    echo "  - job_name: testpub"
    echo "    static_configs: [ { targets: [ '127.0.0.1:$NEPORT' ] } ]"
    if [ "$HVSIM_RUN" = 1 ]; then
        echo "  - job_name: hvsim"
        echo "    static_configs: [ { targets: [ '127.0.0.1:$NEPORT_H' ] } ]"
    fi
} >"$tmp/prometheus.yml"
start_daemon prometheus PPORT /-/ready "$PROMETHEUS" \
    --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/prom" \
    --web.listen-address=127.0.0.1:@PORT@ --log.level=warn

# Wait for 11 scrapes of the exported file (about 11 s of data).
for _ in $(seq 300); do
    n=$(query 'count_over_time(xen_telemetry_up{job="testpub",node="pi"}[20s])')
    [ "$n" != none ] && [ "${n%.*}" -ge 11 ] 2>/dev/null && break
    sleep 0.2
done
echo "[$(elapsed)s] $n scrapes in Prometheus"
[ "$n" != none ] && [ "${n%.*}" -ge 11 ] || fail "Prometheus did not collect the export (samples: $n)"

E=$tmp/expect.txt
sel='job="testpub"'

# The rate in the source's own time: counter and clock come from the same
# snapshot, so this is exact up to the publisher's integer rounding.
# (the expression docs/PROMETHEUS.md gives operators)
clock_rate() {  # clock_rate [AGGREGATION] SELECTOR NODE-SELECTOR SECONDS [TIME]
    query "($1($2) - $1($2 offset $4s)) / on(instance) group_left() ($3 - $3 offset $4s)" "${5:-}"
}
for p in 0 1; do
    want=$(expect "$E" "pi_adds_rate_pcpu$p")
    got=$(clock_rate "" "xen_telemetry_pi_adds_total{$sel,pcpu=\"$p\"}" \
                     "xen_telemetry_node_clock_seconds{$sel,node=\"pi\"}" 8)
    check "pi adds of pCPU $p per second of source clock = $got, publisher's law $want (0.5%)" within "$got" "$want" 0.005
done
# rate() itself divides by scrape time: the exporter's and the scrapes'
# delays enter it, so a loaded machine may need another window.
retry_within() {    # retry_within EXPR WANT FRACTION: up to 3 windows, 2 s apart
    local i
    for i in 1 2 3; do
        got=$(query "$1")
        within "$got" "$2" "$3" && return 0
        echo "       (window $i: $got)"
        sleep 2
    done
    return 1
}
for p in 0 1; do
    want=$(expect "$E" "pi_adds_rate_pcpu$p")
    check "rate(pi adds, pCPU $p [10s]) within 10% of the publisher's $want" \
        retry_within "rate(xen_telemetry_pi_adds_total{$sel,pcpu=\"$p\"}[10s])" "$want" 0.10
    echo "       got $got"
done
want=$(awk -v a="$(expect "$E" pi_adds_rate_pcpu0)" -v b="$(expect "$E" pi_adds_rate_pcpu1)" 'BEGIN { print a + b }')
check "sum of rates over pCPUs, publisher's $want (10%)" \
    retry_within "sum(rate(xen_telemetry_pi_adds_total{$sel}[10s]))" "$want" 0.10
echo "       got $got"

# histogram_quantile() over rate() of the exported buckets.
hq() { query "histogram_quantile($1, sum by (le) (rate(xen_telemetry_$2_bucket{$sel}[10s])))"; }
for spec in "0.99 ept_flush_latency_seconds ept_flush_p99" \
            "0.50 ept_flush_latency_seconds ept_flush_p50" \
            "0.99 dpci_latency_seconds dpci_latency_p99"; do
    set -- $spec
    got=$(hq "$1" "$2")
    check "histogram_quantile($1, $2) = $got, interpolated from the publisher's mix $(expect "$E" "$3_interp_s") (3%)" \
        within "$got" "$(expect "$E" "$3_interp_s")" 0.03
    check "  ... and inside the log2 bucket of the true quantile $(expect "$E" "$3_true_s") s" \
        between "$got" "$(expect "$E" "$3_bucket_low_s")" "$(expect "$E" "$3_bucket_high_s")"
done

# The example rules, evaluated by this Prometheus on this data.
got=$(query "instance:xen_telemetry_dpci_latency_seconds:p99_rate5m{instance=\"127.0.0.1:$NEPORT\"}")
check "recording rule dpci p99 = $got (publisher: $(expect "$E" dpci_latency_p99_interp_s), 3%)" \
    within "$got" "$(expect "$E" dpci_latency_p99_interp_s)" 0.03
want=$(awk -v l="$(expect "$E" pi_list_len_pcpu0)" -v m="$(expect "$E" pi_list_limit)" 'BEGIN { print l / m }')
got=$(query "pcpu:xen_telemetry_pi_list_fill:ratio{$sel,pcpu=\"0\"}")
check "recording rule PI list fill = $got, publisher's $want" within "$got" "$want" 0.0001
pending() {
    local v
    for _ in $(seq 25); do
        v=$(query "count(ALERTS{$sel,alertname=\"$1\",alertstate=\"pending\"$2})")
        [ "$v" = 1 ] && return 0
        sleep 0.2
    done
    return 1
}
check "alert XenPIListNearLimit pending for pCPU 0 (90% of its limit)" pending XenPIListNearLimit ',pcpu="0"'
check "  ... and not for pCPU 1 (30%)" \
    test "$(query "count(ALERTS{$sel,alertname=\"XenPIListNearLimit\",pcpu=\"1\"})")" = none
check "alert XenMaptrackNearLimit pending for domain 1 (950 of 1024 handles)" pending XenMaptrackNearLimit ',domid="1"'
check "node_exporter labels the file as the staleness rule expects" \
    test "$(query 'count(node_textfile_mtime_seconds{file=~".*xen_telemetry\\.prom"})')" != none
check "node_exporter read the file without error" \
    test "$(query "node_textfile_scrape_error{$sel}")" = 0

# --- the simulator ------------------------------------------------------------
# Counters summed per family from a direct read of the simulator's shared
# memory (an export written once, not through node_exporter/Prometheus).
direct_totals() {
    local d=$tmp/direct.$1
    mkdir -p "$d"
    "$EXPORT" --textfile "$d" --sim "${shm}h" --once 2>/dev/null || return 1
    awk '/^xen_telemetry_[a-z_]*_total\{/ { n = $1; sub(/\{.*/, "", n); s[n] += $2 }
         END { for (n in s) print n, s[n] }' "$d/xen_telemetry.prom" | sort
}
now() { date +%s.%N; }
# hist_quantile Q FAMILY FILE_A FILE_B: the quantile of the samples a
# histogram family (all series summed) gained between two direct reads,
# interpolated inside its bucket as histogram_quantile() does.
hist_quantile() {
    awk -v q="$1" -v f="$2_bucket{" '
        index($0, f) == 1 {
            match($0, /le="[^"]*"/); le = substr($0, RSTART + 4, RLENGTH - 5)
            if (FNR == NR) a[le] += $NF; else b[le] += $NF
        }
        END {
            n = 0
            for (le in b) if (le != "+Inf") les[++n] = le + 0
            # insertion sort: at most 31 finite bounds
            for (i = 2; i <= n; i++) { v = les[i]; for (j = i - 1; j >= 1 && les[j] > v; j--) les[j + 1] = les[j]; les[j + 1] = v }
            for (i = 1; i <= n; i++) { key[i] = sprintf("%.9f", les[i]) }
            total = b["+Inf"] - a["+Inf"]
            if (total <= 0) { print "none"; exit }
            rank = q * total; prev = 0; lower = 0
            for (i = 1; i <= n; i++) {
                c = 0
                for (le in b) if (le != "+Inf" && sprintf("%.9f", le + 0) == key[i]) c = b[le] - a[le]
                if (c >= rank) { print lower + (les[i] - lower) * (rank - prev) / (c - prev); exit }
                prev = c; lower = les[i]
            }
            print lower
        }' "$3" "$4"
}
# The histogram family that gained the most samples between two reads.
busiest_hist() {
    awk '/^xen_telemetry_[a-z_]*_count[{ ]/ { n = $1; sub(/_count.*/, "", n)
            if (FNR == NR) a[n] += $NF; else b[n] += $NF }
         END { best = ""; for (n in b) if (b[n] - a[n] > bd) { bd = b[n] - a[n]; best = n }
               print best }' "$1" "$2"
}
if [ "$HVSIM_RUN" = 1 ]; then
    hsel='job="hvsim"'
    ta=$(now); direct_totals a >"$tmp/a.txt" || fail "direct read of hvsim's shared memory"
    sleep 8
    # The busiest counter family of this run.
    tb=$(now); direct_totals b >"$tmp/b.txt" || fail "direct read of hvsim's shared memory"
    fam=$(join "$tmp/a.txt" "$tmp/b.txt" | awk '{ print $3 - $2, $1 }' | sort -g | tail -n 1 | cut -d' ' -f2)
    [ -n "$fam" ] || fail "no counter in hvsim's export"
    read -r va vb <<<"$(join "$tmp/a.txt" "$tmp/b.txt" | awk -v f="$fam" '$1 == f { print $2, $3 }')"
    node=$(echo "$fam" | cut -d_ -f3)
    clk() { sed -n "s/^xen_telemetry_node_clock_seconds{node=\"$node\"} //p" "$tmp/direct.$1/xen_telemetry.prom"; }
    ca=$(clk a); cb=$(clk b)
    direct_rate=$(awk -v a="$va" -v b="$vb" -v ta="$ca" -v tb="$cb" 'BEGIN { print (b - a) / (tb - ta) }')
    echo "  hvsim: busiest counter $fam: $va -> $vb in $(awk -v a="$ca" -v b="$cb" 'BEGIN { printf "%.2f", b - a }') s of simulator clock, $direct_rate/s read directly"
    check "hvsim counter $fam is moving" awk -v r="$direct_rate" 'BEGIN { exit !(r > 0) }'
    window=$(awk -v a="$ta" -v b="$tb" 'BEGIN { printf "%d", b - a }')
    # In the simulator's own clock, over the window ending at the instant of
    # the second direct read.  The two windows are the same length but may
    # be shifted by the export and scrape delays (about a second), and the
    # simulator's pace varies from second to second: 20%.
    got=$(clock_rate "sum by (instance)" "$fam{$hsel}" "xen_telemetry_node_clock_seconds{$hsel,node=\"$node\"}" "$window" "$tb")
    check "Prometheus: $fam per second of simulator clock = $got, direct read $direct_rate (20%)" within "$got" "$direct_rate" 0.20
    # histogram_quantile() against the simulator's own histogram over the
    # same stretch of time.  The two windows are not exactly the same
    # samples, so the bound is the histograms' own resolution: one log2
    # bucket (a factor of 2).
    hfam=$(busiest_hist "$tmp/direct.a/xen_telemetry.prom" "$tmp/direct.b/xen_telemetry.prom")
    [ -n "$hfam" ] || fail "no histogram moved in hvsim's export"
    for q in 0.5 0.99; do
        want=$(hist_quantile "$q" "$hfam" "$tmp/direct.a/xen_telemetry.prom" "$tmp/direct.b/xen_telemetry.prom")
        got=$(query "histogram_quantile($q, sum by (le) (rate(${hfam}_bucket{$hsel}[${window}s])))" "$tb")
        check "histogram_quantile($q, $hfam) = $got, from direct reads $want (within a factor of 2)" \
            awk -v g="$got" -v w="$want" 'BEGIN { exit !(g != "none" && w != "none" && w > 0 && g >= w / 2 && g <= w * 2) }'
    done
    # What Prometheus holds is what the simulator had: the latest stored
    # value and the simulator clock stored with it (same scrape) must be
    # ordered like the direct reads on either side of that clock (the
    # counter only grows).  Exact, whatever the delays.
    direct_totals c >"$tmp/c.txt"
    sleep 1
    tq=$(now)
    direct_totals d >"$tmp/d.txt"
    vp=$(query "sum($fam{$hsel})" "$tq")
    cp=$(query "xen_telemetry_node_clock_seconds{$hsel,node=\"$node\"}" "$tq")
    consistent() {
        local x v c
        awk -v c="$cp" -v a="$ca" -v d="$(clk d)" 'BEGIN { exit !(c >= a && c <= d) }' || return 1
        for x in a b c d; do
            v=$(awk -v f="$fam" '$1 == f { print $2 }' "$tmp/$x.txt"); c=$(clk $x)
            awk -v v="$v" -v c="$c" -v vp="$vp" -v cp="$cp" \
                'BEGIN { exit !((c <= cp && v <= vp) || (c >= cp && v >= vp)) }' || return 1
        done
    }
    check "Prometheus's latest sum($fam) = $vp at simulator clock $cp agrees with the 4 direct reads" consistent
else
    echo "note: $HVSIM not built: the simulator part was not run"
fi

echo "[$(elapsed)s] $checks checks passed"
exit 0
