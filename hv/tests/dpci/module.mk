# hv/tests/dpci: dpci per-pCPU softirq (seed 002).
#
#   hv-dpci-test          directed tests and the teardown race, plain build
#   tsan/hv-dpci-race     the same under ThreadSanitizer (6 pCPU threads on
#                         2 cores); dropped when SANITIZE is set

HV_TEST_DPCI := $(TESTBIN)/hv-dpci-test
$(HV_TEST_DPCI): $(call objs,hv/tests/dpci/test_dpci.c) $(LIB)/libhvxen.a $(LIB)/libhvharness.a $(LIB)/libxentrace-ext.a
	@mkdir -p $(dir $@)
	$(LINK)
$(HV_TEST_DPCI): LDLIBS += $(CMOCKA_LIBS)
$(OBJ)/hv/tests/dpci/%.o: CFLAGS += $(CMOCKA_CFLAGS)
TESTS += $(HV_TEST_DPCI)

$(BUILD)/tsan/hv-dpci-race: $(call tsan_objs,hv/tests/dpci/test_dpci.c) $(HV_TSAN_LIBS)
	@mkdir -p $(dir $@)
	$(TSAN_LINK)
$(BUILD)/tsan/hv-dpci-race: LDLIBS += $(CMOCKA_LIBS)
$(TSAN_OBJ)/hv/tests/dpci/%.o: CFLAGS += $(CMOCKA_CFLAGS)
TESTS += $(call tsan_test,$(BUILD)/tsan/hv-dpci-race)

# hvsim's dpci scenario, end to end.
TEST_SCRIPTS += hv/tests/dpci/check-hvsim-dpci.sh
