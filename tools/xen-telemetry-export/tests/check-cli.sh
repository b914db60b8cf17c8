#!/bin/bash
# xen-telemetry-export's command line and its life as a service: bad
# options and inputs get one clear error and a non-zero exit; --trace reads
# a file or a pipe to its final counters; a running exporter rewrites the
# file each interval, follows a simulator that restarts, and stops cleanly
# on SIGTERM leaving no temporary file behind.
set -u
BUILD=${BUILD:-build}
EXPORT=$BUILD/bin/xen-telemetry-export
PUB=$BUILD/tests/xtx-testpub
[ -x "$EXPORT" ] && [ -x "$PUB" ] || { echo "SKIP: $EXPORT or $PUB not built"; exit 77; }

tmp=$(mktemp -d /tmp/xtx-cli.XXXXXX)
shm=xtxcli$$
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    rm -f "/dev/shm/xte-$shm" "/dev/shm/xte-${shm}bad"
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
n=0
# expect_fail WANT_RC PATTERN ARGS...: exit status and a message matching PATTERN
expect_fail() {
    local want=$1 pat=$2 rc
    shift 2
    "$EXPORT" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?
    [ "$rc" -eq "$want" ] || fail "'$*': exit $rc, expected $want ($(cat "$tmp/err"))"
    grep -q -- "$pat" "$tmp/err" || fail "'$*': message '$(head -n 1 "$tmp/err")' lacks '$pat'"
    n=$((n + 1)); echo "  ok   $* -> exit $rc: $(head -n 1 "$tmp/err")"
}

expect_fail 2 "textfile DIR is required" --sim x
expect_fail 2 "exactly one of" --textfile "$tmp"
expect_fail 2 "exactly one of" --textfile "$tmp" --sim a --sim b
expect_fail 2 "not a directory" --textfile "$tmp/none" --sim x
expect_fail 2 "'abc': expected seconds" --textfile "$tmp" --sim x -d abc
expect_fail 2 "'0': expected seconds" --textfile "$tmp" --sim x -d 0
expect_fail 2 "ending in .prom" --textfile "$tmp" --sim x --file out.txt
expect_fail 2 "'pcpu': expected record or host" --textfile "$tmp" --sim x --histograms pcpu
expect_fail 2 "unexpected argument" --textfile "$tmp" --sim x extra
expect_fail 1 "/dev/shm/xte-$shm-none" --textfile "$tmp" --sim "$shm-none" --once
if [ ! -e /dev/xen/privcmd ]; then
    expect_fail 2 "no Xen hypervisor here.*; use --sim NAME" --textfile "$tmp" --xen --once
fi
# Garbage where the shared memory should be: named, with an offset.
head -c 4096 /dev/urandom >"/dev/shm/xte-${shm}bad"
expect_fail 1 "xte-${shm}bad: offset 0: bad magic" --textfile "$tmp" --sim "${shm}bad" --once
[ ! -e "$tmp/xen_telemetry.prom" ] || fail "a failed start wrote a file"

# --trace, through xentop-pi's collector, on its known trace (the laws are
# in tools/xentop-pi/tests/xtp-mktrace.c: pCPU c adds (c+1)(k+1) vCPUs to
# its PI list in second k = 0, 1, 2, i.e. 6(c+1) in all).
MKTRACE=$BUILD/tests/xentop-pi/xtp-mktrace
if [ -x "$MKTRACE" ]; then
    "$MKTRACE" "$tmp/k.trace" >/dev/null || fail "xtp-mktrace"
    adds_of() { sed -n "s/^xen_telemetry_pi_adds_total{pcpu=\"$2\"} //p" "$1/xen_telemetry.prom"; }
    mkdir -p "$tmp/tr" "$tmp/tp" "$tmp/tc"
    # A file, no --once: read to its end, final counters, exit 0.
    timeout 20 "$EXPORT" --textfile "$tmp/tr" --trace "$tmp/k.trace" -d 5 || fail "--trace FILE exit $?"
    for c in 0 1 2 3; do
        [ "$(adds_of "$tmp/tr" $c)" = $((6 * (c + 1))) ] || fail "--trace: pCPU $c adds $(adds_of "$tmp/tr" $c), expected $((6 * (c + 1)))"
    done
    n=$((n + 1)); echo "  ok   --trace FILE: final PI adds per pCPU 6 12 18 24, exit 0"
    # A pipe: followed until the writer closes it.
    cat "$tmp/k.trace" | timeout 20 "$EXPORT" --textfile "$tmp/tp" --trace - -d 0.2 || fail "--trace - exit $?"
    [ "$(adds_of "$tmp/tp" 3)" = 24 ] || fail "--trace -: pCPU 3 adds $(adds_of "$tmp/tp" 3)"
    n=$((n + 1)); echo "  ok   --trace - (pipe): same final counters"
    if command -v promtool >/dev/null; then
        out=$(promtool check metrics <"$tmp/tr/xen_telemetry.prom" 2>&1) && [ -z "$out" ] || fail "promtool on the trace export: $out"
        n=$((n + 1)); echo "  ok   promtool check metrics accepts the trace export"
    fi
    # Cut mid-record: what was read is exported, the error named, exit 1.
    "$MKTRACE" "$tmp/cut.trace" --cut 10001 >/dev/null || fail "xtp-mktrace --cut"
    expect_fail 1 "cut.trace: offset [0-9]*: truncated record" --textfile "$tmp/tc" --trace "$tmp/cut.trace" --once
    grep -q '^xen_telemetry_up{node="pi"} 1$' "$tmp/tc/xen_telemetry.prom" || fail "cut trace: nothing exported"
    n=$((n + 1)); echo "  ok   cut trace: the records before the cut exported"
    # Not a trace at all: that one error, not five more lines of nodes
    # "not provided" after it.
    head -c 4096 /dev/urandom >"$tmp/junk.trace"
    expect_fail 1 "junk.trace: offset 0: not a xentrace trace" --textfile "$tmp/tc" --trace "$tmp/junk.trace" --once
    [ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "junk trace: $(wc -l <"$tmp/err") lines on stderr, expected 1: $(cat "$tmp/err")"
    : | "$EXPORT" --textfile "$tmp/tc" --trace - --once >/dev/null 2>"$tmp/err"
    [ $? -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "offset 0: empty input" "$tmp/err" ||
        fail "empty pipe: $(cat "$tmp/err")"
    n=$((n + 1)); echo "  ok   junk trace and empty pipe: one line each, exit 1"
else
    echo "note: $MKTRACE not built: --trace not exercised"
fi

# A running exporter: rewrites, follows a restarted simulator, stops.
"$PUB" --shm "$shm" --seconds 30 --rate 100000 >/dev/null &
pub=$!; pids+=($pub)
for _ in $(seq 50); do [ -e "/dev/shm/xte-$shm" ] && break; sleep 0.1; done
"$EXPORT" --textfile "$tmp" --sim "$shm" -d 0.1 2>"$tmp/export.err" &
exp=$!; pids+=($exp)
adds() { sed -n 's/^xen_telemetry_pi_adds_total{pcpu="0"} //p' "$tmp/xen_telemetry.prom" 2>/dev/null; }
sleep 1
a1=$(adds); sleep 0.5; a2=$(adds)
[ -n "$a1" ] && [ -n "$a2" ] && [ "$a2" -gt "$a1" ] || fail "file not rewritten with new values ($a1 then $a2)"
n=$((n + 1)); echo "  ok   rewritten every interval: pi adds $a1 then $a2"
kill "$pub"; wait "$pub" 2>/dev/null
"$PUB" --shm "$shm" --seconds 30 --rate 100000 >/dev/null &
pids+=($!)
sleep 0.6
a3=$(adds)
[ -n "$a3" ] && [ "$a3" -lt "$a2" ] || fail "did not follow the restarted simulator ($a2 then $a3)"
n=$((n + 1)); echo "  ok   followed a restarted simulator: pi adds $a2 then $a3 (counter reset)"
kill -TERM "$exp"; wait "$exp"; rc=$?
[ "$rc" -eq 0 ] || fail "exit $rc on SIGTERM"
left=$(find "$tmp" -name '.xen_telemetry.prom.*' | wc -l)
[ "$left" -eq 0 ] || fail "$left temporary files left"
n=$((n + 1)); echo "  ok   SIGTERM: exit 0, no temporary file left"
# SIGTERM while --once reads a trace to its end (here a pipe that never
# ends): it stops at once, exits 1 and writes no export (it waited for the
# next sample, deaf to the signal, however long that took).
mkdir -p "$tmp/sigterm"
mkfifo "$tmp/sigterm/fifo"
exec 7<>"$tmp/sigterm/fifo"
"$EXPORT" --once --trace - --textfile "$tmp/sigterm" <"$tmp/sigterm/fifo" 2>/dev/null &
exp=$!
sleep 0.5
kill -TERM "$exp"
for _ in $(seq 100); do kill -0 "$exp" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$exp" 2>/dev/null; then
    kill -KILL "$exp"; exec 7>&-
    fail "--once --trace -: still running 10 s after SIGTERM"
fi
wait "$exp"; rc=$?
exec 7>&-
[ "$rc" -eq 1 ] || fail "--once --trace -: exit $rc after SIGTERM, expected 1"
[ -z "$(ls "$tmp/sigterm" | grep -v '^fifo$')" ] || fail "--once --trace -: wrote $(ls "$tmp/sigterm") after SIGTERM"
n=$((n + 1)); echo "  ok   SIGTERM during --once --trace: exit 1 at once, nothing written"
# The systemd examples parse, with ExecStart pointed at this build.
if command -v systemd-analyze >/dev/null; then
    mkdir -p "$tmp/units"
    case $EXPORT in /*) abs=$EXPORT ;; *) abs=$PWD/$EXPORT ;; esac
    for u in contrib/systemd/xen-telemetry-export.service \
             contrib/systemd/xen-telemetry-export-once.service \
             contrib/systemd/xen-telemetry-export.timer; do
        sed "s|/usr/local/bin/xen-telemetry-export|$abs|" "$u" >"$tmp/units/${u##*/}"
    done
    out=$(cd "$tmp/units" && systemd-analyze verify ./xen-telemetry-export.service \
          ./xen-telemetry-export-once.service ./xen-telemetry-export.timer 2>&1) ||
        fail "systemd-analyze verify: $out"
    [ -z "$out" ] || fail "systemd-analyze verify: $out"
    grep -q -- '--xen --textfile /var/lib/prometheus/node-exporter' contrib/systemd/xen-telemetry-export.service || fail "service: unexpected ExecStart"
    n=$((n + 1)); echo "  ok   systemd-analyze verify accepts the service, the oneshot and the timer"
else
    echo "note: systemd-analyze absent: unit files not verified"
fi
echo "PASS: $n checks"
