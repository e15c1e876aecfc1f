# SPDX-License-Identifier: MIT
# The NIC example end to end. e2e.nic.direct runs nic_test with the direct
# library, plain and with every bug switch: each run must verify all its
# frames and exit 0 (the injected bugs are harmless without checks).
# e2e.nic.shim.* run it under the shim through expect_ids.sh: the correct
# driver must produce no finding, each bug switch exactly its own id.
if(NOT TARGET nic_test)
  return()
endif()

# switch:expected finding id (also listed by nic_test --list-bugs)
set(_nic_bugs
  double-unmap:double-unmap
  unmap-wrong-size:unmap-size-mismatch
  unmap-wrong-dir:unmap-dir-mismatch
  unchecked-map-error:map-error-unchecked
  leak-mapping:leak-mapping
  sync-unmapped:sync-not-mapped
  map-stack:map-stack-memory)

set(_nic_switches "")
foreach(b IN LISTS _nic_bugs)
  string(REPLACE ":" ";" _pair ${b})
  list(GET _pair 0 _switch)
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
  string(REPLACE ":" ";" _pair ${b})
  list(GET _pair 0 _switch)
  list(GET _pair 1 _id)
  add_test(NAME e2e.nic.shim.${_switch}
    COMMAND sh ${DMASAN_E2E_DIR}/expect_ids.sh $<TARGET_FILE:dmasan> ${_id}=1
            -- $<TARGET_FILE:nic_test> --bug=${_switch})
  set_tests_properties(e2e.nic.shim.${_switch} PROPERTIES LABELS e2e TIMEOUT 120)
endforeach()
