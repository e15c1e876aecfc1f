# SPDX-License-Identifier: MIT
# Third-party pieces, all from Debian packages (scripts/install-deps).
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(UNWIND REQUIRED IMPORTED_TARGET libunwind)
pkg_check_modules(LIBDW REQUIRED IMPORTED_TARGET libdw)

include(CheckIncludeFile)
check_include_file(valgrind/memcheck.h DMASAN_HAVE_VALGRIND_H)

# The private heap: Debian's PIC jemalloc archive with every public name
# renamed to dmasanje_*, linked statically and hidden by the version
# script (reference/feasibility.md section 3, variant b').
find_file(DMASAN_JEMALLOC_PIC libjemalloc_pic.a
  PATHS /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE} /usr/lib /usr/local/lib
  REQUIRED)
find_program(DMASAN_OBJCOPY NAMES objcopy REQUIRED)
set(_je_names malloc calloc realloc free aligned_alloc posix_memalign memalign
  valloc malloc_usable_size mallocx dallocx sdallocx rallocx xallocx sallocx
  nallocx mallctl mallctlbymib mallctlnametomib malloc_stats_print malloc_conf
  malloc_message malloc_conf_2_conf_harder)
set(_je_rename "")
foreach(n IN LISTS _je_names)
  string(APPEND _je_rename "${n} dmasanje_${n}\n")
endforeach()
file(WRITE ${PROJECT_BINARY_DIR}/jemalloc/rename.txt "${_je_rename}")
set(DMASAN_JEMALLOC_PRIV ${PROJECT_BINARY_DIR}/jemalloc/libdmasanje.a)
add_custom_command(OUTPUT ${DMASAN_JEMALLOC_PRIV}
  COMMAND ${DMASAN_OBJCOPY} --redefine-syms=${PROJECT_BINARY_DIR}/jemalloc/rename.txt
          ${DMASAN_JEMALLOC_PIC} ${DMASAN_JEMALLOC_PRIV}
  DEPENDS ${DMASAN_JEMALLOC_PIC}
  COMMENT "Renaming jemalloc into dmasan's private heap")
add_custom_target(dmasan_jemalloc_gen DEPENDS ${DMASAN_JEMALLOC_PRIV})
add_library(dmasan_jemalloc STATIC IMPORTED GLOBAL)
set_target_properties(dmasan_jemalloc PROPERTIES IMPORTED_LOCATION ${DMASAN_JEMALLOC_PRIV})
add_dependencies(dmasan_jemalloc dmasan_jemalloc_gen)
target_link_libraries(dmasan_jemalloc INTERFACE Threads::Threads m ${CMAKE_DL_LIBS})

pkg_check_modules(CUNIT IMPORTED_TARGET cunit)

# libfdt (platform descriptions from devicetree blobs) and dtc (to build the
# examples' .dts files). Debian ships libfdt without a pkg-config file.
find_path(DMASAN_FDT_INCLUDE libfdt.h REQUIRED)
find_library(DMASAN_FDT_LIB fdt REQUIRED)
add_library(dmasan_fdt INTERFACE)
target_include_directories(dmasan_fdt INTERFACE ${DMASAN_FDT_INCLUDE})
target_link_libraries(dmasan_fdt INTERFACE ${DMASAN_FDT_LIB})
find_program(DMASAN_DTC dtc REQUIRED)
