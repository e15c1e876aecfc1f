# SPDX-License-Identifier: MIT
# e2e.cli*: the dmasan command, run the way a user runs it
# (tests/e2e/cli_test.sh). Three tests, so that a shim that is not ready
# yet does not hide the command's own checks:
#   e2e.cli        options, errors, exit statuses, LD_PRELOAD/DMASAN_OPTIONS
#   e2e.cli.quiet  a program that never calls the DMA API prints nothing
#   e2e.cli.asan   ASan programs get the ASan runtime first in LD_PRELOAD
#                  (not in a tree built with a sanitizer, see below)
# Probes: e2e_asan_probe is tests/e2e/asan_probe.c built with
# -fsanitize=address (gcc links the runtime dynamically, so it aborts
# unless libasan is preloaded first). e2e_fake_asan_probe is the same
# source linked, without RPATH, against a stand-in library whose soname is
# libasan.so.99: dmasan finds it only through LD_LIBRARY_PATH, which tests
# both the search and the "runtime not found" fallback. Both stand-ins are
# built without sanitizers even when the whole build uses them, so that
# libasan.so.99 stays their only ASan-like dependency. A tree built with a
# sanitizer (DMASAN_SANITIZE, cmake/Sanitizers.cmake) has no ASan probe and
# no e2e.cli.asan: -fsanitize=address does not mix with -fsanitize=thread,
# and under ASan itself the probe would check nothing new.
if(DMASAN_SANITIZE AND NOT DMASAN_SANITIZE STREQUAL "none")
  set(_groups cli quiet)
else()
  set(_groups cli quiet asan)
  add_executable(e2e_asan_probe ${CMAKE_CURRENT_LIST_DIR}/asan_probe.c)
  target_compile_options(e2e_asan_probe PRIVATE -fsanitize=address -fno-omit-frame-pointer)
  target_link_options(e2e_asan_probe PRIVATE -fsanitize=address)
  target_link_libraries(e2e_asan_probe PRIVATE dmasan_warnings)
endif()

add_library(e2e_fake_asan SHARED ${CMAKE_CURRENT_LIST_DIR}/asan_probe.c)
set_target_properties(e2e_fake_asan PROPERTIES
  OUTPUT_NAME asan SUFFIX ".so.99" NO_SONAME ON
  LIBRARY_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/fake-asan)
target_compile_options(e2e_fake_asan PRIVATE -fno-sanitize=all)
target_link_options(e2e_fake_asan PRIVATE -fno-sanitize=all -Wl,-soname,libasan.so.99)
target_link_libraries(e2e_fake_asan PRIVATE dmasan_warnings)

add_executable(e2e_fake_asan_probe ${CMAKE_CURRENT_LIST_DIR}/asan_probe.c)
set_target_properties(e2e_fake_asan_probe PROPERTIES SKIP_BUILD_RPATH ON)
target_compile_options(e2e_fake_asan_probe PRIVATE -fno-sanitize=all)
target_link_options(e2e_fake_asan_probe PRIVATE -fno-sanitize=all)
target_link_libraries(e2e_fake_asan_probe PRIVATE dmasan_warnings
  -Wl,--no-as-needed e2e_fake_asan -Wl,--as-needed)

if(TARGET e2e_asan_probe)
  set(_probe $<TARGET_FILE:e2e_asan_probe>)
else()
  set(_probe none) # only the asan group runs it
endif()
foreach(_group IN LISTS _groups)
  if(_group STREQUAL "cli")
    set(_name e2e.cli)
  else()
    set(_name e2e.cli.${_group})
  endif()
  add_test(NAME ${_name}
    COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/cli_test.sh
      $<TARGET_FILE:dmasan_cli> $<TARGET_FILE:dmasan> ${_probe}
      $<TARGET_FILE:e2e_fake_asan_probe> $<TARGET_FILE_DIR:e2e_fake_asan>
      ${PROJECT_VERSION} ${_group})
  set_tests_properties(${_name} PROPERTIES LABELS e2e TIMEOUT 120)
endforeach()
unset(_group)
unset(_groups)
unset(_name)
unset(_probe)
