# tools/xenalyze-ext: the trace analyser and the sqlite post-mortem store.
# (libxentrace-ext is named by path: this fragment is read before
# tools/xentrace/module.mk defines LIBXENTRACE.)

XENALYZE_SRCS := $(addprefix tools/xenalyze-ext/, \
	dist.c analysis.c output.c output_text.c output_csv.c output_json.c \
	report.c recommend.c sqlite_ingest.c read_ahead.c)
XENALYZE_OBJS := $(call objs,$(XENALYZE_SRCS)) $(OBJ)/tools/xenalyze-ext/schema_embed.o
XENALYZE_LIB  := $(LIB)/libxenalyze-ext.a

BINS   += $(BIN)/xenalyze-ext
LIBS_A += $(XENALYZE_LIB)

$(XENALYZE_LIB): $(XENALYZE_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

# The schema files go into the binary (.incbin); paths are from the root.
$(OBJ)/tools/xenalyze-ext/schema_embed.o: tools/xenalyze-ext/schema_embed.S \
		schemas/schema.sql schemas/catalogue.sql
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -c -o $@ $<

$(OBJ)/tools/xenalyze-ext/%.o: CFLAGS += $(SQLITE_CFLAGS)

$(BIN)/xenalyze-ext: $(OBJ)/tools/xenalyze-ext/main.o $(XENALYZE_LIB) $(LIB)/libxentrace-ext.a
	$(call need-pkg,sqlite3,libsqlite3-dev)
	@mkdir -p $(dir $@)
	$(LINK)
$(BIN)/xenalyze-ext: LDLIBS += $(SQLITE_LIBS)

# ---- tests ------------------------------------------------------------
XA_TESTBIN := $(TESTBIN)/xenalyze-ext

$(XA_TESTBIN)/test_dist: $(OBJ)/tools/xenalyze-ext/tests/test_dist.o $(XENALYZE_LIB) $(LIB)/libxentrace-ext.a
	@mkdir -p $(dir $@)
	$(LINK)
$(XA_TESTBIN)/test_analysis: $(OBJ)/tools/xenalyze-ext/tests/test_analysis.o $(OBJ)/tools/xenalyze-ext/fuzz/fuzz_analysis.o $(XENALYZE_LIB) $(LIB)/libxentrace-ext.a
	@mkdir -p $(dir $@)
	$(LINK)
$(XA_TESTBIN)/xa-gentrace: $(OBJ)/tools/xenalyze-ext/tests/gentrace.o $(LIB)/libxentrace-ext.a
	@mkdir -p $(dir $@)
	$(LINK)
$(XA_TESTBIN)/test_dist $(XA_TESTBIN)/test_analysis: LDLIBS += $(CMOCKA_LIBS) $(SQLITE_LIBS)
# xa-feedbench: the analysis alone, records in memory (a measuring tool;
# built by make check so that it keeps compiling, never run by it)
$(XA_TESTBIN)/xa-feedbench: $(OBJ)/tools/xenalyze-ext/tests/feedbench.o $(XENALYZE_LIB) $(LIB)/libxentrace-ext.a
	@mkdir -p $(dir $@)
	$(LINK)
$(XA_TESTBIN)/xa-feedbench: LDLIBS += $(SQLITE_LIBS)
check: $(XA_TESTBIN)/xa-feedbench
$(OBJ)/tools/xenalyze-ext/tests/%.o: CFLAGS += $(CMOCKA_CFLAGS)
$(OBJ)/tools/xenalyze-ext/tests/%.o: CPPFLAGS += -Itools/xenalyze-ext
$(OBJ)/tools/xenalyze-ext/fuzz/%.o: CPPFLAGS += -Itools/xenalyze-ext

TESTS += $(XA_TESTBIN)/test_dist $(XA_TESTBIN)/test_analysis
XA_TEST_SCRIPTS := $(wildcard tools/xenalyze-ext/tests/*.sh)
TEST_SCRIPTS += $(XA_TEST_SCRIPTS)
check: $(XA_TESTBIN)/xa-gentrace $(BIN)/xenalyze-ext

# ---- the reader thread under ThreadSanitizer (tests/tsan.sh) -------------
# Built whole from the sources, never together with SANITIZE=address.
ifeq ($(SANITIZE),)
XA_TSAN := $(BUILD)/tsan/xenalyze-ext
$(XA_TSAN): tools/xenalyze-ext/main.c $(XENALYZE_SRCS) \
		$(filter-out tools/xentrace/gencat.c,$(wildcard tools/xentrace/*.c)) \
		$(OBJ)/tools/xenalyze-ext/schema_embed.o
	@mkdir -p $(dir $@)
	$(CC) -g -O1 -std=gnu11 -D_GNU_SOURCE -Itools/xentrace $(SQLITE_CFLAGS) \
	  -fsanitize=thread -pthread -o $@ $(filter %.c %.o,$^) $(SQLITE_LIBS) -lm
check: $(XA_TSAN)
endif

# ---- fuzzing (make fuzz) ------------------------------------------------
XA_FUZZ_SRCS := tools/xenalyze-ext/fuzz/fuzz_analysis.c $(XENALYZE_SRCS) \
	$(filter-out tools/xentrace/gencat.c,$(wildcard tools/xentrace/*.c))
XA_FUZZER := $(BUILD)/fuzz/fuzz_analysis
$(XA_FUZZER): $(XA_FUZZ_SRCS) $(OBJ)/tools/xenalyze-ext/schema_embed.o
	@mkdir -p $(dir $@) $@_corpus
	$(CLANG) -g -O1 -D_GNU_SOURCE -DXA_LIBFUZZER -Itools/xentrace -Itools/xenalyze-ext \
	  $(SQLITE_CFLAGS) -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	  -o $@ $(XA_FUZZ_SRCS) $(OBJ)/tools/xenalyze-ext/schema_embed.o $(SQLITE_LIBS) -lm
FUZZERS += $(XA_FUZZER)

# ---- benchmark ----------------------------------------------------------
BENCHES += bench/xenalyze/bench-xenalyze.sh
bench: $(XA_TESTBIN)/xa-gentrace $(XA_TESTBIN)/xa-feedbench
