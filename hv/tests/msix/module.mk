# hv/tests/msix: MSI-X table read emulation (seed 001).
#
#   hv-msix-test   directed tests + property test (thousands of random
#                  accesses, every read compared with a reference device),
#                  for the emulated and the forwarded paths.
# devmodel.c (the device model thread behind an eventfd ioreq channel) is
# shared with bench/msix and hvsim's msix scenario.

MSIX_DEVMODEL_SRCS := hv/tests/msix/devmodel.c
# devmodel.c binds the vectors through the harness's dpci table
# (hv/harness/dpci.c), which calls back into hvm.c: the two libraries
# reference each other, so link them once more as a group.
MSIX_HV_GROUP = -Wl,--start-group $(LIB)/libhvxen.a $(LIB)/libhvharness.a -Wl,--end-group
MSIX_HV_TSAN_GROUP = -Wl,--start-group $(TSAN_LIB)/libhvxen.a $(TSAN_LIB)/libhvharness.a -Wl,--end-group

HV_TEST_MSIX := $(TESTBIN)/hv-msix-test
$(HV_TEST_MSIX): $(call objs,hv/tests/msix/test_msixtbl.c $(MSIX_DEVMODEL_SRCS)) $(LIB)/libhvxen.a $(LIB)/libhvharness.a $(LIB)/libxentrace-ext.a
	@mkdir -p $(dir $@)
	$(LINK)
$(HV_TEST_MSIX): LDLIBS += $(CMOCKA_LIBS) $(MSIX_HV_GROUP)
$(OBJ)/hv/tests/msix/%.o: CFLAGS += $(CMOCKA_CFLAGS)
TESTS += $(HV_TEST_MSIX)

# hvsim's scenario_msix.c runs guests against the same device model.
HVSIM_EXTRA_SRCS += $(MSIX_DEVMODEL_SRCS)
$(HVSIM): | $(call objs,$(MSIX_DEVMODEL_SRCS))
# (hv/module.mk expanded the TSan hvsim's prerequisites before this file.)
$(BUILD)/tsan/hvsim: $(call tsan_objs,$(MSIX_DEVMODEL_SRCS))
TEST_SCRIPTS += hv/tests/msix/check-hvsim-msix.sh

# The device model thread and the vCPU meet over eventfds: check the
# channel's synchronisation under TSan too.
$(BUILD)/tsan/hv-msix-tsan: $(call tsan_objs,hv/tests/msix/test_msixtbl.c $(MSIX_DEVMODEL_SRCS)) $(HV_TSAN_LIBS)
	@mkdir -p $(dir $@)
	$(TSAN_LINK)
$(BUILD)/tsan/hv-msix-tsan: LDLIBS += $(CMOCKA_LIBS) $(MSIX_HV_TSAN_GROUP)
$(TSAN_OBJ)/hv/tests/msix/%.o: CFLAGS += $(CMOCKA_CFLAGS)
TESTS += $(call tsan_test,$(BUILD)/tsan/hv-msix-tsan)
