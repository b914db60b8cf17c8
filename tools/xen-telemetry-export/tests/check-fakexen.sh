#!/bin/bash
# xen-telemetry-export --xen on a hypervisor built with only some of the
# fixes (tools/xentop-pi/tests/fakexen.c fakes the Xen libraries): a node
# missing from /telemetry is a fix not built in: xen_telemetry_node_present
# 0 and up 0 for it, none of its metrics (no zeros), one line on stderr
# saying so, the other nodes exported, exit 0.  A node that exists but
# cannot be read is an error (named on stderr, no node_present sample).
set -u
BUILD=${BUILD:-build}
X=$BUILD/tests/xen-telemetry-export-fakexen
[ -x "$X" ] || { echo "SKIP: $X not built"; exit 77; }
tmp=$(mktemp -d /tmp/xtx-fakexen.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
prom=$tmp/xen_telemetry.prom
has() { grep -qx -- "$1" "$prom" || fail "$2: no line '$1'"; }

FAKEXEN_NODES=pi,msix,dpci,maptrack "$X" --xen --once --textfile "$tmp" 2> "$tmp/err"; rc=$?
[ $rc = 0 ] || fail "ept missing: exit $rc ($(cat "$tmp/err"))"
for n in pi msix dpci maptrack; do
    has "xen_telemetry_up{node=\"$n\"} 1" "ept missing"
    has "xen_telemetry_node_present{node=\"$n\"} 1" "ept missing"
    grep -q "^xen_telemetry_${n}_" "$prom" || fail "ept missing: no $n metrics"
done
has 'xen_telemetry_up{node="ept"} 0' "ept missing"
has 'xen_telemetry_node_present{node="ept"} 0' "ept missing"
grep -q '^xen_telemetry_ept_' "$prom" && fail "ept missing: ept metrics exported"
grep '^xen_telemetry_node_[a-z_]*{node="ept"}' "$prom" |
    grep -vq '^xen_telemetry_node_present' &&
    fail "ept missing: ept header metrics exported"
[ "$(grep -c . "$tmp/err")" = 1 ] && grep -q 'node ept: not in this hypervisor (the fix that publishes it is not built in)' "$tmp/err" ||
    fail "ept missing: stderr '$(cat "$tmp/err")'"
echo "ok: ept not built in: present 0, up 0, no ept_ metrics; $(cat "$tmp/err")"

# Unreadable is not "not built in".
FAKEXEN_NODES=pi,dpci FAKEXEN_EACCES=dpci "$X" --xen --once --textfile "$tmp" 2> "$tmp/err"; rc=$?
[ $rc = 0 ] || fail "unreadable: exit $rc"
has 'xen_telemetry_up{node="dpci"} 0' "unreadable"
grep -q '^xen_telemetry_node_present{node="dpci"}' "$prom" && fail "unreadable: dpci said present or absent"
has 'xen_telemetry_node_present{node="ept"} 0' "unreadable"
grep -q 'cannot read /telemetry/dpci: Permission denied' "$tmp/err" || fail "unreadable: stderr '$(cat "$tmp/err")'"
echo "ok: unreadable dpci: up 0, no node_present sample, error named"

# The file is valid exposition text (promtool, when installed).
if command -v promtool > /dev/null; then
    FAKEXEN_NODES=pi,maptrack "$X" --xen --once --textfile "$tmp" 2> /dev/null || fail "promtool run: exit $?"
    promtool check metrics < "$prom" > "$tmp/lint" 2>&1 || { cat "$tmp/lint"; fail "promtool check metrics"; }
    echo "ok: promtool check metrics"
fi
