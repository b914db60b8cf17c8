#!/bin/bash
# xte-hypfs-node (check-xen's dom0 reader of /telemetry) on a hypervisor
# built with only some of the fixes, through a faked libxenhypfs
# (tools/xentop-pi/tests/fakexen.c): a node missing from /telemetry is one
# "node=NAME not-built-in" line and no failure; the nodes there are read
# and held against the catalogue; a node that exists but cannot be read
# fails.
set -u
BUILD=${BUILD:-build}
T=$BUILD/tests/xen/xte-hypfs-node-fakexen
[ -x "$T" ] || { echo "SKIP: $T not built"; exit 77; }
out=$(mktemp /tmp/xte-hypfs-node.XXXXXX)
trap 'rm -f "$out"' EXIT
fail() { echo "FAIL: $*"; cat "$out"; exit 1; }

FAKEXEN_NODES=pi,maptrack "$T" pi msix dpci maptrack ept > "$out" 2>&1; rc=$?
[ $rc = 0 ] || fail "three fixes not built in: exit $rc"
for n in msix dpci ept; do
    grep -q "^node=$n not-built-in (no /telemetry/$n: the fix is not in this hypervisor)$" "$out" ||
        fail "$n not said to be not built in"
done
for n in pi maptrack; do
    grep -q "^node=$n type=blob .* parse=ok$" "$out" || fail "$n not read"
done
grep -q '^  domain-record 0: domid=0 ' "$out" || fail "maptrack's domain record"
echo "ok: pi, maptrack read; msix, dpci, ept not built in; exit 0"

FAKEXEN_NODES=pi,maptrack FAKEXEN_EACCES=maptrack "$T" pi maptrack > "$out" 2>&1; rc=$?
[ $rc = 1 ] || fail "unreadable node: exit $rc, expected 1"
grep -q '^node=maptrack unreadable: Permission denied$' "$out" || fail "unreadable maptrack"
echo "ok: an unreadable node fails (exit 1)"
