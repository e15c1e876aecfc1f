# SPDX-License-Identifier: MIT
# Warnings live in one INTERFACE target linked PRIVATE by every target.
add_library(dmasan_warnings INTERFACE)
target_compile_options(dmasan_warnings INTERFACE
  -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes
  -Wold-style-definition -Wundef -Wvla -Wpointer-arith -Wimplicit-fallthrough
  -fno-common)
if(DMASAN_WERROR)
  target_compile_options(dmasan_warnings INTERFACE -Werror)
endif()
target_compile_definitions(dmasan_warnings INTERFACE _GNU_SOURCE)
