# SPDX-License-Identifier: MIT
# e2e.bench.smoke: dmasan-bench --quick runs every scenario with tiny
# counts (a few seconds) against both libraries. It must exit 0 (a MISS
# never fails it; a scenario error does) and print every scenario's row.
# The numbers themselves are not checked: performance is never a timed test.
if(NOT TARGET dmasan_bench OR NOT TARGET nic_test)
  return()
endif()

set(_bench_rows map_unmap rx_cycle memcpy_1500 sync_pair dev_write bounce_64k
  memcpy_64k pool_64 coherent_4k scale_few scale_many memory threads_1 threads_2
  nic_test nic_valgrind callgrind)
set(_bench_check "")
foreach(_r IN LISTS _bench_rows)
  string(APPEND _bench_check
    "grep -q '^${_r} ' \"$out\" || { echo \"missing row ${_r}\"; fail=1; }; ")
endforeach()

add_test(NAME e2e.bench.smoke
  COMMAND sh -c "out=$(mktemp) || exit 1; fail=0; \"$1\" --quick --shim \"$2\" --nic \"$3\" >\"$out\"; st=$?; cat \"$out\"; if [ $st -ne 0 ]; then echo \"dmasan-bench exited with status $st\"; fail=1; fi; ${_bench_check}rm -f \"$out\"; exit $fail"
    sh $<TARGET_FILE:dmasan_bench> $<TARGET_FILE:dmasan> $<TARGET_FILE:nic_test>)
set_tests_properties(e2e.bench.smoke PROPERTIES LABELS e2e TIMEOUT 120
  ENVIRONMENT "LD_PRELOAD=;DMASAN_OPTIONS=")
unset(_bench_rows)
unset(_bench_check)
unset(_r)
