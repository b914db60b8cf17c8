# tests/xen: integration test on a real Xen 4.17 hypervisor booted under
# QEMU (software emulation) with Debian's 6.1 kernel as PV dom0; see
# docs/REAL-XEN.md.  Needs qemu-system-x86 (scripts/setup-deps.sh) and
# Debian's archive for `apt-get download` (cached in build/xen-qemu).
#
#   make check-xen                       just this test, verbose
#   make check-xen XEN_IMAGE=path/xen.gz the same on another hypervisor

TEST_SCRIPTS += tests/xen/check-xen.sh
# The tools on real captures that check-xen took (tests/xen/data): no QEMU.
TEST_SCRIPTS += tests/xen/check-captures.sh

.PHONY: check-xen
check-xen: all
	@BUILD=$(BUILD) XEN_IMAGE=$(XEN_IMAGE) tests/xen/check-xen.sh
