# tests/build: tests of the build itself.
TEST_SCRIPTS += tests/build/install.sh

# `make print-VAR` prints a variable (used by tests and scripts).
print-%:
	@echo $($*)
