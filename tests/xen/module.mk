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

# dom0's reader of /telemetry nodes (upstream xenhypfs cannot print a
# blob): goes into the initramfs, not installed.
XTE_HYPFS_NODE := $(TESTBIN)/xen/xte-hypfs-node
$(OBJ)/tests/xen/hypfs-node.o: CFLAGS += $(XEN_CFLAGS)
# (tools/xentrace/module.mk, read after this one, defines LIBXENTRACE)
$(XTE_HYPFS_NODE): $(call objs,tests/xen/hypfs-node.c) $(LIB)/libxentrace-ext.a
	@mkdir -p $(dir $@)
	$(LINK) $(XEN_LIBS)
# dom0's grant map/unmap loop (gntalloc + gntdev): the maptrack path.
XTE_GRANT_LOOP := $(TESTBIN)/xen/xte-grant-loop
$(XTE_GRANT_LOOP): $(call objs,tests/xen/grant-loop.c)
	@mkdir -p $(dir $@)
	$(LINK) $(call pkg_libs,xengnttab)
XTE_DOM0_TOOLS := $(XTE_HYPFS_NODE) $(XTE_GRANT_LOOP)
check: $(XTE_DOM0_TOOLS)
# xte-hypfs-node on a faked libxenhypfs (tools/xentop-pi/tests/fakexen.c)
# whose /telemetry lacks some nodes: test-only, no QEMU.
XTE_HYPFS_NODE_FAKE := $(TESTBIN)/xen/xte-hypfs-node-fakexen
$(XTE_HYPFS_NODE_FAKE): $(call objs,tests/xen/hypfs-node.c tools/xentop-pi/tests/fakexen.c) $(LIB)/libxentrace-ext.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -Wl,--wrap=access -o $@ $(filter %.o %.a,$^) $(LDLIBS)
check: $(XTE_HYPFS_NODE_FAKE)
TEST_SCRIPTS += tests/xen/check-hypfs-node.sh

.PHONY: check-xen
check-xen: all $(XTE_DOM0_TOOLS)
	@BUILD=$(BUILD) XEN_IMAGE=$(XEN_IMAGE) tests/xen/check-xen.sh
