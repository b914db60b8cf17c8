#!/bin/bash
# xentop-pi --xen on a hypervisor built with only some of the fixes
# (tests/fakexen.c fakes libxenctrl/libxenhypfs/libxenstat): a node missing
# from /telemetry is named as a fix not built into this hypervisor, its
# view shows no figures (not zeros), the other views keep their figures,
# and the exit status is 0.  A node that exists but cannot be read is named
# with its error; a hypervisor without /telemetry at all is told apart.
set -u
. "$(dirname "$0")/lib.sh"
F=$HELP/xentop-pi-fakexen
[ -x "$F" ] || { echo "SKIP: $F not built"; exit 77; }
cd "$TMP"

# ept not built in.
FAKEXEN_NODES=pi,msix,dpci,maptrack "$F" --xen -b -i 1 > out 2> err; rc=$?
[ $rc = 0 ] || { cat err; fail "one node missing: exit $rc"; }
[ ! -s err ] || { cat err; fail "one node missing: something on stderr"; }
grep -qx 'note: fixes not built into this hypervisor: ept' out ||
    { cat out; fail "one node missing: the note does not say ept is not built in"; }
grep -qx '== ept: no ept telemetry: the fix is not built into this hypervisor' out ||
    { cat out; fail "ept view"; }
# The ept rows carry no figure: every column after the name is '-'.
awk '/^== ept:/ { e = 1; next } /^== / { e = 0 } e && $1 ~ /^[0-9]+$/ {
         for (i = 3; i <= NF; i++) if ($i != "-") bad = 1; n++ }
     END { exit !(n >= 1 && !bad) }' out || { cat out; fail "ept rows show figures"; }
# The others read (the fake's records are never zero): pi's pCPU 1 LEN 200.
grep -Eq '^ +1 +200 ' out || { cat out; fail "pi view lost its figures"; }
grep -q '^== maptrack: domains: 1;' out || { cat out; fail "maptrack view"; }
echo "ok: ept not built in: $(grep '^note:' out)"

# Two missing, one unreadable.
FAKEXEN_NODES=pi,dpci,maptrack FAKEXEN_EACCES=dpci "$F" --xen -b -i 1 -V pi > out 2> err; rc=$?
[ $rc = 0 ] || { cat err; fail "unreadable node: exit $rc"; }
grep -qx 'note: fixes not built into this hypervisor: msix ept; cannot read /telemetry/dpci (Permission denied)' out ||
    { cat out; fail "unreadable node: note"; }
echo "ok: $(grep '^note:' out)"
FAKEXEN_NODES=pi,dpci,maptrack FAKEXEN_EACCES=dpci "$F" --xen -b -i 1 -V dpci > out 2> err ||
    fail "unreadable node, dpci view: exit $?"
grep -qx '== dpci: no dpci telemetry: cannot read /telemetry/dpci (Permission denied)' out ||
    { cat out; fail "unreadable node: the dpci view does not say why"; }

# No /telemetry at all: a hypervisor without the telemetry core.
FAKEXEN_TELEMETRY=0 "$F" --xen -b -i 1 -V pi > out 2> err; rc=$?
[ $rc = 0 ] || { cat err; fail "stock hypervisor: exit $rc"; }
grep -q '^note: hypervisor lacks telemetry nodes: /telemetry/pi ' out ||
    { cat out; fail "stock hypervisor: note"; }
grep -q 'not built' out && { cat out; fail "stock hypervisor taken for missing fixes"; }
echo "ok: $(grep '^note:' out)"

# Every node there: no note.
"$F" --xen -b -i 1 > out 2> err || fail "all nodes: exit $?"
grep -q '^note:' out && { cat out; fail "all nodes: unexpected note"; }
echo "ok: all five nodes, no note"
