# SPDX-License-Identifier: MIT
# e2e.direct_api: CUnit tests of libdmasan_direct.so through the public
# API. The unit-suite glob links the shim's objects (dmasan_testlib), so
# the direct library gets its own executable here, linked the way a
# driver test links it.
add_executable(direct_api_test ${DMASAN_E2E_DIR}/direct_api_test.c)
target_include_directories(direct_api_test PRIVATE ${PROJECT_SOURCE_DIR}/tests)
target_link_libraries(direct_api_test PRIVATE dmasan_warnings
  "-Wl,--no-as-needed" dmasan_direct "-Wl,--as-needed"
  PkgConfig::CUNIT Threads::Threads)
add_test(NAME e2e.direct_api COMMAND direct_api_test)
set_tests_properties(e2e.direct_api PROPERTIES LABELS e2e TIMEOUT 120)
