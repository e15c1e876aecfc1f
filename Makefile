# SPDX-License-Identifier: MIT
# Entry point for people: wraps scripts/install-deps, CMake and CTest.
# The real build is CMake (CMakeLists.txt); nothing here is needed by it.
#   make demo     build everything and run the example NIC driver test with an
#                 injected double unmap under dmasan
#   make check    build and run every test (CI runs this; see .ci/run)
#   make help     list all targets and variables

BUILD_DIR ?= build
JOBS ?= 2
CMAKE ?= cmake
CTEST ?= ctest
CMAKE_ARGS ?=
CTEST_ARGS ?=
PREFIX ?= /usr/local
CLANG_FORMAT ?= $(shell command -v clang-format-14 2>/dev/null || command -v clang-format 2>/dev/null)

# Directories holding C sources and headers checked by format-check.
FORMAT_DIRS := shim core reports platform direct tools examples include tests bench

.DEFAULT_GOAL := build
MAKEFLAGS += --no-print-directory
.PHONY: all deps configure build check demo install clean format-check help bench

all: build

deps:
	@./scripts/install-deps

# Configuring an existing build tree is quick, so always do it: a changed
# CMAKE_ARGS then takes effect without a clean.
configure: deps
	$(CMAKE) -S . -B $(BUILD_DIR) $(CMAKE_ARGS)

build: configure
	$(CMAKE) --build $(BUILD_DIR) -j $(JOBS)

check: build
	$(CTEST) --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) $(CTEST_ARGS)

# The NIC test unmaps one TX buffer twice; dmasan reports it and, because
# there were findings, makes the program exit with status 23 (exitcode=).
demo: build
	@echo "demo: running $(BUILD_DIR)/bin/dmasan -- $(BUILD_DIR)/bin/nic_test --bug=double-unmap"
	@status=0; \
	$(BUILD_DIR)/bin/dmasan -- $(BUILD_DIR)/bin/nic_test --bug=double-unmap || status=$$?; \
	if [ $$status -eq 23 ]; then \
		echo "demo: dmasan reported the injected double unmap above (exit status 23)"; \
	else \
		echo "demo: FAILED: expected exit status 23 (dmasan findings), got $$status" >&2; \
		exit 1; \
	fi

# SPEC section 13 benchmark: a table of medians, PASS/MISS per target
# (a MISS does not fail), results also in $(BUILD_DIR)/bench.json.
bench: build
	$(BUILD_DIR)/bin/dmasan-bench --json $(BUILD_DIR)/bench.json

install: build
	$(CMAKE) --install $(BUILD_DIR) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD_DIR)

format-check:
	@if [ -z "$(CLANG_FORMAT)" ]; then \
		echo "format-check: clang-format not found; skipped (apt-get install clang-format-14)"; \
		exit 0; \
	fi; \
	files=$$(find $(FORMAT_DIRS) -type f \( -name '*.c' -o -name '*.h' \) 2>/dev/null | sort); \
	if [ -z "$$files" ]; then echo "format-check: no C sources found"; exit 0; fi; \
	echo "format-check: $$($(CLANG_FORMAT) --version | head -n 1)"; \
	bad=""; n=0; \
	for f in $$files; do \
		n=$$((n + 1)); \
		$(CLANG_FORMAT) --dry-run -Werror "$$f" >/dev/null 2>&1 || bad="$$bad $$f"; \
	done; \
	if [ -n "$$bad" ]; then \
		echo "format-check: these files need clang-format -i:"; \
		for f in $$bad; do echo "  $$f"; done; \
		exit 1; \
	fi; \
	echo "format-check: all $$n files are formatted"

help:
	@echo "dmasan make targets (a thin wrapper around CMake):"
	@echo "  build         install missing packages, configure $(BUILD_DIR)/ and build (default)"
	@echo "  demo          build, then run the NIC example with an injected double unmap under dmasan"
	@echo "  check         build, then run all tests with ctest"
	@echo "  install       build, then install into PREFIX (default /usr/local; DESTDIR honoured)"
	@echo "  format-check  check C sources with clang-format (skipped if it is not installed)"
	@echo "  deps          install the Debian packages the build needs (scripts/install-deps)"
	@echo "  configure     run cmake -S . -B $(BUILD_DIR) \$$(CMAKE_ARGS)"
	@echo "  clean         remove $(BUILD_DIR)/"
	@echo "  help          show this list"
	@echo "variables: CMAKE_ARGS (e.g. -DDMASAN_WERROR=ON), CTEST_ARGS (e.g. -L unit),"
	@echo "           JOBS (default 2), PREFIX, BUILD_DIR (default build)"
