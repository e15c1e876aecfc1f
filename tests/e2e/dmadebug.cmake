# SPDX-License-Identifier: MIT
# The dma-debug catalogue end to end: tests/e2e/progs/dmadebug_cases.c is a
# user-style program linked against libdmasan_direct.so; each case runs
# under the shim (LD_PRELOAD, format=json) and must report exactly the ids
# listed (id=count), the ok-* cases none. Each case also runs against the
# direct library alone and must exit 0 (misuse is harmless there), except
# the cases marked "nodirect", which crash without checks as they would
# in a kernel (double free, freeing the wrong pointer, wild DMA).
add_executable(dmadebug_cases ${DMASAN_E2E_DIR}/progs/dmadebug_cases.c)
target_compile_options(dmadebug_cases PRIVATE -g -O1 -fno-omit-frame-pointer)
target_link_libraries(dmadebug_cases PRIVATE "-Wl,--no-as-needed" dmasan_direct "-Wl,--as-needed" Threads::Threads)

set(_cases
  "ok-single|none"
  "ok-rx|none"
  "ok-page-and-range|none"
  "ok-sg|none"
  "ok-coherent|none"
  "ok-pool|none"
  "ok-noncoherent|none"
  "ok-masks|none"
  "ok-resource|none"
  "unmap-not-mapped|unmap-not-mapped=1"
  "unmap-invalid-handle|unmap-invalid-handle=1"
  "double-unmap|double-unmap=1"
  "unmap-size-mismatch|unmap-size-mismatch=1"
  "unmap-type-mismatch|unmap-type-mismatch=1"
  "unmap-dir-mismatch|unmap-dir-mismatch=1"
  "unmap-nents-mismatch|unmap-nents-mismatch=1"
  "unmap-attrs-mismatch|unmap-attrs-mismatch=1"
  "free-cpu-addr-mismatch|free-cpu-addr-mismatch=1||nodirect"
  "map-error-unchecked|map-error-unchecked=1"
  "sync-not-mapped|sync-not-mapped=1"
  "sync-out-of-range|sync-out-of-range=1"
  "sync-dir-mismatch|sync-dir-mismatch=1"
  "sync-nents-mismatch|sync-nents-mismatch=1"
  "map-stack-memory|map-stack-memory=1"
  "map-readonly-memory|map-readonly-memory=1"
  "map-zero-length|map-zero-length=1"
  "map-readonly-from-device|map-readonly-memory=1||nodirect"
  "sg-without-page|map-invalid-memory=1||nodirect"
  "map-invalid-direction|map-invalid-direction=1"
  "null-device|null-device=1"
  "cacheline-overlap|cacheline-overlap=1,unaligned-buffer=2"
  "sg-segment-too-long|sg-segment-too-long=1"
  "sg-boundary-crossing|sg-boundary-crossing=1"
  "leak-mapping|leak-mapping=1"
  "leak-coherent|leak-coherent=1"
  "leak-at-device-del|leak-mapping=1"
  "leak-pool|leak-pool=1,leak-pool-block=1"
  "coherent-double-free|coherent-double-free=1||nodirect"
  "coherent-size-mismatch|unmap-size-mismatch=1"
  "pool-double-free|pool-double-free=1"
  "pool-free-invalid|pool-free-invalid=1"
  "pool-destroy-busy|pool-destroy-busy=1"
  "pool-corruption|pool-corruption=1"
  "mask-unreachable|mask-unreachable=1|placement=high:bounce=off"
  "mask-violation|mask-violation=1"
  "use-after-unmap|use-after-unmap=1"
  "use-after-free|use-after-free=1"
  "device-access-unmapped|device-access-unmapped=1||nodirect"
  "dir-violation|dir-violation=1"
  "missing-sync-for-device|missing-sync-for-device=1"
  "map-invalid-memory|map-invalid-memory=3||nodirect"
  "ok-skip-sync-reads-old|none"
  "ok-sync-reads-new|none"
  "missing-sync-for-cpu|missing-sync-for-cpu=1"
  "cpu-write-device-owned|cpu-write-device-owned=1"
  "tx-stale-read|missing-sync-for-device=1"
  "cacheline-sharing|cacheline-sharing=1,unaligned-buffer=1"
  "cacheline-sharing-bounced|unaligned-buffer=1"
  "ok-coherent-device|none"
  "coherent-cpu-write|cpu-write-device-owned=1"
  "evict-dirty-line|cpu-write-device-owned=1"
  "evict-dirty-line-evicted|cpu-write-device-owned=1|evict=1000:seed=7"
  "ok-bounce-copies|none"
  "ok-forced-bounce-stale|none|bounce=force"
  "bounce-exhausted|bounce-exhausted=1|swiotlb_size=262144"
  "ok-iommu|none"
  "iommu-fault|iommu-fault=1||nodirect"
  "unaligned-rx-loop|unaligned-buffer=1"
  "unaligned-rx-loop-off|none|check_alignment=0"
  "unaligned-tx|none"
  "unaligned-tx-strict|unaligned-buffer=1|check_alignment=2"
  "ok-out-of-memory|none|fail_allocs_after=300"
  "ok-threads|none"
  "ok-fork|none"
  "fork-child-bug|unmap-not-mapped=1|exitcode=23|status0"
)
foreach(c IN LISTS _cases)
  string(REPLACE "|" ";" parts "${c}")
  list(GET parts 0 name)
  list(GET parts 1 expect)
  list(LENGTH parts n)
  set(opts "")
  set(flags "")
  if(n GREATER 2)
    list(GET parts 2 opts)
  endif()
  if(n GREATER 3)
    list(GET parts 3 flags)
  endif()
  set(status "")
  if(flags STREQUAL "status0")
    set(status --status 0)
  endif()
  add_test(NAME e2e.dmadebug.${name}
    COMMAND ${CMAKE_COMMAND} -E env "DMASAN_OPTIONS=${opts}"
            sh ${DMASAN_E2E_DIR}/expect_ids.sh $<TARGET_FILE:dmasan> ${expect} ${status}
            -- $<TARGET_FILE:dmadebug_cases> ${name})
  set_tests_properties(e2e.dmadebug.${name} PROPERTIES LABELS e2e TIMEOUT 60)
  if(NOT flags STREQUAL "nodirect")
    add_test(NAME e2e.dmadebug.direct.${name} COMMAND $<TARGET_FILE:dmadebug_cases> ${name})
    set_tests_properties(e2e.dmadebug.direct.${name} PROPERTIES LABELS e2e TIMEOUT 60)
  endif()
endforeach()
