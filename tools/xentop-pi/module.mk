# tools/xentop-pi: the live view.
#
# libxentop-pi.a is the UI-free part (collection from every source, rates,
# views, recording) for reuse, e.g. by a Prometheus exporter; the
# executable adds the batch and ncurses front-ends.

XTP_DIR := tools/xentop-pi
XTP_LIB_SRCS := $(addprefix $(XTP_DIR)/,collect.c src_sim.c src_xen.c \
	src_trace.c src_replay.c record.c rate.c views.c)
XTP_BIN_SRCS := $(addprefix $(XTP_DIR)/,main.c batch.c tui.c)
LIBXENTOP_PI := $(LIB)/libxentop-pi.a
XTP_SCHEMA_C := $(BUILD)/gen/xentop-pi/schema_sql.c
XTP_SCHEMA_O := $(OBJ)/gen/xentop-pi/schema_sql.o
# tools/xentrace/module.mk is read after this file: name its library here.
XTP_LIBXENTRACE := $(LIB)/libxentrace-ext.a
XTP_LDLIBS := $(SQLITE_LIBS) $(NCURSES_LIBS) $(XEN_LIBS)

LIBS_A += $(LIBXENTOP_PI)
BINS += $(BIN)/xentop-pi

$(XTP_SCHEMA_C): schemas/schema.sql schemas/catalogue.sql $(XTP_DIR)/embed-schema.sh
	@mkdir -p $(dir $@)
	$(XTP_DIR)/embed-schema.sh schemas/schema.sql schemas/catalogue.sql > $@.tmp
	mv $@.tmp $@

$(XTP_SCHEMA_O): $(XTP_SCHEMA_C)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(OBJ)/$(XTP_DIR)/%.o: CPPFLAGS += -I$(XTP_DIR) $(SQLITE_CFLAGS) $(NCURSES_CFLAGS) $(XEN_CFLAGS)

$(LIBXENTOP_PI): $(call objs,$(XTP_LIB_SRCS)) $(XTP_SCHEMA_O)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(BIN)/xentop-pi: $(call objs,$(XTP_BIN_SRCS)) $(LIBXENTOP_PI) $(XTP_LIBXENTRACE)
	$(call need-pkg,ncursesw,libncurses-dev)
	$(call need-pkg,sqlite3,libsqlite3-dev)
	$(call need-pkg,xencontrol,libxen-dev)
	@mkdir -p $(dir $@)
	$(LINK) $(XTP_LDLIBS)

# ---- tests ------------------------------------------------------------------
XTP_T := $(TESTBIN)/xentop-pi

$(XTP_T)/%: $(OBJ)/$(XTP_DIR)/tests/%.o $(LIBXENTOP_PI) $(XTP_LIBXENTRACE)
	@mkdir -p $(dir $@)
	$(LINK) $(XTP_LDLIBS) $(CMOCKA_LIBS)

$(OBJ)/$(XTP_DIR)/tests/%.o: CPPFLAGS += $(CMOCKA_CFLAGS)

XTP_TESTS := $(XTP_T)/test_rate $(XTP_T)/test_views
# test_views also exercises the state the front-ends share (batch.c).
$(XTP_T)/test_views: $(OBJ)/$(XTP_DIR)/batch.o
XTP_HELPERS := $(XTP_T)/xtp-mktrace $(XTP_T)/xtp-mkshm
TESTS += $(XTP_TESTS)
TEST_SCRIPTS += $(addprefix $(XTP_DIR)/tests/,batch-trace.sh batch-replay.sh \
	errors.sh sim.sh tui.sh hvsim.sh)
check: $(XTP_HELPERS) $(BIN)/xentop-pi

# xentop-pi --xen on a faked Xen (tests/fakexen.c stands in for libxenctrl,
# libxenhypfs, libxenstat and libxentoollog; --wrap=access makes
# /dev/xen/privcmd exist): a test-only binary whose hypfs /telemetry holds
# the nodes a test chooses.
XTP_FAKEXEN := $(XTP_T)/xentop-pi-fakexen
$(XTP_FAKEXEN): $(call objs,$(XTP_BIN_SRCS) $(XTP_DIR)/tests/fakexen.c) $(LIBXENTOP_PI) $(XTP_LIBXENTRACE)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -Wl,--wrap=access -o $@ $(filter %.o %.a,$^) $(LDLIBS) $(SQLITE_LIBS) $(NCURSES_LIBS)
TEST_SCRIPTS += $(XTP_DIR)/tests/fakexen.sh
check: $(XTP_FAKEXEN)

# ---- benchmark ----------------------------------------------------------------
BENCHES += $(BUILD)/bench/xentop-bench
$(BUILD)/bench/xentop-bench: $(OBJ)/bench/xentop/xentop-bench.o $(call objs,$(XTP_DIR)/tui.c $(XTP_DIR)/batch.c) $(LIBXENTOP_PI) $(XTP_LIBXENTRACE)
	@mkdir -p $(dir $@)
	$(LINK) $(XTP_LDLIBS)
$(OBJ)/bench/xentop/%.o: CPPFLAGS += -I$(XTP_DIR) $(NCURSES_CFLAGS)
bench: $(BUILD)/bench/xentop-bench $(BIN)/xentop-pi $(XTP_T)/xtp-mkshm
