# hv/tests/: per-fix test directories, each with its own fragment
# hv/tests/<fix>/module.mk.  The top-level Makefile reaches two levels
# (this file); it is read after hv/module.mk, so the fragments can use the
# harness's variables (HV_INCLUDES, tsan_objs, HV_TSAN_LIBS, TSAN_LINK).
ifndef HV_TESTS_FRAGMENTS
HV_TESTS_FRAGMENTS := $(sort $(wildcard hv/tests/*/module.mk))
include $(HV_TESTS_FRAGMENTS)
endif
