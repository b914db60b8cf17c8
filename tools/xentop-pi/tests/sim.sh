#!/bin/bash
# --sim NAME against shared memory published with xte_shm_create (the
# harness's writer API): host facts and rates come through; a simulator
# restart (counters back to zero, new generation) gives no rate for that
# interval, never a negative or huge one; a stopped writer is reported.
set -eu
. "$(dirname "$0")/lib.sh"
name=xtp-test-$$
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -f /dev/shm/xte-$name; rm -rf "$TMP"; }
trap cleanup EXIT

"$HELP/xtp-mkshm" $name --pcpus 6 --domains 4 --seconds 20 --period 50 &
pid=$!
for i in $(seq 50); do [ -e /dev/shm/xte-$name ] && break; sleep 0.1; done
sleep 0.3
"$XTP" -b -i 3 -d 0.5 -V pi --sim $name > "$TMP/pi.txt"
grep -q "source=sim:$name pcpus=6 domains=4 hvm_vcpus=8 pi_limit=5" "$TMP/pi.txt" \
    || { cat "$TMP/pi.txt"; fail "host facts"; }
[ "$(grep -c '^xentop-pi ' "$TMP/pi.txt")" = 3 ] || fail "3 frames"
# adds grows by (c+1) per publish: whatever pace the publisher keeps
# under load, pCPU 5's rate is six times pCPU 0's.
r0=$(awk '/^xentop-pi /{f++} f==3 && $1 == "0" {print $6}' "$TMP/pi.txt")
r5=$(awk '/^xentop-pi /{f++} f==3 && $1 == "5" {print $6}' "$TMP/pi.txt")
awk -v a="$r0" -v b="$r5" 'BEGIN { exit !(a > 0 && b / a > 5.9 && b / a < 6.1) }' \
    || { cat "$TMP/pi.txt"; fail "adds/s on pCPU 0 and 5: $r0, $r5"; }
echo "ok: live rates ($r0 and $r5 adds/s on pCPUs 0 and 5)"

"$XTP" -b -i 2 -d 0.3 -V maptrack --csv --sim $name > "$TMP/mt.csv"
[ "$(grep -c '^[0-9]*,maptrack,' "$TMP/mt.csv")" = 8 ] || fail "maptrack rows"
grep -q ',maptrack,4,dom4,2,' "$TMP/mt.csv" || fail "domain 4 row"
echo "ok: maptrack per domain"
kill $pid; wait $pid 2>/dev/null || true; pid=

# Restart: generation 2 after 10 publishes.
"$HELP/xtp-mkshm" $name --pcpus 2 --domains 1 --seconds 20 --period 100 --restart-after 10 &
pid=$!
for i in $(seq 50); do [ -e /dev/shm/xte-$name ] && break; sleep 0.1; done
"$XTP" -b -i 14 -d 0.1 -V pi --csv --sim $name > "$TMP/restart.csv"
awk -F, '$2 == "pi" && $3 == 1 && $8 != "" && ($8 < 0 || $8 > 1000) {bad=1} END {exit bad}' "$TMP/restart.csv" \
    || { cat "$TMP/restart.csv"; fail "negative or huge rate across the restart"; }
awk -F, '$2 == "pi" && $3 == 1 {n++; if ($8 == "") blank++} END {exit !(blank >= 2 && n == 14)}' "$TMP/restart.csv" \
    || { cat "$TMP/restart.csv"; fail "expected no rate on the first frame and on the restart"; }
echo "ok: restart starts a new baseline"
kill $pid; wait $pid 2>/dev/null || true; pid=

# The simulator exits and a new one starts under the same name (a new
# file): xentop-pi follows it, and says when the writer is gone.
"$HELP/xtp-mkshm" $name --pcpus 2 --domains 1 --seconds 1.2 --period 100 &
pid=$!
for i in $(seq 50); do [ -e /dev/shm/xte-$name ] && break; sleep 0.1; done
"$XTP" -b -i 24 -d 0.25 -V pi --sim $name > "$TMP/reattach.txt" &
xpid=$!
wait $pid; pid=
sleep 1
"$HELP/xtp-mkshm" $name --pcpus 3 --domains 1 --seconds 20 --period 100 &
pid=$!
wait $xpid || fail "xentop-pi across the simulator restart: exit $?"
grep -q "simulator stopped: counters frozen" "$TMP/reattach.txt" || { cat "$TMP/reattach.txt"; fail "no note while the simulator was gone"; }
grep -q "pcpus=3 " "$TMP/reattach.txt" || { cat "$TMP/reattach.txt"; fail "did not follow the new simulator"; }
echo "ok: follows a restarted simulator"
