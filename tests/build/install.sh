#!/bin/bash
# `make install` honours PREFIX and DESTDIR: every executable lands in
# DESTDIR/PREFIX/bin and runs from there, the schemas and queries in
# DESTDIR/PREFIX/share/xen-vtd-scale, and nothing is written outside DESTDIR.
set -eu
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
make -s install DESTDIR="$dest" PREFIX=/opt/xvs BUILD="${BUILD:-build}" \
    SANITIZE="${SANITIZE:-}" >/dev/null
bins=$(make -s --no-print-directory print-BINS BUILD="${BUILD:-build}" SANITIZE="${SANITIZE:-}")
[ -n "$bins" ] || { echo "no executables declared in BINS"; exit 1; }
for b in $bins; do
    f="$dest/opt/xvs/bin/$(basename "$b")"
    [ -x "$f" ] || { echo "missing after install: $f"; exit 1; }
done
[ -f "$dest/opt/xvs/share/xen-vtd-scale/schemas/schema.sql" ] || {
    echo "schemas not installed"; exit 1; }
# Nothing else at the top of DESTDIR: PREFIX was honoured.
[ "$(ls "$dest")" = opt ] || { echo "files outside PREFIX: $(ls "$dest")"; exit 1; }
echo "installed $(echo $bins | wc -w) executables and the schemas under DESTDIR/opt/xvs"
