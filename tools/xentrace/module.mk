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
