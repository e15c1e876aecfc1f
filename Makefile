# SPDX-License-Identifier: MIT
# Entry point for people: wraps scripts/install-deps, CMake and CTest.
# The real build is CMake (CMakeLists.txt); nothing here is needed by it.
#   make demo     build everything and run the example NIC driver test with an
#                 injected double unmap under dmasan
#   make check    build and run every test (CI runs this; see .ci/run)
#   make sanitize-check  unit tests under ASan+UBSan; stress, signal and lifecycle tests under TSan
#   make fuzz     build the libFuzzer harnesses with clang and fuzz each one
#   make werror-clang  build the whole tree with clang and -Werror, run the unit suites
#   make help     list all targets and variables

BUILD_DIR ?= build
JOBS ?= 2
CMAKE ?= cmake
CTEST ?= ctest
CMAKE_ARGS ?=
CTEST_ARGS ?=
PREFIX ?= /usr/local
CLANG_FORMAT ?= $(shell command -v clang-format-14 2>/dev/null || command -v clang-format 2>/dev/null)
FUZZ_SECONDS ?= 60
FUZZ_BUILD_DIR ?= build-fuzz
FUZZ_HARNESSES ?=
ASAN_BUILD_DIR ?= build-asan
TSAN_BUILD_DIR ?= build-tsan
CLANG_BUILD_DIR ?= build-clang
# Sanitizer builds read cmake/Sanitizers.cmake (DMASAN_SANITIZE); passing it as
# the project include also works before CMakeLists.txt includes it itself.
SANITIZE_CMAKE_ARGS = -DCMAKE_PROJECT_INCLUDE=$(CURDIR)/cmake/Sanitizers.cmake \
	-DDMASAN_BUILD_EXAMPLES=ON -DDMASAN_WERROR=ON
UNIT_TARGETS := $(sort $(basename $(notdir $(wildcard tests/unit/*_ut.c))))

# Directories holding C sources and headers checked by format-check.
FORMAT_DIRS := shim core reports platform direct tools examples include tests bench

.DEFAULT_GOAL := build
MAKEFLAGS += --no-print-directory
.PHONY: all deps configure build check demo install clean format-check help fuzz \
	sanitize-check sanitize-asan sanitize-tsan bench werror-clang

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
	$(BUILD_DIR)/bin/dmasan-bench --callgrind --json $(BUILD_DIR)/bench.json

install: build
	$(CMAKE) --install $(BUILD_DIR) --prefix $(PREFIX)

# ASan+UBSan on the unit suites, TSan on the stress and signal tests, each
# in its own tree. Only the targets those tests need are built, to save
# time (the whole tree builds too: tests/e2e/cli.cmake leaves its ASan probe
# out of sanitizer trees).
sanitize-check: sanitize-asan sanitize-tsan

sanitize-asan: deps
	$(CMAKE) -S . -B $(ASAN_BUILD_DIR) -DDMASAN_SANITIZE=asan-ubsan \
		-DCMAKE_BUILD_TYPE=Debug $(SANITIZE_CMAKE_ARGS) $(CMAKE_ARGS)
	$(CMAKE) --build $(ASAN_BUILD_DIR) -j $(JOBS) --target $(UNIT_TARGETS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		$(CTEST) --test-dir $(ASAN_BUILD_DIR) -L unit --output-on-failure -j $(JOBS)

sanitize-tsan: deps
	$(CMAKE) -S . -B $(TSAN_BUILD_DIR) -DDMASAN_SANITIZE=tsan \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo $(SANITIZE_CMAKE_ARGS) $(CMAKE_ARGS)
	$(CMAKE) --build $(TSAN_BUILD_DIR) -j $(JOBS) --target dmasan dmasan_direct stress \
		signal_report lifecycle_ut
	# Reports made in signal handlers must be async-signal-safe: TSan reports
	# any libc malloc made in a handler. Not e2e.signal.api: TSan itself hangs
	# on an SA_NODEFER handler that raises its own signal (shim or not).
	# lifecycle_ut races device accesses and syncs against unmaps (the
	# lookup that locks without a reference).
	TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 $${TSAN_OPTIONS:-}" \
		$(CTEST) --test-dir $(TSAN_BUILD_DIR) \
		-R '^(e2e\.(stress|signal\.(heap|symbolized))|unit\.lifecycle_ut)' \
		--output-on-failure

# The whole tree (libraries, tools, examples, bench, tests) with clang and
# -Werror, in a tree of its own: clang warns about things gcc does not. The
# unit suites run too (a few seconds); the rest of the tests are make check's.
werror-clang: deps
	$(CMAKE) -S . -B $(CLANG_BUILD_DIR) -DCMAKE_C_COMPILER=clang -DDMASAN_WERROR=ON \
		-DDMASAN_BUILD_EXAMPLES=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS)
	$(CMAKE) --build $(CLANG_BUILD_DIR) -j $(JOBS)
	$(CTEST) --test-dir $(CLANG_BUILD_DIR) -L unit --output-on-failure -j $(JOBS)

# libFuzzer harnesses (tests/fuzz/): a clang tree of their own; the seeds and
# regression inputs are replayed first (ctest -L fuzz), then each harness
# runs for FUZZ_SECONDS (tests/fuzz/run.sh).
fuzz: deps
	$(CMAKE) -S . -B $(FUZZ_BUILD_DIR) -DCMAKE_C_COMPILER=clang -DDMASAN_FUZZ=ON \
		-DDMASAN_BUILD_EXAMPLES=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS)
	$(CMAKE) --build $(FUZZ_BUILD_DIR) -j $(JOBS) --target dmasan_fuzzers
	$(CTEST) --test-dir $(FUZZ_BUILD_DIR) -L fuzz --output-on-failure -j $(JOBS)
	sh tests/fuzz/run.sh $(FUZZ_BUILD_DIR) $(FUZZ_SECONDS) $(FUZZ_HARNESSES)

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
	@echo "  sanitize-check  ASan+UBSan unit tests ($(ASAN_BUILD_DIR)/), TSan stress and signal tests ($(TSAN_BUILD_DIR)/)"
	@echo "  werror-clang  build everything with clang and -Werror ($(CLANG_BUILD_DIR)/), run the unit suites"
	@echo "  fuzz          clang build of the libFuzzer harnesses ($(FUZZ_BUILD_DIR)/): replay, then"
	@echo "                fuzz each for FUZZ_SECONDS (default 60; FUZZ_HARNESSES picks some)"
	@echo "  install       build, then install into PREFIX (default /usr/local; DESTDIR honoured)"
	@echo "  format-check  check C sources with clang-format (skipped if it is not installed)"
	@echo "  deps          install the Debian packages the build needs (scripts/install-deps)"
	@echo "  configure     run cmake -S . -B $(BUILD_DIR) \$$(CMAKE_ARGS)"
	@echo "  clean         remove $(BUILD_DIR)/"
	@echo "  help          show this list"
	@echo "variables: CMAKE_ARGS (e.g. -DDMASAN_WERROR=ON), CTEST_ARGS (e.g. -L unit),"
	@echo "           JOBS (default 2), PREFIX, BUILD_DIR (default build)"
