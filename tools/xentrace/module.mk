# tools/xentrace: the catalogue, libxentrace-ext and the generator.

XENTRACE_LIB_SRCS := $(filter-out tools/xentrace/gencat.c,$(wildcard tools/xentrace/*.c))
LIBXENTRACE := $(LIB)/libxentrace-ext.a
LIBS_A += $(LIBXENTRACE)

$(LIBXENTRACE): $(call objs,$(XENTRACE_LIB_SRCS))
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

GENCAT := $(BUILD)/tools/gencat
$(GENCAT): $(call objs,tools/xentrace/gencat.c tools/xentrace/catalogue.c)
	@mkdir -p $(dir $@)
	$(LINK)

# Committed artefacts derived from the catalogue (see catalogue.def).
CATALOGUE_OUTPUTS := \
	public:hv/xen/include/public/telemetry.h \
	trace:hv/xen/include/xen/telemetry_trace.h \
	sql:schemas/catalogue.sql
GENERATED += $(foreach o,$(CATALOGUE_OUTPUTS),$(word 2,$(subst :, ,$(o))))

regen: $(GENCAT)
	@$(foreach o,$(CATALOGUE_OUTPUTS),\
	  mkdir -p $(dir $(word 2,$(subst :, ,$(o)))) && \
	  $(GENCAT) $(word 1,$(subst :, ,$(o))) > $(word 2,$(subst :, ,$(o))) && \
	  echo "regen $(word 2,$(subst :, ,$(o)))" &&) true

TEST_SCRIPTS += tools/xentrace/tests/check-generated.sh
check: $(GENCAT)

# ---- the lead's tests: catalogue layout, telemetry records, shared memory --
LAYOUTCHECK := $(BUILD)/gen/layoutcheck.inc
$(LAYOUTCHECK): $(GENCAT)
	@mkdir -p $(dir $@)
	$(GENCAT) layoutcheck > $@

$(OBJ)/tools/xentrace/tests/test_catalogue.o: $(LAYOUTCHECK)
$(OBJ)/tools/xentrace/tests/test_catalogue.o: CPPFLAGS += -I$(BUILD)/gen
$(OBJ)/tools/xentrace/tests/%.o: CFLAGS += $(CMOCKA_CFLAGS)

$(TESTBIN)/test_catalogue: $(call objs,tools/xentrace/tests/test_catalogue.c) $(LIBXENTRACE)
	@mkdir -p $(dir $@)
	$(LINK) $(CMOCKA_LIBS)
$(TESTBIN)/test_telemetry: $(call objs,tools/xentrace/tests/test_telemetry.c) $(LIBXENTRACE)
	@mkdir -p $(dir $@)
	$(LINK) $(CMOCKA_LIBS)
TESTS += $(TESTBIN)/test_catalogue $(TESTBIN)/test_telemetry

# ---- libxentrace-ext tests, fuzzer and benchmark ---------------------------
$(TESTBIN)/test_xentrace: $(call objs,tools/xentrace/tests/test_xentrace.c) $(LIBXENTRACE)
	@mkdir -p $(dir $@)
	$(LINK) $(CMOCKA_LIBS)
TESTS += $(TESTBIN)/test_xentrace

XTE_GENTRACE := $(TESTBIN)/xte_gentrace
$(XTE_GENTRACE): $(call objs,tools/xentrace/tests/xte_gentrace.c) $(LIBXENTRACE)
	@mkdir -p $(dir $@)
	$(LINK)
TEST_SCRIPTS += tools/xentrace/tests/xenalyze-compat.sh
check: $(XTE_GENTRACE)

# The fuzzer's corpus, replayed by the regression test in every make check.
$(TESTBIN)/test_fuzz_corpus: $(call objs,tools/xentrace/tests/test_fuzz_corpus.c tools/xentrace/fuzz/fuzz_reader.c) $(LIBXENTRACE)
	@mkdir -p $(dir $@)
	$(LINK)
TESTS += $(TESTBIN)/test_fuzz_corpus

# libFuzzer target: built with clang and its own copy of the reader sources.
XTE_FUZZ_SRCS := tools/xentrace/fuzz/fuzz_reader.c tools/xentrace/reader.c \
	tools/xentrace/writer.c tools/xentrace/error.c tools/xentrace/decode.c \
	tools/xentrace/upstream_events.c tools/xentrace/catalogue.c
XTE_FUZZER := $(BUILD)/fuzz/fuzz_reader
$(XTE_FUZZER): $(XTE_FUZZ_SRCS) $(wildcard tools/xentrace/fuzz/corpus/*)
	@mkdir -p $(dir $@) $@_corpus
	$(CLANG) -g -O1 -D_GNU_SOURCE -Itools/xentrace \
	  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	  -o $@ $(XTE_FUZZ_SRCS)
	cp -n tools/xentrace/fuzz/corpus/* $@_corpus/ 2>/dev/null || true
FUZZERS += $(XTE_FUZZER)

# Reader throughput against cat (bench/reader), run by make bench, with
# the ceiling of the cheapest known merge design measured beside it.
XTE_BENCH := $(BUILD)/bench/bench_reader
$(XTE_BENCH): $(call objs,bench/reader/bench_reader.c \
                bench/reader/merge_ceiling.c) $(LIBXENTRACE)
	@mkdir -p $(dir $@)
	$(LINK)
BENCHES += $(XTE_BENCH)
