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
