# bench/msix: seed 001's situation, table reads forwarded vs emulated.
$(OBJ)/bench/msix/%.o: CPPFLAGS += $(HV_INCLUDES)
BENCH_HV_LIBS := $(LIB)/libhvxen.a $(LIB)/libhvharness.a $(LIB)/libxentrace-ext.a
BENCH_MSIX := $(BUILD)/bench/bench-msix
$(BENCH_MSIX): $(call objs,bench/msix/bench_msix.c hv/tests/msix/devmodel.c) $(BENCH_HV_LIBS)
	@mkdir -p $(dir $@)
	$(LINK)
$(BENCH_MSIX): LDLIBS += $(MSIX_HV_GROUP)
BENCHES += $(BENCH_MSIX)
all: $(BENCH_MSIX)
