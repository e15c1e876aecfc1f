# SPDX-License-Identifier: MIT
# Runtime options and report policy end to end (tests/e2e/options_test.sh).
add_executable(default_opts ${DMASAN_E2E_DIR}/progs/default_opts.c)
target_compile_options(default_opts PRIVATE -g -O1)
target_link_libraries(default_opts PRIVATE "-Wl,--no-as-needed" dmasan_direct "-Wl,--as-needed")
add_test(NAME e2e.options
  COMMAND sh ${DMASAN_E2E_DIR}/options_test.sh $<TARGET_FILE:dmasan>
          $<TARGET_FILE:dmadebug_cases> $<TARGET_FILE:default_opts>)
set_tests_properties(e2e.options PROPERTIES LABELS e2e TIMEOUT 120)
