# hv/tests/maptrack: maptrack handles (hv/xen/common/grant_maptrack.c).
#   hv-maptrack-test   deterministic cases + concurrent stress (ASan/UBSan
#                      under SANITIZE=address,undefined)
#   hv-maptrack-tsan   the same cases under ThreadSanitizer, 16 vCPU
#                      threads on the host's cores

MT_SIM_SRCS  := hv/tests/maptrack/maptrack_sim.c
MT_TEST_SRCS := hv/tests/maptrack/test_maptrack.c $(MT_SIM_SRCS)

$(OBJ)/hv/tests/maptrack/%.o: CFLAGS += $(CMOCKA_CFLAGS)
$(TSAN_OBJ)/hv/tests/maptrack/%.o: CFLAGS += $(CMOCKA_CFLAGS)

$(TESTBIN)/hv-maptrack-test: $(call objs,$(MT_TEST_SRCS)) $(HV_LIBS)
	@mkdir -p $(dir $@)
	$(LINK)
$(TESTBIN)/hv-maptrack-test: LDLIBS += $(CMOCKA_LIBS)
TESTS += $(TESTBIN)/hv-maptrack-test

$(BUILD)/tsan/hv-maptrack-tsan: $(call tsan_objs,$(MT_TEST_SRCS)) $(HV_TSAN_LIBS)
	@mkdir -p $(dir $@)
	$(TSAN_LINK)
$(BUILD)/tsan/hv-maptrack-tsan: LDLIBS += $(CMOCKA_LIBS)
TESTS += $(call tsan_test,$(BUILD)/tsan/hv-maptrack-tsan)

# hvsim's scenario_maptrack.c drives the same workload helpers.
HVSIM_EXTRA_SRCS += $(MT_SIM_SRCS)
$(HVSIM): | $(call objs,$(MT_SIM_SRCS))
# (hv/module.mk expanded the TSan hvsim's prerequisites before this file.)
$(BUILD)/tsan/hvsim: $(call tsan_objs,$(MT_SIM_SRCS))
