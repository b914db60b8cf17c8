#!/bin/bash
# Assemble the dom0 initramfs (cpio newc, gzip) for the real-Xen test.
#
#   scripts/xen-qemu/mkinitramfs.sh XQ_DIR BIN_DIR CHECKS OUT
#
#   XQ_DIR   the tree fetch.sh made (XQ_DIR/root holds the unpacked .debs)
#   BIN_DIR  the project's executables ($BUILD/bin); every executable found
#            there goes in /opt/xte/bin, absent ones are simply absent
#   CHECKS   the script dom0 runs (tests/xen/dom0-checks.sh), as /xte/checks.sh
#   OUT      the .cpio.gz to write
#
# XQ_EXTRA_BINS (environment): more executables for /opt/xte/bin that are
# not in BIN_DIR (the test's own helpers, e.g. xte-hypfs-node); absent
# ones are skipped.
#
# The image holds: busybox (static) and its applet links, the Xen device
# modules of Debian's kernel (xenfs, xen-privcmd, xen-evtchn, xen-gntdev,
# xen-gntalloc, with their dependencies, listed in load order in /lib/modules/xte/order),
# upstream xentrace, xenhypfs and xenalyze, the host's sqlite3 shell, the
# project's tools, the project's canned sqlite queries and the catalogue's
# telemetry node names, and every shared library those programs load
# (resolved with ldd, the Xen libraries taken from Debian's packages in
# XQ_DIR/root first).
set -euo pipefail

[ $# -eq 4 ] || { echo "usage: $0 XQ_DIR BIN_DIR CHECKS OUT" >&2; exit 2; }
XQ_DIR=$1 BIN_DIR=$2 CHECKS=$3 OUT=$4
ROOT=$(cd "$XQ_DIR/root" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
STAGE=$OUT.d
rm -rf "$STAGE"
mkdir -p "$STAGE"/{bin,sbin,dev,proc,sys,tmp,run,etc,xte,opt/xte/bin,opt/xte/share,usr/bin,lib/modules/xte}

die() { echo "mkinitramfs: $*" >&2; exit 1; }

# ---- busybox -------------------------------------------------------------
[ -x "$ROOT/bin/busybox" ] || die "no busybox in $ROOT (run fetch.sh)"
cp "$ROOT/bin/busybox" "$STAGE/bin/busybox"
for a in $("$ROOT/bin/busybox" --list); do
    [ "$a" = busybox ] || ln -sf busybox "$STAGE/bin/$a"
done

# ---- kernel modules, dependencies first ------------------------------------
KDIR=$ROOT/lib/modules/$(cat "$ROOT/.kernel" 2>/dev/null)
[ -f "$ROOT/.kernel" ] && [ -d "$KDIR/kernel" ] || die "no kernel modules for $(cat "$ROOT/.kernel" 2>/dev/null) in $ROOT/lib/modules (run fetch.sh)"
declare -A ko_path=() loaded=()
while IFS= read -r f; do
    n=$(basename "$f" .ko); ko_path[$n]=$f; ko_path[${n//-/_}]=$f
done < <(find "$KDIR/kernel" -name '*.ko')
order=()
add_module() {
    local n=$1 f deps d
    [ -n "${loaded[$n]:-}" ] && return 0
    f=${ko_path[$n]:-}
    [ -n "$f" ] || die "kernel module $n not found under $KDIR"
    loaded[$n]=1
    deps=$(grep -a -o 'depends=[A-Za-z0-9_,-]*' "$f" | head -n 1 | cut -d= -f2)
    for d in ${deps//,/ }; do add_module "$d"; done
    cp "$f" "$STAGE/lib/modules/xte/"
    order+=("$(basename "$f")")
}
# virtio_blk + virtio_pci: the results disk the checks write their files to;
# xen-gntalloc: dom0 grants pages to itself (the grant map/unmap check).
for m in xen-privcmd xenfs xen-evtchn xen-gntdev xen-gntalloc virtio_pci virtio_blk; do add_module "$m"; done
printf '%s\n' "${order[@]}" > "$STAGE/lib/modules/xte/order"

# ---- programs ----------------------------------------------------------------
progs=()
put_prog() {   # put_prog SRC DEST-IN-IMAGE
    cp -L "$1" "$STAGE$2"; chmod 0755 "$STAGE$2"; progs+=("$1")
}
put_prog "$ROOT/usr/lib/xen-4.17/bin/xentrace" /usr/bin/xentrace
put_prog "$ROOT/usr/sbin/xenhypfs" /usr/bin/xenhypfs
put_prog "$ROOT/usr/bin/xenalyze" /usr/bin/xenalyze
# A real host runs xenstored; libxenstat (domain names) talks to it.
put_prog "$ROOT/usr/lib/xen-4.17/bin/xenstored" /usr/bin/xenstored
put_prog "$ROOT/usr/lib/xen-4.17/bin/xen-init-dom0" /usr/bin/xen-init-dom0
put_prog "$ROOT/usr/lib/xen-4.17/bin/xentop" /usr/bin/xentop
if command -v sqlite3 >/dev/null; then
    put_prog "$(command -v sqlite3)" /usr/bin/sqlite3
fi
tools=()
if [ -d "$BIN_DIR" ]; then
    for t in "$BIN_DIR"/*; do
        [ -f "$t" ] && [ -x "$t" ] || continue
        put_prog "$t" "/opt/xte/bin/$(basename "$t")"
        tools+=("$(basename "$t")")
    done
fi
for t in ${XQ_EXTRA_BINS:-}; do
    [ -f "$t" ] && [ -x "$t" ] || continue
    put_prog "$t" "/opt/xte/bin/$(basename "$t")"
    tools+=("$(basename "$t")")
done
printf '%s\n' "${tools[@]}" > "$STAGE/opt/xte/share/tools"

# ---- shared libraries, via ldd -----------------------------------------------
# Debian's Xen libraries come from the fetched packages, not from the host.
declare -A libs_done=()
for p in "${progs[@]}"; do
    readelf -l "$p" 2>/dev/null | grep -q 'Requesting program interpreter' || continue
    out=$(LD_LIBRARY_PATH="$ROOT/usr/lib/x86_64-linux-gnu" ldd "$p") ||
        die "ldd failed on $p"
    if echo "$out" | grep -q 'not found'; then
        die "$p needs a library that cannot be found: $(echo "$out" | grep 'not found' | tr -s ' \t' ' ')"
    fi
    while read -r lib; do
        [ -n "$lib" ] && [ -z "${libs_done[$lib]:-}" ] || continue
        libs_done[$lib]=1
        dest=${lib#"$ROOT"}
        mkdir -p "$STAGE$(dirname "$dest")"
        cp -L "$lib" "$STAGE$dest"
    done < <(echo "$out" | awk '/=> \//{print $3} /^[ \t]*\/[^ ]*ld-linux/{print $1}')
done

# ---- data the checks use -----------------------------------------------------
mkdir -p "$STAGE/opt/xte/share/queries"
if ls "$TOP"/schemas/queries/*.sql >/dev/null 2>&1; then
    cp "$TOP"/schemas/queries/*.sql "$STAGE/opt/xte/share/queries/"
fi
# Telemetry node names, from the one catalogue.
sed -n 's/^CAT_NODE(\([a-z0-9_]*\),.*/\1/p' "$TOP/tools/xentrace/catalogue.def" \
    > "$STAGE/opt/xte/share/telemetry-nodes"
cp "$HERE/init" "$STAGE/init"
cp "$CHECKS" "$STAGE/xte/checks.sh"
chmod 0755 "$STAGE/init" "$STAGE/xte/checks.sh"
echo "root:x:0:0:root:/:/bin/sh" > "$STAGE/etc/passwd"

( cd "$STAGE" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 ) | gzip -1 > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
rm -rf "$STAGE"
echo "mkinitramfs: $OUT ($(du -k "$OUT" | cut -f1) KiB; modules: ${order[*]}; tools: ${tools[*]:-none})"
