# SPDX-License-Identifier: MIT
# The NVMe example end to end. e2e.nvme.direct runs nvme_test with the
# direct library, plain, with requests queued and with every bug switch:
# each run must exit 0 (a switch whose bug really corrupts data has its
# victim excused there, see examples/nvme/README.md). e2e.nvme.shim.* run
# it under the shim through expect_ids.sh: the correct driver must produce
# no finding (one request at a time and with 8 queued), each bug switch
# exactly one finding of its own id.
if(NOT TARGET nvme_test)
  return() # examples not built (DMASAN_BUILD_EXAMPLES=OFF)
endif()
if(NOT TARGET nvme_test)
  return()
endif()

# switch:expected finding id (also listed by nvme_test --list-bugs)
set(_nvme_bugs
  sg-nents-mismatch:unmap-nents-mismatch
  partial-sync:missing-sync-for-device
  prp-free-in-flight:use-after-free)

set(_nvme_switches "")
foreach(b IN LISTS _nvme_bugs)
  string(REPLACE ":" ";" _pair ${b})
  list(GET _pair 0 _switch)
  list(APPEND _nvme_switches ${_switch})
endforeach()
string(REPLACE ";" " " _nvme_switches "${_nvme_switches}")

# One test, every configuration; stops at the first run that fails.
add_test(NAME e2e.nvme.direct
  COMMAND sh -c "set -e; p=\"$1\"; \"$p\"; \"$p\" --depth 8 --commands 200; for b in ${_nvme_switches}; do echo \"--bug=$b\"; \"$p\" --bug=$b; done" sh $<TARGET_FILE:nvme_test>)
set_tests_properties(e2e.nvme.direct PROPERTIES LABELS e2e TIMEOUT 120
  ENVIRONMENT "LD_PRELOAD=")

add_test(NAME e2e.nvme.shim.correct
  COMMAND sh ${DMASAN_E2E_DIR}/expect_ids.sh $<TARGET_FILE:dmasan> none
          -- $<TARGET_FILE:nvme_test>)
set_tests_properties(e2e.nvme.shim.correct PROPERTIES LABELS e2e TIMEOUT 120)

# Several requests, and so several PRP list blocks, in flight at once.
add_test(NAME e2e.nvme.shim.queued
  COMMAND sh ${DMASAN_E2E_DIR}/expect_ids.sh $<TARGET_FILE:dmasan> none
          -- $<TARGET_FILE:nvme_test> --depth 8 --commands 200)
set_tests_properties(e2e.nvme.shim.queued PROPERTIES LABELS e2e TIMEOUT 120)

foreach(b IN LISTS _nvme_bugs)
  string(REPLACE ":" ";" _pair ${b})
  list(GET _pair 0 _switch)
  list(GET _pair 1 _id)
  add_test(NAME e2e.nvme.shim.${_switch}
    COMMAND sh ${DMASAN_E2E_DIR}/expect_ids.sh $<TARGET_FILE:dmasan> ${_id}=1
            -- $<TARGET_FILE:nvme_test> --bug=${_switch})
  set_tests_properties(e2e.nvme.shim.${_switch} PROPERTIES LABELS e2e TIMEOUT 120)
endforeach()
