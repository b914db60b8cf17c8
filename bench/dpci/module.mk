# bench/dpci: seed 002's situation, tasklet baseline vs per-pCPU softirq.
$(OBJ)/bench/dpci/%.o: CPPFLAGS += $(HV_INCLUDES)
# hv/module.mk is read after this file: name its libraries here.
BENCH_HV_LIBS := $(LIB)/libhvxen.a $(LIB)/libhvharness.a $(LIB)/libxentrace-ext.a
BENCH_DPCI := $(BUILD)/bench/bench-dpci
$(BENCH_DPCI): $(call objs,bench/dpci/bench_dpci.c) $(BENCH_HV_LIBS)
	@mkdir -p $(dir $@)
	$(LINK)
BENCHES += $(BENCH_DPCI)
all: $(BENCH_DPCI)
