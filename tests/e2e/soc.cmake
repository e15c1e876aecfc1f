# SPDX-License-Identifier: MIT
# The example SoC end to end: soc_test on its devicetree under the shim
# (platform checks inside the program, exact finding ids outside), with the
# direct library, and a broken dtb= falling back to the built-in platform.
if(NOT TARGET soc_test)
  return() # examples not built (DMASAN_BUILD_EXAMPLES=OFF)
endif()
add_test(NAME e2e.soc.direct COMMAND $<TARGET_FILE:soc_test>)
add_test(NAME e2e.soc.shim.correct
  COMMAND sh ${DMASAN_E2E_DIR}/expect_ids.sh $<TARGET_FILE:dmasan> none -- $<TARGET_FILE:soc_test>)
add_test(NAME e2e.soc.shim.pool-double-free
  COMMAND sh ${DMASAN_E2E_DIR}/expect_ids.sh $<TARGET_FILE:dmasan> coherent-double-free=1
          -- $<TARGET_FILE:soc_test> --bug=pool-double-free)
add_test(NAME e2e.soc.shim.pool-wrong-size
  COMMAND sh ${DMASAN_E2E_DIR}/expect_ids.sh $<TARGET_FILE:dmasan> unmap-size-mismatch=1
          -- $<TARGET_FILE:soc_test> --bug=pool-wrong-size)
# A truncated blob: one clear line naming it, and the run goes on with the built-in platform.
add_test(NAME e2e.soc.bad-dtb
  COMMAND sh -c "head -c 100 '${CMAKE_BINARY_DIR}/examples/soc/soc.dtb' > '${CMAKE_CURRENT_BINARY_DIR}/cut.dtb' && DMASAN_OPTIONS=dtb='${CMAKE_CURRENT_BINARY_DIR}/cut.dtb' LD_PRELOAD='$<TARGET_FILE:dmasan>' '$<TARGET_FILE:dmadebug_cases>' ok-rx 2> '${CMAKE_CURRENT_BINARY_DIR}/cut.err'; rc=$?; cat '${CMAKE_CURRENT_BINARY_DIR}/cut.err'; [ $rc -eq 0 ] && [ $(grep -c 'cut.dtb: truncated' '${CMAKE_CURRENT_BINARY_DIR}/cut.err') -eq 1 ] && grep -q 'using the built-in platform' '${CMAKE_CURRENT_BINARY_DIR}/cut.err'")
set_tests_properties(e2e.soc.direct e2e.soc.shim.correct e2e.soc.shim.pool-double-free
  e2e.soc.shim.pool-wrong-size e2e.soc.bad-dtb PROPERTIES LABELS e2e TIMEOUT 60)
