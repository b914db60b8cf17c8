# tools/xen-telemetry-export: the counters in Prometheus's text format for
# node_exporter's textfile collector (docs/PROMETHEUS.md).

XTX_DIR  := tools/xen-telemetry-export
# Named here: tools/xentrace/module.mk is included after this fragment.
XTX_LIBXT := $(LIB)/libxentrace-ext.a
# Named here too: libxentop-pi.a (tools/xentop-pi/module.mk) supplies the
# --xen and --trace sources.
XTX_LIBXTP := $(LIB)/libxentop-pi.a
XTX_LIB_SRCS := $(XTX_DIR)/promtext.c $(XTX_DIR)/source_sim.c $(XTX_DIR)/source_collect.c
XTX_BIN  := $(BIN)/xen-telemetry-export
BINS += $(XTX_BIN)

$(XTX_BIN): $(call objs,$(XTX_DIR)/main.c $(XTX_LIB_SRCS)) $(XTX_LIBXTP) $(XTX_LIBXT)
	$(call need-pkg,xencontrol,libxen-dev)
	$(call need-pkg,sqlite3,libsqlite3-dev)
	@mkdir -p $(dir $@)
	$(LINK) $(SQLITE_LIBS) $(XEN_LIBS)
$(OBJ)/$(XTX_DIR)/source_collect.o: CPPFLAGS += -Itools/xentop-pi

# Unit test of the exposition writer (cmocka).
XTX_TEST := $(TESTBIN)/test_promtext
TESTS += $(XTX_TEST)
$(XTX_TEST): $(call objs,$(XTX_DIR)/tests/test_promtext.c $(XTX_DIR)/promtext.c) $(XTX_LIBXT)
	@mkdir -p $(dir $@)
	$(LINK)
$(XTX_TEST): LDLIBS += $(CMOCKA_LIBS)
$(OBJ)/$(XTX_DIR)/tests/%.o: CPPFLAGS += -I$(XTX_DIR) $(CMOCKA_CFLAGS)

# A publisher of known counters at known rates (end-to-end test).
XTX_PUB := $(TESTBIN)/xtx-testpub
$(XTX_PUB): $(call objs,$(XTX_DIR)/tests/testpub.c) $(XTX_LIBXT)
	@mkdir -p $(dir $@)
	$(LINK)
check: $(XTX_PUB)

# Installed under $(PREFIX)/share/xen-vtd-scale for deployment.
DATA += contrib/prometheus/xen-telemetry-rules.yml \
	contrib/systemd/xen-telemetry-export.service \
	contrib/systemd/xen-telemetry-export-once.service \
	contrib/systemd/xen-telemetry-export.timer

# --xen on a faked Xen (tools/xentop-pi/tests/fakexen.c): test-only.
XTX_FAKEXEN := $(TESTBIN)/xen-telemetry-export-fakexen
$(XTX_FAKEXEN): $(call objs,$(XTX_DIR)/main.c $(XTX_LIB_SRCS) tools/xentop-pi/tests/fakexen.c) $(XTX_LIBXTP) $(XTX_LIBXT)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -Wl,--wrap=access -o $@ $(filter %.o %.a,$^) $(LDLIBS) $(SQLITE_LIBS)
check: $(XTX_FAKEXEN)
TEST_SCRIPTS += $(XTX_DIR)/tests/check-fakexen.sh

TEST_SCRIPTS += $(XTX_DIR)/tests/check-cli.sh $(XTX_DIR)/tests/check-promtool.sh \
	$(XTX_DIR)/tests/e2e-prometheus.sh
