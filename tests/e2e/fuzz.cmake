# SPDX-License-Identifier: MIT
# The libFuzzer harnesses (tests/fuzz/), built only with -DDMASAN_FUZZ=ON
# and clang, in a build tree of their own (`make fuzz` uses build-fuzz/):
# they compile the shim's sources again with -fsanitize=fuzzer-no-link,
# address,undefined, so nothing else in the tree changes. Their ctest
# tests (label fuzz) replay the seed corpora and the regression inputs
# once each; `make fuzz` fuzzes each harness for FUZZ_SECONDS.
option(DMASAN_FUZZ "build the libFuzzer harnesses (needs clang)" OFF)
if(DMASAN_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "DMASAN_FUZZ=ON needs clang (configure with CC=clang)")
  endif()
  add_subdirectory(${PROJECT_SOURCE_DIR}/tests/fuzz ${PROJECT_BINARY_DIR}/tests/fuzz)
endif()
