#!/bin/bash
# Fetch the Debian 12 packages the real-Xen integration test boots and runs,
# with `apt-get download`, and unpack them with `dpkg -x` into one root
# tree.  Nothing is installed on the host and nothing comes from anywhere
# but Debian's archive.
#
#   scripts/xen-qemu/fetch.sh [XQ_DIR]      (default: build/xen-qemu)
#
# Results:
#   XQ_DIR/debs/*.deb   the packages (cached: a second run downloads nothing)
#   XQ_DIR/root/        all of them unpacked: /boot/xen-4.17-amd64.gz,
#                       /boot/vmlinuz-6.1.*, /lib/modules/6.1.*, upstream
#                       xentrace/xenhypfs/xenalyze, the Xen runtime
#                       libraries, busybox
#   XQ_DIR/root/.stamp  names of the .debs unpacked (re-unpacked on change)
#   XQ_DIR/root/.kernel the dom0 kernel's release (e.g. 6.1.0-56-amd64)
#
# Exit: 0 done, 2 the packages cannot be had (no apt, no network, no lists);
# the reason is printed on one line.
set -euo pipefail

XQ_DIR=${1:-${XQ_DIR:-build/xen-qemu}}
DEBS=$XQ_DIR/debs
ROOT=$XQ_DIR/root
mkdir -p "$DEBS"

say() { echo "xen-qemu fetch: $*"; }

command -v apt-get >/dev/null && command -v dpkg >/dev/null ||
    { say "apt-get/dpkg not available: cannot fetch Debian packages"; exit 2; }

# The Xen runtime libraries are listed explicitly so that the dom0 image
# does not depend on what happens to be installed on the host; anything a
# binary needs beyond these is taken from the host by ldd (libc & co).
PKGS=(
    xen-hypervisor-4.17-amd64
    xen-utils-4.17 xen-utils-common
    libxenmisc4.17 libxenstore4 libxenhypfs1 libxentoollog1 libxencall1
    libxenforeignmemory1 libxendevicemodel1 libxengnttab1 libxenevtchn1
    libxentoolcore1 libyajl2
    busybox-static
)

# linux-image-amd64 is a metapackage: follow its dependency to the real
# versioned kernel package (e.g. linux-image-6.1.0-56-amd64).
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
       sed -n 's/^ *Depends: \(linux-image-6\.1\.[^ ]*-amd64\)$/\1/p' | head -n 1)
if [ -z "$kpkg" ]; then
    # No apt lists yet?  One update, then ask again.
    apt-get update -qq >/dev/null 2>&1 || true
    kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
           sed -n 's/^ *Depends: \(linux-image-6\.1\.[^ ]*-amd64\)$/\1/p' | head -n 1)
fi
[ -n "$kpkg" ] || { say "apt-cache cannot resolve linux-image-amd64 to a 6.1 kernel package"; exit 2; }
PKGS+=(linux-image-amd64 "$kpkg")
# When the archive has moved to a newer kernel, drop the cached older one so
# that root/ holds exactly one kernel and its modules.
for d in "$DEBS"/linux-image-6.1.*-amd64_*.deb; do
    [ -e "$d" ] || continue
    case $(basename "$d") in "${kpkg}_"*) ;; *) rm -f "$d" "$DEBS"/linux-image-amd64_*.deb ;; esac
done

# Download only what is not cached yet.  A cached .deb is matched by package
# name (any version): the archive moves on, the test need not follow daily.
need=()
for p in "${PKGS[@]}"; do
    ls "$DEBS/${p}_"*.deb >/dev/null 2>&1 || need+=("$p")
done
if [ "${#need[@]}" -gt 0 ]; then
    say "downloading ${need[*]}"
    if ! ( cd "$DEBS" && apt-get download "${need[@]}" >/dev/null 2>"download.err" ); then
        say "apt-get download failed: $(tail -n 1 "$DEBS/download.err")"
        exit 2
    fi
    rm -f "$DEBS/download.err"
fi

# Unpack when the set of .debs differs from what root/ was made from.
want=$(cd "$DEBS" && ls -1 *.deb | sort)
if [ ! -f "$ROOT/.stamp" ] || [ "$(cat "$ROOT/.stamp")" != "$want" ] ||
   [ "$(cat "$ROOT/.kernel" 2>/dev/null)" != "${kpkg#linux-image-}" ]; then
    say "unpacking $(echo "$want" | wc -l) packages into $ROOT"
    rm -rf "$ROOT.tmp"
    mkdir -p "$ROOT.tmp"
    for d in $want; do dpkg -x "$DEBS/$d" "$ROOT.tmp"; done
    echo "$want" > "$ROOT.tmp/.stamp"
    echo "${kpkg#linux-image-}" > "$ROOT.tmp/.kernel"
    rm -rf "$ROOT"
    mv "$ROOT.tmp" "$ROOT"
fi
say "ready in $ROOT"
