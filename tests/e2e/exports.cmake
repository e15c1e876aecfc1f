# SPDX-License-Identifier: MIT
# e2e.exports: libdmasan.so and libdmasan_direct.so export exactly the names
# listed in shim/dmasan.map (tests/e2e/exports.sh); libdmasan.so also the
# signal function interposers of the generated shim/interpose.map.
if(CMAKE_NM)
  set(_dmasan_nm ${CMAKE_NM})
else()
  find_program(_dmasan_nm NAMES nm REQUIRED)
endif()
set(_dmasan_shim $<TARGET_FILE:dmasan>)
if(EXISTS ${PROJECT_BINARY_DIR}/shim/interpose.map)
  string(APPEND _dmasan_shim "=${PROJECT_BINARY_DIR}/shim/interpose.map")
endif()
add_test(NAME e2e.exports
  COMMAND ${CMAKE_COMMAND} -E env NM=${_dmasan_nm}
    sh ${CMAKE_CURRENT_LIST_DIR}/exports.sh ${PROJECT_SOURCE_DIR}/shim/dmasan.map
    ${_dmasan_shim} $<TARGET_FILE:dmasan_direct>)
set_tests_properties(e2e.exports PROPERTIES LABELS e2e TIMEOUT 60)
unset(_dmasan_nm)
unset(_dmasan_shim)
