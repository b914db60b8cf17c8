# bench/maptrack: seed 003, maptrack get/put throughput, locked vs per-vCPU.
$(OBJ)/bench/maptrack/%.o: CPPFLAGS += $(HV_INCLUDES)
# hv/module.mk is read after this file: name its libraries here.
BENCH_MAPTRACK_LIBS := $(LIB)/libhvxen.a $(LIB)/libhvharness.a $(LIB)/libxentrace-ext.a
BENCH_MAPTRACK := $(BUILD)/bench/bench-maptrack
$(BENCH_MAPTRACK): $(call objs,bench/maptrack/bench_maptrack.c hv/tests/maptrack/maptrack_sim.c) $(BENCH_MAPTRACK_LIBS)
	@mkdir -p $(dir $@)
	$(LINK)
BENCHES += $(BENCH_MAPTRACK)
all: $(BENCH_MAPTRACK)
