# SPDX-License-Identifier: MIT
# The platform description end to end: desc_dump (progs/desc_dump.c)
# loads the example SoC's devicetree (examples/soc/soc.dtb, built by dtc)
# the way dtb= does and must show every bank, region and device of it, and
# a truncated copy must fail with exit 1 and one line naming the file.
add_executable(desc_dump ${DMASAN_E2E_DIR}/progs/desc_dump.c)
target_link_libraries(desc_dump PRIVATE dmasan_testlib dmasan_warnings)
if(NOT TARGET soc_dtb)
  return()
endif()

set(_desc_check [=[
set -e
dump="$1"
dtb="$2"
cut="$3"
out=$("$dump" "$dtb")
printf '%s\n' "$out"
expect() {
	if ! printf '%s\n' "$out" | grep -q -e "$1"
	then
		echo "missing: $1" >&2
		exit 1
	fi
}
expect '^model: dmasan example SoC$'
expect '^bank 0: 0x80000000-0x17fffffff (4096 MiB)$'
expect ': pool@90000000 0x90000000-0x903fffff (4 MiB) kind=dma-pool no-map phandle=[1-9]'
expect ': cma@a0000000 0xa0000000-0xa1ffffff (32 MiB) kind=cma reusable linux,cma-default'
expect ': coherent@98000000 0x98000000-0x987fffff (8 MiB) kind=dma-pool no-map linux,dma-default'
expect '^device /soc/ethernet@10000000: non-coherent, no-iommu, region=pool@90000000, dma-ranges=identity$'
expect '^device /soc/dma-controller@10010000: coherent, no-iommu, dma-ranges=identity$'
expect '^device /soc/pcie-bus/nvme@0: non-coherent, no-iommu, dma-ranges=bus 0x0-0x7fffffff -> cpu 0x80000000$'
test "$(printf '%s\n' "$out" | grep -c '^region ')" -eq 3
test "$(printf '%s\n' "$out" | grep -c '^device ')" -eq 3
head -c 100 "$dtb" > "$cut"
rc=0
"$dump" "$cut" > "$cut.out" 2> "$cut.err" || rc=$?
cat "$cut.err"
test "$rc" -eq 1
test ! -s "$cut.out"
test "$(wc -l < "$cut.err")" -eq 1
grep -q -F "$cut: truncated" "$cut.err"
echo ok
]=])
add_test(NAME e2e.soc_dtb
  COMMAND sh -c "${_desc_check}" sh $<TARGET_FILE:desc_dump>
          ${CMAKE_BINARY_DIR}/examples/soc/soc.dtb ${CMAKE_CURRENT_BINARY_DIR}/soc-cut.dtb)
set_tests_properties(e2e.soc_dtb PROPERTIES LABELS e2e TIMEOUT 60)
