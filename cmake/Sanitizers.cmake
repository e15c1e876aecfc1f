# SPDX-License-Identifier: MIT
# Sanitizer builds: DMASAN_SANITIZE=none|asan-ubsan|tsan selects the flags
# of one INTERFACE target, dmasan_sanitize, which is linked into the
# INTERFACE target dmasan_warnings that every dmasan target already links
# PRIVATE, so libraries, the shim, the direct library, tools, examples and
# tests are all built the same way. CMAKE_C_FLAGS is never touched.
#   asan-ubsan  AddressSanitizer + UndefinedBehaviorSanitizer, UB fatal
#               (-fno-sanitize-recover); for the unit tests (`ctest -L unit`)
#   tsan        ThreadSanitizer; for the concurrency tests (e2e.stress),
#               run with the TSan runtime first in LD_PRELOAD
# Included from the top-level CMakeLists.txt after cmake/Warnings.cmake, or
# (until it is) through -DCMAKE_PROJECT_INCLUDE=<this file>: the link to
# dmasan_warnings is deferred to the end of the top-level directory, so the
# file works whether it is read before or after Warnings.cmake.
include_guard(GLOBAL)

set(DMASAN_SANITIZE "none" CACHE STRING "sanitizer build: none, asan-ubsan or tsan")
set_property(CACHE DMASAN_SANITIZE PROPERTY STRINGS none asan-ubsan tsan)

add_library(dmasan_sanitize INTERFACE)
if(DMASAN_SANITIZE STREQUAL "asan-ubsan")
  set(_dmasan_san -fsanitize=address,undefined)
  target_compile_options(dmasan_sanitize INTERFACE ${_dmasan_san}
    -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(dmasan_sanitize INTERFACE ${_dmasan_san})
elseif(DMASAN_SANITIZE STREQUAL "tsan")
  set(_dmasan_san -fsanitize=thread)
  target_compile_options(dmasan_sanitize INTERFACE ${_dmasan_san} -fno-omit-frame-pointer)
  # GCC 11+ warns that TSan does not model atomic_thread_fence() (the
  # examples' DMA barriers use it): a fact about TSan, not an error of the
  # code, so not fatal under DMASAN_WERROR either.
  target_compile_options(dmasan_sanitize INTERFACE
    $<$<AND:$<C_COMPILER_ID:GNU>,$<VERSION_GREATER_EQUAL:$<C_COMPILER_VERSION>,11>>:-Wno-error=tsan>)
  target_link_options(dmasan_sanitize INTERFACE ${_dmasan_san})
elseif(NOT DMASAN_SANITIZE STREQUAL "none" AND NOT DMASAN_SANITIZE STREQUAL "")
  message(FATAL_ERROR "DMASAN_SANITIZE=${DMASAN_SANITIZE}: expected none, asan-ubsan or tsan")
endif()
unset(_dmasan_san)

function(dmasan_sanitize_apply)
  if(NOT TARGET dmasan_warnings)
    message(FATAL_ERROR "cmake/Sanitizers.cmake: no dmasan_warnings target to attach to")
  endif()
  get_target_property(_libs dmasan_warnings INTERFACE_LINK_LIBRARIES)
  if(NOT "dmasan_sanitize" IN_LIST _libs)
    target_link_libraries(dmasan_warnings INTERFACE dmasan_sanitize)
  endif()
endfunction()

if(TARGET dmasan_warnings)
  dmasan_sanitize_apply()
else()
  cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL dmasan_sanitize_apply)
endif()
if(NOT DMASAN_SANITIZE STREQUAL "none")
  message(STATUS "dmasan: sanitizer build ${DMASAN_SANITIZE}")
endif()
