# SPDX-License-Identifier: MIT
# Findings made in signal handlers (tests/e2e/progs/signal_report.c, run by
# tests/e2e/signal_test.sh under the shim):
#   e2e.signal.heap        2000 findings made in SIGALRM handlers while the
#                          main thread loops in malloc/free, stdio and
#                          dl_iterate_phdr(): the run ends, every finding is
#                          reported exactly once, unsymbolized, saying why
#   e2e.signal.symbolized  a finding of the main thread is symbolized, one
#                          made in a handler is not and says so (text and
#                          JSON), one made after a handler left with
#                          siglongjmp() is symbolized again
#   e2e.signal.api         sigaction(), signal() and the SysV signal()
#                          through the shim keep libc's semantics
# The TSan build runs them too (make sanitize-tsan): there any libc malloc
# made in a handler is a "signal-unsafe call" report.
add_executable(signal_report ${DMASAN_E2E_DIR}/progs/signal_report.c)
target_include_directories(signal_report PRIVATE ${PROJECT_SOURCE_DIR}/tests)
target_compile_options(signal_report PRIVATE -g -O1 -fno-omit-frame-pointer)
target_link_libraries(signal_report PRIVATE dmasan_warnings
  "-Wl,--no-as-needed" dmasan_direct "-Wl,--as-needed")
foreach(_case heap symbolized api)
  add_test(NAME e2e.signal.${_case}
    COMMAND sh ${DMASAN_E2E_DIR}/signal_test.sh $<TARGET_FILE:dmasan>
            $<TARGET_FILE:signal_report> ${_case})
  set_tests_properties(e2e.signal.${_case} PROPERTIES LABELS e2e TIMEOUT 300)
endforeach()
unset(_case)
