# SPDX-License-Identifier: MIT
# Install rules, the CMake package and the pkg-config files.
#
# Layout under the prefix (GNUInstallDirs):
#   bin/dmasan                          the command (target dmasan_cli)
#   <libdir>/libdmasan.so*              the shim, exported as dmasan::shim
#   <libdir>/libdmasan_direct.so*       the plain library, dmasan::direct
#   <includedir>/dmasan/linux/*.h       the kernel-compatible DMA API
#   <includedir>/dmasan/dmasan/dmasan.h the harness API
#   <libdir>/cmake/dmasan/              find_package(dmasan) files
#   <libdir>/pkgconfig/dmasan{,-direct}.pc
#
# The headers get their own directory (consumers add -I<includedir>/dmasan)
# because our <linux/types.h> and <linux/errno.h> would otherwise shadow the
# kernel's UAPI headers of the same names for every program built on the
# machine (glibc's <errno.h> includes <linux/errno.h>), and an install with
# --prefix /usr would overwrite files owned by linux-libc-dev.
#
# The pkg-config files are written at install time so that their prefix is
# the one actually installed to (`cmake --install build --prefix DIR`).
include(CMakePackageConfigHelpers)

set(DMASAN_INSTALL_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}/dmasan" CACHE STRING
  "where linux/*.h and dmasan/*.h are installed, relative to the prefix")
set(DMASAN_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/dmasan" CACHE STRING
  "where the CMake package files are installed, relative to the prefix")
mark_as_advanced(DMASAN_INSTALL_INCLUDEDIR DMASAN_INSTALL_CMAKEDIR)

# --- libraries, program and headers -----------------------------------------
install(TARGETS dmasan dmasan_direct EXPORT dmasanTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${DMASAN_INSTALL_INCLUDEDIR})
install(TARGETS dmasan_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/linux ${PROJECT_SOURCE_DIR}/include/dmasan
  DESTINATION ${DMASAN_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h")

# --- CMake package: installed, and usable from the build tree -----------------
install(EXPORT dmasanTargets NAMESPACE dmasan:: DESTINATION ${DMASAN_INSTALL_CMAKEDIR})
export(EXPORT dmasanTargets NAMESPACE dmasan:: FILE ${PROJECT_BINARY_DIR}/dmasanTargets.cmake)

write_basic_package_version_file(${PROJECT_BINARY_DIR}/dmasanConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)

# Installed config: every path relative to the package's own location.
set(DMASAN_CONFIG_BINDIR ${CMAKE_INSTALL_BINDIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/dmasanConfig.cmake.in
  ${PROJECT_BINARY_DIR}/install-config/dmasanConfig.cmake
  INSTALL_DESTINATION ${DMASAN_INSTALL_CMAKEDIR}
  PATH_VARS DMASAN_CONFIG_BINDIR)
install(FILES ${PROJECT_BINARY_DIR}/install-config/dmasanConfig.cmake
  ${PROJECT_BINARY_DIR}/dmasanConfigVersion.cmake
  DESTINATION ${DMASAN_INSTALL_CMAKEDIR})

# Build-tree config: -Ddmasan_DIR=<build dir> finds the freshly built targets.
set(DMASAN_CONFIG_BINDIR ${CMAKE_RUNTIME_OUTPUT_DIRECTORY})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/dmasanConfig.cmake.in
  ${PROJECT_BINARY_DIR}/dmasanConfig.cmake
  INSTALL_DESTINATION ${PROJECT_BINARY_DIR}
  INSTALL_PREFIX ${PROJECT_BINARY_DIR}
  PATH_VARS DMASAN_CONFIG_BINDIR)
unset(DMASAN_CONFIG_BINDIR)

# --- pkg-config ----------------------------------------------------------------
# libdir and includedir are written relative to ${prefix} when the
# GNUInstallDirs values are relative (as mimalloc's JoinPaths does).
function(dmasan_pc_path out dir)
  if(IS_ABSOLUTE "${dir}")
    set(${out} "${dir}" PARENT_SCOPE)
  else()
    set(${out} "\${prefix}/${dir}" PARENT_SCOPE)
  endif()
endfunction()
dmasan_pc_path(DMASAN_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
dmasan_pc_path(DMASAN_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
dmasan_pc_path(DMASAN_PC_HEADERDIR "${DMASAN_INSTALL_INCLUDEDIR}")
string(REPLACE "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}" "\${includedir}"
  DMASAN_PC_HEADERDIR "${DMASAN_PC_HEADERDIR}")
# Stage 1 (now): everything but the prefix, which stays @DMASAN_PC_PREFIX@.
set(DMASAN_PC_PREFIX "@DMASAN_PC_PREFIX@")
foreach(pc IN ITEMS dmasan dmasan-direct)
  configure_file(${CMAKE_CURRENT_LIST_DIR}/${pc}.pc.in
    ${PROJECT_BINARY_DIR}/pkgconfig/${pc}.pc.in @ONLY)
endforeach()
unset(DMASAN_PC_PREFIX)
# Stage 2 (at install time): the prefix being installed to.
install(CODE "set(_dmasan_pc_stage \"${PROJECT_BINARY_DIR}/pkgconfig\")
set(_dmasan_pc_dest \"${CMAKE_INSTALL_LIBDIR}/pkgconfig\")")
install(CODE [[
get_filename_component(DMASAN_PC_PREFIX "${CMAKE_INSTALL_PREFIX}" ABSOLUTE)
if(NOT IS_ABSOLUTE "${_dmasan_pc_dest}")
  set(_dmasan_pc_dest "${CMAKE_INSTALL_PREFIX}/${_dmasan_pc_dest}")
endif()
foreach(_pc IN ITEMS dmasan dmasan-direct)
  configure_file("${_dmasan_pc_stage}/${_pc}.pc.in"
    "${_dmasan_pc_stage}/installed/${_pc}.pc" @ONLY)
  file(INSTALL DESTINATION "${_dmasan_pc_dest}" TYPE FILE
    FILES "${_dmasan_pc_stage}/installed/${_pc}.pc")
endforeach()
]])
