# hv/: the hypervisor-side fixes and the harness that runs them in userspace.
#
#   $(LIB)/libhvxen.a      the hv/xen sources listed in HVXEN_SRCS, compiled
#                          unchanged against the harness's emulation of
#                          Xen 4.17's headers
#   $(LIB)/libhvharness.a  the harness runtime (hv/harness/*.c)
#   $(BIN)/hvsim           the scenario runner (hv/harness/hvsim/)
#
# Link order for a test or tool that runs hv/ code:
#   $(HV_LIBS) = libhvxen.a libhvharness.a libxentrace-ext.a
# e.g.
#   $(TESTBIN)/my-test: $(call objs,hv/harness/tests/my_test.c) $(HV_LIBS)
#   	@mkdir -p $(dir $@)
#   	$(LINK)
#   $(TESTBIN)/my-test: LDLIBS += $(CMOCKA_LIBS)
#   TESTS += $(TESTBIN)/my-test
#
# ThreadSanitizer builds (reuse for any concurrency test): objects go to
# $(TSAN_OBJ)/<path>.o, libraries to $(TSAN_LIB), binaries to
# $(BUILD)/tsan/...; use $(call tsan_objs,SRCS), $(HV_TSAN_LIBS) and
# $(TSAN_LINK), and add the binary to TESTS through $(call tsan_test,...),
# which drops it when SANITIZE is set (TSan cannot be combined with ASan):
#   $(BUILD)/tsan/my-stress: $(call tsan_objs,hv/harness/tests/my_stress.c) $(HV_TSAN_LIBS)
#   	@mkdir -p $(dir $@)
#   	$(TSAN_LINK)
#   TESTS += $(call tsan_test,$(BUILD)/tsan/my-stress)

HV_INCLUDES := -Ihv/harness/include -Ihv/xen/include -Ihv/xen/arch/x86/include
$(OBJ)/hv/%.o: CPPFLAGS += $(HV_INCLUDES)

# hv/xen sources in libhvxen.a: each fix appends its files, one line per fix
# (a file in progress that is not listed cannot break everyone's build).
HVXEN_SRCS := hv/xen/common/telemetry.c
HVXEN_SRCS += hv/xen/arch/x86/hvm/vmx/pi_blocking.c
HVXEN_SRCS += hv/xen/common/tasklet.c hv/xen/drivers/passthrough/x86/hvm.c hv/xen/drivers/passthrough/x86/dpci_softirq.c hv/xen/drivers/passthrough/x86/dpci_tasklet.c
HVXEN_SRCS += hv/xen/arch/x86/hvm/msixtbl.c hv/xen/arch/x86/hvm/msixtbl_read.c
HVXEN_SRCS += hv/xen/common/grant_maptrack.c hv/xen/arch/x86/mm/p2m-ept-flush.c
HVHARNESS_SRCS := $(sort $(wildcard hv/harness/*.c))

LIBHVXEN := $(LIB)/libhvxen.a
LIBHVHARNESS := $(LIB)/libhvharness.a
LIBS_A += $(LIBHVXEN) $(LIBHVHARNESS)
HV_LIBS = $(LIBHVXEN) $(LIBHVHARNESS) $(LIB)/libxentrace-ext.a

$(LIBHVXEN): $(call objs,$(HVXEN_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(LIBHVHARNESS): $(call objs,$(HVHARNESS_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

# ---- ThreadSanitizer tree ---------------------------------------------------
TSAN_OBJ := $(BUILD)/tsan/obj
TSAN_LIB := $(BUILD)/tsan/lib
TSAN_FLAGS := -fsanitize=thread -fno-omit-frame-pointer
tsan_objs = $(patsubst %.c,$(TSAN_OBJ)/%.o,$(1))
TSAN_LINK = $(CC) $(filter-out $(SAN_FLAGS),$(LDFLAGS)) $(TSAN_FLAGS) -o $@ $(filter %.o %.a,$^) $(LDLIBS)

$(TSAN_OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(filter-out $(SAN_FLAGS),$(CFLAGS)) $(TSAN_FLAGS) -c -o $@ $<
$(TSAN_OBJ)/hv/%.o: CPPFLAGS += $(HV_INCLUDES)
# The top Makefile reads the .d files of $(BUILD)/obj only.
-include $(shell find $(TSAN_OBJ) -name '*.d' 2>/dev/null)

HV_TSAN_LIBS = $(TSAN_LIB)/libhvxen.a $(TSAN_LIB)/libhvharness.a $(TSAN_LIB)/libxentrace-ext.a
$(TSAN_LIB)/libhvxen.a: $(call tsan_objs,$(HVXEN_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^
$(TSAN_LIB)/libhvharness.a: $(call tsan_objs,$(HVHARNESS_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^
$(TSAN_LIB)/libxentrace-ext.a: $(call tsan_objs,$(filter-out tools/xentrace/gencat.c,$(wildcard tools/xentrace/*.c)))
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

tsan_test = $(if $(SANITIZE),,$(1))

# ---- hvsim: the scenario runner ---------------------------------------------
# Every hv/harness/hvsim/scenario_<name>.c is linked in (each registers
# itself with HVSIM_SCENARIO()); a scenario's extra objects (e.g. a device
# model in hv/tests/<x>/) go in HVSIM_EXTRA_SRCS.
HVSIM := $(BIN)/hvsim
HVSIM_SRCS := hv/harness/hvsim/hvsim.c $(sort $(wildcard hv/harness/hvsim/scenario_*.c))
HVSIM_EXTRA_SRCS ?=
BINS += $(HVSIM)
$(HVSIM): $(call objs,$(HVSIM_SRCS)) $(HV_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(filter-out $^,$(call objs,$(HVSIM_EXTRA_SRCS))) $(filter %.a,$^) $(LDLIBS)
$(HVSIM): $(call objs,$(HVSIM_EXTRA_SRCS))
TEST_SCRIPTS += hv/harness/hvsim/tests/check-hvsim.sh
check: $(HVSIM)
# hvsim under TSan too (pCPU threads, trace drainer, shm publisher).
# (HVSIM_EXTRA_SRCS grows in fragments read later: expanded in the recipe.)
$(BUILD)/tsan/hvsim: $(call tsan_objs,$(HVSIM_SRCS)) $(HV_TSAN_LIBS)
	@mkdir -p $(dir $@)
	$(if $(strip $(HVSIM_EXTRA_SRCS)),$(MAKE) --no-print-directory $(call tsan_objs,$(HVSIM_EXTRA_SRCS)))
	$(CC) $(filter-out $(SAN_FLAGS),$(LDFLAGS)) $(TSAN_FLAGS) -o $@ $(filter %.o,$^) $(filter-out $^,$(call tsan_objs,$(HVSIM_EXTRA_SRCS))) $(filter %.a,$^) $(LDLIBS)
check: $(call tsan_test,$(BUILD)/tsan/hvsim)

# ---- tests --------------------------------------------------------------------
HV_TEST_HARNESS := $(TESTBIN)/hv-harness-test
$(HV_TEST_HARNESS): $(call objs,hv/harness/tests/test_harness.c) $(HV_LIBS)
	@mkdir -p $(dir $@)
	$(LINK)
$(HV_TEST_HARNESS): LDLIBS += $(CMOCKA_LIBS)
$(OBJ)/hv/harness/tests/%.o: CFLAGS += $(CMOCKA_CFLAGS)
TESTS += $(HV_TEST_HARNESS)

HV_TEST_TELEMETRY := $(TESTBIN)/hv-telemetry-test
$(HV_TEST_TELEMETRY): $(call objs,hv/harness/tests/test_telemetry.c) $(HV_LIBS)
	@mkdir -p $(dir $@)
	$(LINK)
$(HV_TEST_TELEMETRY): LDLIBS += $(CMOCKA_LIBS)
TESTS += $(HV_TEST_TELEMETRY)

# The telemetry core with two of the five fixes, linked as objects (not
# through libhvxen.a) like a Xen tree with only their obj-y lines: only
# their nodes are published.
HV_TELEMETRY_SUBSET_SRCS := hv/xen/common/telemetry.c \
    hv/xen/common/grant_maptrack.c hv/xen/arch/x86/mm/p2m-ept-flush.c
HV_TEST_TELEMETRY_SUBSET := $(TESTBIN)/hv-telemetry-subset-test
$(HV_TEST_TELEMETRY_SUBSET): $(call objs,hv/harness/tests/test_telemetry_subset.c $(HV_TELEMETRY_SUBSET_SRCS)) $(LIBHVHARNESS) $(LIB)/libxentrace-ext.a
	@mkdir -p $(dir $@)
	$(LINK)
$(HV_TEST_TELEMETRY_SUBSET): LDLIBS += $(CMOCKA_LIBS)
TESTS += $(HV_TEST_TELEMETRY_SUBSET)

# PI blocking lists: directed and property tests (inline pCPUs).
HV_TEST_PI := $(TESTBIN)/hv-pi-test
$(HV_TEST_PI): $(call objs,hv/harness/tests/test_pi.c) $(HV_LIBS)
	@mkdir -p $(dir $@)
	$(LINK)
$(HV_TEST_PI): LDLIBS += $(CMOCKA_LIBS)
TESTS += $(HV_TEST_PI)

# PI blocking lists under real concurrency, TSan.
$(BUILD)/tsan/hv-pi-stress: $(call tsan_objs,hv/harness/tests/stress_pi.c) $(HV_TSAN_LIBS)
	@mkdir -p $(dir $@)
	$(TSAN_LINK)
TESTS += $(call tsan_test,$(BUILD)/tsan/hv-pi-stress)

# Harness concurrency (IPIs, softirqs, locks, hotplug) under TSan.
$(BUILD)/tsan/hv-harness-stress: $(call tsan_objs,hv/harness/tests/stress_harness.c) $(HV_TSAN_LIBS)
	@mkdir -p $(dir $@)
	$(TSAN_LINK)
TESTS += $(call tsan_test,$(BUILD)/tsan/hv-harness-stress)
