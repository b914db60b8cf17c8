#!/bin/bash
# Install what the project needs on Debian 12, once; running it again is
# cheap and changes nothing.
#
#  - build and test dependencies as Debian packages (apt-get install);
#  - upstream Xen tools that tests compare against (xenalyze, from
#    xen-utils-common) unpacked into build/upstream with apt-get download +
#    dpkg -x, never installed system-wide: that package drags in systemd.
#
# Other parts of the project add their packages to PACKAGES below.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
    build-essential pkg-config
    libxen-dev libncurses-dev libsqlite3-dev libcmocka-dev
    clang llvm libclang-rt-14-dev    # libFuzzer, sanitizers
    sqlite3 tmux procps
    prometheus prometheus-node-exporter curl    # fleet export tests (tools/xen-telemetry-export)
    qemu-system-x86 cpio    # real-Xen test (tests/xen): boots Xen + dom0 under QEMU
)

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup-deps: installing ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "setup-deps: Debian packages already installed"
fi

# Upstream xenalyze, unpacked (not installed) into build/upstream.
UP=build/upstream
if [ ! -x "$UP/usr/bin/xenalyze" ]; then
    mkdir -p "$UP/debs"
    ( cd "$UP/debs" && apt-get download xen-utils-common >/dev/null )
    for deb in "$UP"/debs/xen-utils-common_*.deb; do dpkg -x "$deb" "$UP"; done
    echo "setup-deps: upstream xenalyze unpacked into $UP/usr/bin/xenalyze"
else
    echo "setup-deps: upstream xenalyze already in $UP"
fi
