# SPDX-License-Identifier: MIT
# The stress test (tests/stress/stress.c) under the shim, through
# tests/stress/stress.sh; every transfer checked, every log line a complete
# JSON object, a watchdog against deadlocks. Three tests, one per concern,
# so that a failure names it:
#   e2e.stress         8 threads x 20000 operations on shared and separate
#                      devices, deliberate misuse reported from all threads
#                      at once
#   e2e.stress.fork    the same threads, forking meanwhile: children use the
#                      API with the parent's mappings live (and must not hang
#                      on a lock another thread held at fork), or exec
#                      /bin/true
#   e2e.stress.signal  findings made in SIGALRM handlers: 8 while the main
#                      thread waits in sigsuspend(), then 50000, one every
#                      100 us, while the interrupted thread is inside the API
#                      itself (and makes findings of its own)
# The TSan build runs them too (make sanitize-check), the shim first in
# LD_PRELOAD. DMASAN_STRESS_ARGS adds arguments to all three (e.g. --ops 5000
# for slow machines).
set(DMASAN_STRESS_ARGS "" CACHE STRING "extra arguments of the stress tests (e.g. --ops 5000)")
add_executable(stress ${PROJECT_SOURCE_DIR}/tests/stress/stress.c)
target_include_directories(stress PRIVATE ${PROJECT_SOURCE_DIR}/tests)
target_compile_options(stress PRIVATE -g -O1 -fno-omit-frame-pointer)
target_link_libraries(stress PRIVATE dmasan_warnings Threads::Threads
  "-Wl,--no-as-needed" dmasan_direct "-Wl,--as-needed")
separate_arguments(_stress_args UNIX_COMMAND "${DMASAN_STRESS_ARGS}")
foreach(_t IN ITEMS "stress;--forks;0;--signals;0" "stress.fork;--forks;16;--signals;0"
    "stress.signal;--threads;1;--ops;64;--forks;0;--signals;8;--signals-busy;50000")
  list(POP_FRONT _t _name)
  add_test(NAME e2e.${_name}
    COMMAND sh ${PROJECT_SOURCE_DIR}/tests/stress/stress.sh $<TARGET_FILE:dmasan>
            $<TARGET_FILE:stress> ${_t} ${_stress_args})
  set_tests_properties(e2e.${_name} PROPERTIES LABELS e2e TIMEOUT 900)
endforeach()
# Under TSan, e2e.stress captures stacks with libunwind (fast_unwind=0),
# the fallback of the frame-pointer walk, so that both walks run there with
# worker threads that exit (libunwind's unw_backtrace() once crashed them).
set_tests_properties(e2e.stress PROPERTIES
  ENVIRONMENT "STRESS_TSAN_DMASAN_OPTIONS=fast_unwind=0")
# TSan's deadlock detector tracks at most 64 held locks per thread, and
# jemalloc's fork handler takes more (a TSan CHECK failure, not a finding).
set_tests_properties(e2e.stress.fork PROPERTIES
  ENVIRONMENT "STRESS_TSAN_OPTIONS=detect_deadlocks=0")
# Under TSan a report costs more than 100 us: at the default interval the
# calls handlers defer would arrive faster than the API can run them, and
# the interrupted call would never return. 5000 signals, one per ms.
set_tests_properties(e2e.stress.signal PROPERTIES
  ENVIRONMENT "STRESS_TSAN_ARGS=--signals-busy 5000 --signal-interval 1000")
unset(_t)
unset(_name)
unset(_stress_args)
