# bench/pi: seed 000's worst case, baseline vs bounded PI blocking lists.
$(OBJ)/bench/pi/%.o: CPPFLAGS += $(HV_INCLUDES)
BENCH_PI := $(BUILD)/bench/bench-pi
$(BENCH_PI): $(call objs,bench/pi/bench_pi.c) $(LIB)/libhvxen.a $(LIB)/libhvharness.a $(LIB)/libxentrace-ext.a
	@mkdir -p $(dir $@)
	$(LINK)
BENCHES += $(BENCH_PI)
all: $(BENCH_PI)
