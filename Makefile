# SPDX-License-Identifier: GPL-2.0-only
#
# The one build of the project.  Each part of the tree adds itself through a
# fragment (module.mk) included below; the fragments only append to the
# variables declared here, so parts can be worked on independently.
#
#   make                 build everything into build/ (executables: build/bin)
#   make check           every test; the last line is "N passed, N failed"
#   make check SANITIZE=address,undefined   the same, under ASan + UBSan
#   make bench           every benchmark, writing bench/RESULTS.md
#   make demo            the main job (hvsim -> trace -> report -> sqlite)
#   make fuzz            the libFuzzer targets, bounded in time
#   make regen           rewrite the artefacts derived from the catalogue
#   make install         PREFIX=/usr/local DESTDIR=
#   make deps            install the Debian 12 packages (scripts/setup-deps.sh)

PREFIX  ?= /usr/local
DESTDIR ?=

CC      ?= cc
CLANG   ?= clang
PKG_CONFIG ?= pkg-config

# A sanitizer build lives in its own tree so it never mixes objects.
ifeq ($(SANITIZE),)
BUILD   ?= build
SAN_FLAGS :=
else
BUILD   ?= build/san-$(subst $(comma),-,$(SANITIZE))
SAN_FLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif
comma := ,

BIN     := $(BUILD)/bin
LIB     := $(BUILD)/lib
OBJ     := $(BUILD)/obj
TESTBIN := $(BUILD)/tests

OPT     ?= -O2 -g
WARN    := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes
CFLAGS  ?= $(OPT)
CFLAGS  += -std=gnu11 $(WARN) -pthread $(SAN_FLAGS) -MMD -MP
CPPFLAGS += -D_GNU_SOURCE -Itools/xentrace
LDFLAGS += -pthread $(SAN_FLAGS)
LDLIBS  += -lm

# ---- dependencies, through pkg-config ------------------------------------
# A missing package is named with the Debian package that provides it; the
# error is raised only by the targets that need it (see need-pkg).
pkg_cflags = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
pkg_libs   = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null)
pkg_have   = $(shell $(PKG_CONFIG) --exists $(1) 2>/dev/null && echo yes)

define need-pkg
	@$(PKG_CONFIG) --exists $(1) 2>/dev/null || { \
	  echo "missing dependency: pkg-config '$(1)' not found; install the Debian package $(2) (or run: make deps)" >&2; \
	  exit 1; }
endef

SQLITE_CFLAGS  := $(call pkg_cflags,sqlite3)
SQLITE_LIBS    := $(call pkg_libs,sqlite3)
NCURSES_CFLAGS := $(call pkg_cflags,ncursesw)
NCURSES_LIBS   := $(call pkg_libs,ncursesw)
CMOCKA_CFLAGS  := $(call pkg_cflags,cmocka)
CMOCKA_LIBS    := $(call pkg_libs,cmocka)
XEN_CFLAGS     := $(call pkg_cflags,xencontrol xenstat xenhypfs xentoollog)
XEN_LIBS       := $(call pkg_libs,xencontrol xenstat xenhypfs xentoollog)

# ---- what the fragments fill in -------------------------------------------
BINS        :=   # executables installed to $(PREFIX)/bin
LIBS_A      :=   # static libraries
TESTS       :=   # test executables run by `make check` (cmocka or exit code)
TEST_SCRIPTS :=  # shell tests run by `make check` (exit 0 = pass, 77 = skip)
BENCHES     :=   # benchmark targets run by `make bench`
FUZZERS     :=   # libFuzzer targets run by `make fuzz`
GENERATED   :=   # committed files derived from the catalogue
DATA        :=   # files installed to $(PREFIX)/share/xen-vtd-scale
DATA += $(wildcard schemas/*.sql schemas/queries/*.sql)

objs = $(patsubst %.c,$(OBJ)/%.o,$(1))
LINK = $(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LDLIBS)

$(OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

.PHONY: all check bench demo fuzz regen install clean deps check-deps
all: check-deps

# One line per missing library, naming the Debian package that provides it.
check-deps:
	$(call need-pkg,sqlite3,libsqlite3-dev)
	$(call need-pkg,ncursesw,libncurses-dev)
	$(call need-pkg,cmocka,libcmocka-dev)
	$(call need-pkg,xencontrol,libxen-dev)
	$(call need-pkg,xenstat,libxen-dev)
	$(call need-pkg,xenhypfs,libxen-dev)
	$(call need-pkg,xentoollog,libxen-dev)

include $(sort $(wildcard */module.mk */*/module.mk))

all: $(BINS) $(LIBS_A)

# ---- tests ------------------------------------------------------------------
# scripts/run-tests.sh runs every test, sums cmocka's per-case counts (a
# plain program or script counts as one case) and prints "N passed, N failed".
check: all $(TESTS)
	@BUILD=$(BUILD) SANITIZE=$(SANITIZE) scripts/run-tests.sh $(TESTS) $(TEST_SCRIPTS)

bench: all $(filter $(BUILD)/%,$(BENCHES))
	@BUILD=$(BUILD) scripts/run-benches.sh $(BENCHES)

fuzz: $(FUZZERS)
	@for f in $(FUZZERS); do echo "== $$f"; $$f -max_total_time=$${FUZZ_SECONDS:-30} $${f}_corpus || exit 1; done

deps:
	scripts/setup-deps.sh

# The main job: hvsim -> trace -> xenalyze-ext report -> sqlite -> queries.
demo: all
	@BUILD=$(BUILD) scripts/demo.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/xen-vtd-scale
	install -m 0755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	$(if $(DATA),cp -r --parents $(sort $(DATA)) $(DESTDIR)$(PREFIX)/share/xen-vtd-scale/)

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
