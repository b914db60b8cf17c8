# hv/tests/ept: deferred EPT invalidation (hv/xen/arch/x86/mm/p2m-ept-flush.c).
#   hv-ept-test   deterministic cases + concurrent stress, both policies
#   hv-ept-tsan   the same under ThreadSanitizer (11 pCPU threads)

EPT_SIM_SRCS  := hv/tests/ept/ept_sim.c
EPT_TEST_SRCS := hv/tests/ept/test_ept.c $(EPT_SIM_SRCS)

$(OBJ)/hv/tests/ept/%.o: CFLAGS += $(CMOCKA_CFLAGS)
$(TSAN_OBJ)/hv/tests/ept/%.o: CFLAGS += $(CMOCKA_CFLAGS)

$(TESTBIN)/hv-ept-test: $(call objs,$(EPT_TEST_SRCS)) $(HV_LIBS)
	@mkdir -p $(dir $@)
	$(LINK)
$(TESTBIN)/hv-ept-test: LDLIBS += $(CMOCKA_LIBS)
TESTS += $(TESTBIN)/hv-ept-test

$(BUILD)/tsan/hv-ept-tsan: $(call tsan_objs,$(EPT_TEST_SRCS)) $(HV_TSAN_LIBS)
	@mkdir -p $(dir $@)
	$(TSAN_LINK)
$(BUILD)/tsan/hv-ept-tsan: LDLIBS += $(CMOCKA_LIBS)
TESTS += $(call tsan_test,$(BUILD)/tsan/hv-ept-tsan)

# hvsim's scenario_ept.c drives the same model.
HVSIM_EXTRA_SRCS += $(EPT_SIM_SRCS)
$(HVSIM): | $(call objs,$(EPT_SIM_SRCS))
# (hv/module.mk expanded the TSan hvsim's prerequisites before this file.)
$(BUILD)/tsan/hvsim: $(call tsan_objs,$(EPT_SIM_SRCS))
