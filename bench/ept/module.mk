# bench/ept: seed 004, a migrating guest's toolstack read-lock waits,
# synchronous EPT flushes under the p2m write lock vs deferred ones.
$(OBJ)/bench/ept/%.o: CPPFLAGS += $(HV_INCLUDES)
# hv/module.mk is read after this file: name its libraries here.
BENCH_EPT_LIBS := $(LIB)/libhvxen.a $(LIB)/libhvharness.a $(LIB)/libxentrace-ext.a
BENCH_EPT := $(BUILD)/bench/bench-ept
$(BENCH_EPT): $(call objs,bench/ept/bench_ept.c hv/tests/ept/ept_sim.c) $(BENCH_EPT_LIBS)
	@mkdir -p $(dir $@)
	$(LINK)
BENCHES += $(BENCH_EPT)
all: $(BENCH_EPT)
