# SPDX-License-Identifier: MIT
# e2e.install: install this build into a scratch prefix and consume it from
# outside, through pkg-config, find_package(dmasan) and the installed
# dmasan command (tests/install/run.sh). The consumer is compiled with the
# project's compiler and CMAKE_C_FLAGS, so sanitizer builds stay consistent.
add_test(NAME e2e.install
  COMMAND ${CMAKE_COMMAND} -E env
    CMAKE=${CMAKE_COMMAND} CC=${CMAKE_C_COMPILER} "CFLAGS=${CMAKE_C_FLAGS}"
    bash ${PROJECT_SOURCE_DIR}/tests/install/run.sh ${PROJECT_BINARY_DIR})
set_tests_properties(e2e.install PROPERTIES LABELS e2e TIMEOUT 300)
