#!/bin/bash
# Integration test on a real hypervisor: Debian's Xen 4.17 (or XEN_IMAGE)
# with Debian's 6.1 kernel as PV dom0, booted under QEMU in software
# emulation, runs tests/xen/dom0-checks.sh in dom0 with upstream xentrace /
# xenhypfs / xenalyze and the project's tools, and this script asserts on
# the results it reads off the serial console.  Then the captures dom0
# wrote to the results disk are read again here by this build's own
# xenalyze-ext (the sanitizer build under SANITIZE=...).
#
#   tests/xen/check-xen.sh            (make check-xen; also part of make check)
#   XEN_IMAGE=/path/to/xen.gz tests/xen/check-xen.sh
#
# Exit: 0 all checks passed, 1 a check failed or dom0 never came up,
# 77 QEMU cannot run here (the one case that skips).
# Files: $BUILD/xen-qemu-run/last/ (console.log, initramfs, out/ = dom0's
# evidence: the captures, tool outputs, sqlite files).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
XQ=${XQ_DIR:-build/xen-qemu}           # downloads: shared by every build tree
QEMU=${QEMU:-qemu-system-x86_64}
t0=$(date +%s)
# Several people may run make check in one tree at once: every run gets its
# own directory (console log, image, results disk); "last" points to the
# newest finished one, older finished ones are removed.
RUNS=$BUILD/xen-qemu-run
mkdir -p "$RUNS"
RUN=$(mktemp -d "$RUNS/run.XXXXXX")
echo $$ > "$RUN/pid"
finish() {
    rm -f "$RUN/results.img"          # 256 MiB sparse; its files are in out/
    ln -sfn "$(basename "$RUN")" "$RUNS/last"
    for d in "$RUNS"/run.*; do
        [ "$d" = "$RUN" ] && continue
        p=$(cat "$d/pid" 2>/dev/null)
        [ -n "$p" ] && kill -0 "$p" 2>/dev/null && continue
        rm -rf "$d"
    done
}
trap finish EXIT

fail() { echo "FAIL: $*"; exit 1; }
elapsed() { echo "$(( $(date +%s) - t0 )) s"; }

# ---- can QEMU run at all? (the only reason to skip) ---------------------------
if ! command -v "$QEMU" >/dev/null 2>&1; then
    echo "SKIP: $QEMU not installed (Debian package qemu-system-x86, installed by scripts/setup-deps.sh)"
    exit 77
fi
if ! "$QEMU" -machine none -display none -nodefaults -S -monitor none \
        -device help > /dev/null 2>&1; then
    echo "SKIP: $QEMU is installed but cannot run here: $("$QEMU" --version 2>&1 | head -n 1)"
    exit 77
fi

# ---- packages, image, boot -----------------------------------------------------
# Concurrent runs share build/xen-qemu: fetching (which may replace root/)
# holds the lock exclusively; copying out of root/ holds it shared.
mkdir -p "$XQ"
flock "$XQ/.lock" scripts/xen-qemu/fetch.sh "$XQ" ||
    fail "cannot fetch Debian's Xen/kernel packages (see above)"
if [ -n "${XEN_IMAGE:-}" ]; then
    xen=$XEN_IMAGE stock=0
    echo "check-xen: booting the user-supplied hypervisor XEN_IMAGE=$XEN_IMAGE (sha256 $(sha256sum < "$XEN_IMAGE" 2>/dev/null | cut -c1-16)...)"
else
    xen=$RUN/xen-4.17-amd64.gz stock=1
fi
kernel=$RUN/vmlinuz
# dom0's own helpers: the /telemetry reader (tests/xen/hypfs-node.c) and
# the grant map/unmap loop (tests/xen/grant-loop.c).
export XQ_EXTRA_BINS="$BUILD/tests/xen/xte-hypfs-node $BUILD/tests/xen/xte-grant-loop"
flock -s "$XQ/.lock" sh -c '
    k=$1/root/boot/vmlinuz-$(cat "$1/root/.kernel" 2>/dev/null)
    [ -f "$k" ] || { echo "no dom0 kernel $k"; exit 1; }
    cp "$k" "$2/vmlinuz" && cp "$1/root/boot/xen-4.17-amd64.gz" "$2/" &&
    scripts/xen-qemu/mkinitramfs.sh "$1" "$3" tests/xen/dom0-checks.sh "$2/initramfs.cpio.gz"
' - "$XQ" "$RUN" "$BUILD/bin" || fail "could not assemble the dom0 kernel, hypervisor and initramfs"

disk=$RUN/results.img
rm -f "$disk"
truncate -s 256M "$disk"
rm -rf "$RUN/out"
mkdir -p "$RUN/out"

log=$RUN/console.log
XQ_DISK=$disk XQ_DOM0_ARGS="xte_stock=$stock ${XQ_DOM0_ARGS:-}" XQ_TIMEOUT=${XQ_TIMEOUT:-270} \
    scripts/xen-qemu/boot.sh "$xen" "$kernel" "$RUN/initramfs.cpio.gz" "$log"
qrc=$?
[ $qrc -eq 3 ] && fail "the hypervisor image cannot be booted (see above)"
echo "check-xen: boot and in-dom0 checks took $(elapsed) (QEMU status $qrc)"
# Which hypervisor this was: its banner (build time, debug=y|n).
tr -d '\r' < "$log" | grep -a -m1 '(XEN) Xen version' | sed 's/^/check-xen: /'

# ---- what dom0 said -------------------------------------------------------------
# Markers may follow other console text on the same line; take them from
# the marker on.  Strip carriage returns the serial line adds.
markers=$(tr -d '\r\000' < "$log" | grep -a -o 'XTE-[A-Z]*.*')
if ! echo "$markers" | grep -q '^XTE-BOOT dom0-up'; then
    echo "last console lines:"
    tail -n 25 "$log" | sed 's/^/    /'
    [ $qrc -eq 124 ] && fail "dom0 never came up: timeout after ${XQ_TIMEOUT:-270} s (load average: $(cut -d' ' -f1-3 /proc/loadavg); software emulation slows down with the host's load)"
    fail "dom0 never came up (QEMU status $qrc)"
fi
echo "$markers" | grep '^XTE-BOOT'
results=$(echo "$markers" | grep '^XTE-RESULT ')
echo "$results"
ends=$(echo "$markers" | grep '^XTE-CHECKS ')
if [ -z "$ends" ]; then
    echo "last console lines:"
    tail -n 25 "$log" | sed 's/^/    /'
    fail "the in-dom0 checks did not finish (QEMU status $qrc)"
fi
total=$(echo "$ends" | sed -n 's/.*total=\([0-9]*\).*/\1/p')
seen=$(echo "$results" | grep -c . )
# init's own dom0-modules result is not counted by checks.sh.
[ "$seen" -eq $((total + 1)) ] ||
    fail "dom0 reported $total results but $((seen - 1)) reached the console intact"

# ---- the captures again, on the host ---------------------------------------------
host_results=()
hres() { host_results+=("XTE-RESULT $1 $2 $3"); }
if tar -xf "$disk" -C "$RUN/out" 2>/dev/null; then
    for name in sched all; do
        f=$RUN/out/$name.trace
        [ -s "$f" ] || continue
        if [ ! -x "$BUILD/bin/xenalyze-ext" ]; then
            hres "host-xenalyze-ext-$name" SKIP "xenalyze-ext is not built yet"
            continue
        fi
        # The byte walk again, here (od + awk), and this build's xenalyze-ext
        # (under SANITIZE=... the sanitizer build) on the capture dom0 took.
        walk=$(od -An -v -tu4 -w4 "$f" | awk '
            { if (skip > 0) { skip--; next }
              h = $1; skip = int(h / 268435456) % 8 + (h >= 2147483648 ? 2 : 0); n++ }
            END { print (skip ? -1 : n) }')
        "$BUILD/bin/xenalyze-ext" --summary --json "$f" > "$RUN/out/$name.host.json" 2>&1; rc=$?
        j=$RUN/out/$name.host.json
        recs=$(sed -n 's/.*"item": *"records", *"value": *\([0-9]*\).*/\1/p' "$j" | head -n 1)
        win=$(sed -n 's/.*"item": *"cpu windows", *"value": *\([0-9]*\).*/\1/p' "$j" | head -n 1)
        sed -n 's/.*"event": *"\(0x[0-9a-f]*\)".*"count": *\([0-9]*\).*/\1 \2/p' "$j" | sort > "$RUN/out/$name.events.host"
        if [ $rc -eq 0 ] && [ -n "$recs" ] && [ -n "$win" ] && [ $((recs + win)) -eq "$walk" ] &&
           [ "$walk" = "$(cat "$RUN/out/$name.count" 2>/dev/null)" ] &&
           cmp -s "$RUN/out/$name.events.host" "$RUN/out/$name.events.walk"; then
            hres "host-xenalyze-ext-$name" PASS "$BUILD/bin/xenalyze-ext on dom0's capture: records $recs + windows $win = $walk (host byte walk = dom0 byte walk), per-event counts equal"
        else
            hres "host-xenalyze-ext-$name" FAIL "exit $rc, records '$recs' + windows '$win', host walk $walk, dom0 walk $(cat "$RUN/out/$name.count" 2>/dev/null): $(head -c 200 "$j")"
        fi
    done
else
    hres results-disk FAIL "dom0 wrote no readable tar archive to the results disk"
fi
for r in "${host_results[@]}"; do echo "$r"; done
results=$(printf '%s\n' "$results" "${host_results[@]}")

pass=$(echo "$results" | grep -c '^XTE-RESULT [^ ]* PASS')
nfail=$(echo "$results" | grep -c '^XTE-RESULT [^ ]* FAIL')
skip=$(echo "$results" | grep -c '^XTE-RESULT [^ ]* SKIP')
echo "check-xen: $pass passed, $nfail failed, $skip skipped in $(elapsed) (console: $log, evidence: $RUN/out)"
if [ "$skip" -gt 0 ]; then
    echo "$results" | grep '^XTE-RESULT [^ ]* SKIP' | sed 's/^XTE-RESULT /  SKIP: /'
fi
[ "$nfail" -eq 0 ] || fail "$nfail check(s) failed on the real hypervisor"
exit 0
