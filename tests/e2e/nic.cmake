# SPDX-License-Identifier: MIT
# The NIC example end to end. e2e.nic.direct runs nic_test with the direct
# library, plain and with every bug switch: each run must verify all its
# frames and exit 0 (the injected bugs are harmless without checks).
# e2e.nic.shim.* run it under the shim through expect_ids.sh: the correct
# driver must produce no finding, each bug switch exactly its own ids and
# counts. The bug runs use exitcode=0 so that nic_test's own status is
# checked too: it must be 0, i.e. every frame lost or corrupted under the
# shim must be one the injected bug hit.
if(NOT TARGET nic_test)
  return() # examples not built (DMASAN_BUILD_EXAMPLES=OFF)
endif()
if(NOT TARGET nic_test)
  return()
endif()

# switch|expected findings (id=count,...)|extra DMASAN_OPTIONS
# (the switches and ids are also listed by nic_test --list-bugs)
set(_nic_bugs
  "double-unmap|double-unmap=1"
  "unmap-wrong-size|unmap-size-mismatch=1"
  "unmap-wrong-dir|unmap-dir-mismatch=1"
  "unchecked-map-error|map-error-unchecked=1"
  "leak-mapping|leak-mapping=1"
  "sync-unmapped|sync-not-mapped=1"
  "map-stack|map-stack-memory=1"
  "rx-no-sync-for-cpu|missing-sync-for-cpu=1"
  "rx-no-sync-for-device|missing-sync-for-device=1"
  "tx-write-after-map|missing-sync-for-device=1"
  "unmap-before-complete|use-after-unmap=1"
  "dma-addr-64bit|mask-violation=1"
  # A bounced buffer shares no line with anything: map in place.
  "rx-shared-cacheline|cacheline-sharing=1,unaligned-buffer=1|placement=low"
  "rx-wrong-direction|dir-violation=1")

set(_nic_switches "")
foreach(b IN LISTS _nic_bugs)
  string(REPLACE "|" ";" _parts "${b}")
  list(GET _parts 0 _switch)
  list(APPEND _nic_switches ${_switch})
endforeach()
string(REPLACE ";" " " _nic_switches "${_nic_switches}")

# One test, every configuration; stops at the first run that fails.
add_test(NAME e2e.nic.direct
  COMMAND sh -c "set -e; p=\"$1\"; \"$p\"; for b in ${_nic_switches}; do echo \"--bug=$b\"; \"$p\" --bug=$b; done" sh $<TARGET_FILE:nic_test>)
set_tests_properties(e2e.nic.direct PROPERTIES LABELS e2e TIMEOUT 120
  ENVIRONMENT "LD_PRELOAD=")

add_test(NAME e2e.nic.shim.correct
  COMMAND sh ${DMASAN_E2E_DIR}/expect_ids.sh $<TARGET_FILE:dmasan> none
          -- $<TARGET_FILE:nic_test>)
set_tests_properties(e2e.nic.shim.correct PROPERTIES LABELS e2e TIMEOUT 120)

foreach(b IN LISTS _nic_bugs)
  string(REPLACE "|" ";" _parts "${b}")
  list(LENGTH _parts _n)
  list(GET _parts 0 _switch)
  list(GET _parts 1 _expect)
  set(_opts "exitcode=0")
  if(_n GREATER 2)
    list(GET _parts 2 _extra)
    string(APPEND _opts ":${_extra}")
  endif()
  add_test(NAME e2e.nic.shim.${_switch}
    COMMAND ${CMAKE_COMMAND} -E env "DMASAN_OPTIONS=${_opts}"
            sh ${DMASAN_E2E_DIR}/expect_ids.sh $<TARGET_FILE:dmasan> ${_expect} --status 0
            -- $<TARGET_FILE:nic_test> --bug=${_switch})
  set_tests_properties(e2e.nic.shim.${_switch} PROPERTIES LABELS e2e TIMEOUT 120)
endforeach()
