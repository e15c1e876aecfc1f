#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Writes the seed corpus of fuzz_api (tests/fuzz/corpus/api/) and some of
# its regression inputs (tests/fuzz/regress/api/): small programs in the
# harness's byte code, each a realistic driver sequence or one misuse.
# The encoders mirror the operand reads of tests/fuzz/fuzz_api.c; keep
# them in step when an operation changes. Run it from anywhere:
#   python3 tests/fuzz/api_seeds.py
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

# opcodes (opc % 26 in run())
DEV_ADD, DEV_DEL, SET_MASK, SET_PARMS, MAP_SINGLE, MAP_PAGE, MAP_SG, MAP_SGTABLE = 0, 1, 2, 3, 4, 6, 7, 8
MAP_RESOURCE, UNMAP, UNMAP_GARBAGE, SYNC, MAPPING_ERROR, ALLOC, FREE = 9, 10, 12, 13, 15, 16, 17
# release and destroy share the slots of declare and pool free: opc % 26 equal, bit 7 set
DECLARE, RELEASE, POOL_CREATE, POOL_ALLOC, POOL_FREE, POOL_DESTROY = 18, 148, 19, 20, 21, 151
DEV_READ, DEV_WRITE, CPU_WRITE, MISC = 22, 23, 24, 25

BIDI, TO_DEV, FROM_DEV = 0, 1, 2


def u8(v):
    return struct.pack('<B', v & 0xff)


def u16(v):
    return struct.pack('<H', v & 0xffff)


def u32(v):
    return struct.pack('<I', v & 0xffffffff)


def u64(v):
    return struct.pack('<Q', v & 0xffffffffffffffff)


def dev(d):          # 0..3 registered, 4 never registered, 5 NULL
    return u8(d)


def size(n):         # exact sizes: u8 class 0, u16 class 4, u32 class 6, u64 class 7
    if n < 256:
        return u8(0) + u8(n)
    if n < 65536:
        return u8(4) + u16(n)
    if n < (4 << 20):
        return u8(6) + u32(n)
    return u8(7) + u64(n)


def arena(off, aligned=True):   # pick_buf: a buffer in the harness's arena
    return u8(0x40 if aligned else 0) + u32(off)


def attrs0():
    return u8(0)


def dev_add(d, name, coherent=0, dma_bits=0):
    # coherent is the info byte: tristate coherent in % 3, IOMMU in (>> 2) % 3, 0x80 = NULL
    b = name.encode()
    return u8(DEV_ADD) + u8(d) + u8(len(b)) + b + u8(coherent) + u8(dma_bits)


def map_single(d, off, n, direction, page=False):
    return u8(MAP_PAGE if page else MAP_SINGLE) + u8(direction) + dev(d) + attrs0() + \
        arena(off) + size(n)


def map_resource(d, n, direction, phys=None):
    tail = (u8(1) + u64(phys)) if phys is not None else (u8(0) + u16(0x100))
    return u8(MAP_RESOURCE) + u8(direction) + dev(d) + attrs0() + arena(0) + size(n) + tail


def map_sg(d, entries, direction, nents=None, table=False):
    """entries: list of (arena offset, length); nents: None = len(entries)."""
    out = u8(MAP_SGTABLE if table else MAP_SG) + u8(direction) + dev(d) + attrs0()
    out += u8(len(entries) - 1)
    out += u8(0) if nents is None else (u8(240) + u32(nents))
    out += u8(0)  # shape: one array, end mark kept
    for off, n in entries:
        out += arena(off) + size(n)
    return out


def unmap(slot, how=0, operand=b''):
    return u8(UNMAP) + u8(slot) + u8(how) + operand


def unmap_garbage(d, handle_kind=0, api=0, handle=0x12345000):
    # pick_handle: kind 0 = DMA_MAPPING_ERROR, 1 = @handle; then size 64, TO_DEVICE
    h = u64(handle) if handle_kind == 1 else b''
    return u8(UNMAP_GARBAGE) + dev(d) + u8(api) + u8(handle_kind) + u8(0) + h + size(64) + \
        u8(TO_DEV)


def sync(slot, how, var=0):
    # how % 8: 0 single cpu, 1 single dev, 2/3 range, 4/5 sg, 6/7 sgtable
    return u8(SYNC) + u8(slot) + u8(how) + u8(var)


def dev_access(write, d, target, slot, off, length, fill=0x11):
    # target 0 = a mapping, 3 = a coherent buffer, 4 = a pool block
    return u8(DEV_WRITE if write else DEV_READ) + dev(d) + u8(target) + u8(slot) + u16(off) + \
        u8(fill) + u8(100) + u16(length)


def alloc(d, n, kind=0, direction=BIDI):
    return u8(ALLOC) + u8(kind) + u8(direction) + dev(d) + size(n) + attrs0() + u8(1)


def free(slot, how=0, operand=b''):
    # how % 8: 0 exact, 1 size + (int8)operand, 2 CPU address + 64 * (1 + operand % 8), ...
    return u8(FREE) + u8(slot) + u8(how) + operand


def pool_create(d, n, align_shift, boundary_shift=None, name='pool'):
    b = name.encode()
    a = align_shift if align_shift < 13 else 200 + align_shift - 14
    bnd = 0 if boundary_shift is None else 128 + boundary_shift
    return u8(POOL_CREATE) + dev(d) + size(n) + u8(a) + u8(bnd) + u8(len(b)) + b


def pool_alloc(pool, zero=0):
    return u8(POOL_ALLOC) + u8(zero) + u8(pool)


def pool_free(blk, how=0):
    return u8(POOL_FREE) + u8(blk) + u8(how)


def pool_destroy(pool):
    return u8(POOL_DESTROY) + u8(pool)


def set_mask(d, bits, which=2):
    return u8(SET_MASK) + dev(d) + u8(which) + u8(bits)


def declare(d, devaddr, pages):
    return u8(DECLARE) + dev(d) + u8(1) + u64(0x90000000) + u64(devaddr) + u8(pages - 1)


def release(d):
    return u8(RELEASE) + dev(d)


def check_leaks():
    return u8(MISC) + u8(0) + dev(0)


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)


SEEDS = {
    # a NIC's RX buffer: map, the device writes, sync for the CPU, unmap
    'rx-buffer.bin': dev_add(0, 'nic0') + map_single(0, 0, 2048, FROM_DEV) +
    dev_access(1, 0, 0, 0, 0, 2048) + sync(0, 0) + unmap(0),
    # TX: map, the device reads, unmap; then the same again twice (double unmap)
    'tx-double-unmap.bin': dev_add(0, 'nic0') + map_single(0, 4096, 64, TO_DEV) +
    dev_access(0, 0, 0, 0, 0, 64) + unmap(0) + unmap(0),
    # scatter-gather: four entries, device writes, sync, unmap
    'sg.bin': dev_add(1, 'nvme0') + map_sg(1, [(0, 512), (8192, 512), (16384, 4096), (65536, 64)],
                                          FROM_DEV) + dev_access(1, 1, 0, 0, 0, 512) +
    sync(0, 0x44) + unmap(0),
    'sgtable-bad-nents.bin': dev_add(1, 'nvme0') + map_sg(1, [(0, 512), (4096, 512)], BIDI,
                                                         nents=5, table=True) + unmap(0, 5, u8(0)),
    # coherent ring: alloc, device writes, CPU writes, free with the wrong size, free again
    'coherent.bin': dev_add(2, 'soc0') + alloc(2, 8192) + dev_access(1, 2, 3, 0, 64, 256) +
    free(0, 1, u8(64)) + free(0),
    'noncoherent.bin': dev_add(2, 'soc0') + alloc(2, 4096, kind=2, direction=FROM_DEV) +
    dev_access(1, 2, 3, 0, 0, 128) + free(0),
    # dma_pool: create, two blocks, free one twice, destroy busy
    'pool.bin': dev_add(0, 'nic0') + pool_create(0, 64, 6, 12) + pool_alloc(0, 1) +
    pool_alloc(0) + pool_free(0) + pool_free(0) + pool_destroy(0) + check_leaks(),
    # garbage: unmap of DMA_MAPPING_ERROR, a NULL device, an unregistered one
    'garbage.bin': unmap_garbage(0) + unmap_garbage(5) + unmap_garbage(4, handle_kind=1) +
    dev_access(0, 4, 5, 0, 0, 16),
    # 64-bit masks, an MMIO resource, a declared coherent region
    'mask-resource.bin': dev_add(3, 'gpu0', dma_bits=40) + set_mask(3, 64) +
    map_resource(3, 4096, BIDI) + unmap(0) + set_mask(3, 24),
    'declare.bin': dev_add(3, 'dsp0') + declare(3, 0x40000000, 4) + alloc(3, 4096) +
    dev_access(1, 3, 3, 0, 0, 64) + free(0) + release(3),
    'device-del.bin': dev_add(0, 'nic0') + map_single(0, 0, 256, BIDI) + alloc(0, 4096) +
    u8(DEV_DEL) + dev(0) + dev_add(0, 'nic0-again'),
    # removed with a mapping, a coherent buffer and a pool left (leaks), added again, the same
    # buffer mapped again (no overlap with the old mapping), then the late teardown (quiet)
    'device-readd.bin': dev_add(0, 'nic0') + map_single(0, 0, 256, FROM_DEV) + alloc(0, 4096) +
    pool_create(0, 64, 6) + pool_alloc(0) + u8(DEV_DEL) + dev(0) + dev_add(0, 'nic0') +
    map_single(0, 0, 256, FROM_DEV) + unmap(1) + unmap(0) + pool_free(0) + pool_destroy(0) +
    free(0),
    # declare, allocate, release with the buffer live (a leak), free it late: six times over
    'declare-release-cycles.bin': dev_add(3, 'dsp0') + b''.join(
        declare(3, 0x40000000, 16) + alloc(3, 4096) + release(3) + free(k) for k in range(6)),
    # device removal releases its declared region; the re-added device declares it again
    'device-del-region.bin': dev_add(2, 'soc0') + declare(2, 0x40000000, 16) + alloc(2, 8192) +
    u8(DEV_DEL) + dev(2) + dev_add(2, 'soc0') + declare(2, 0x40000000, 16) + free(0) +
    alloc(2, 4096) + free(1) + release(2),
}

# Inputs that reached shim bugs, fixed since: replayed as regressions.
REGRESS = {
    # a resource larger than 4 GiB on a 64-bit device disabled tracking
    'resource-larger-than-4g.bin': dev_add(0, 'r') + set_mask(0, 64) +
    map_resource(0, 1 << 40, TO_DEV, phys=0x100000000),
    # a declared region at the top of the bus address space disabled tracking
    'declare-wrapping-region.bin': dev_add(0, 'r') + declare(0, 0xfffffffffffff000, 2) +
    alloc(0, 8192),
    # dma_pool_create(align = 2^63) never returned (and overran its offsets)
    'pool-align-2-63.bin': dev_add(0, 'r') + pool_create(0, 16, 63),
}

REGRESS.update({
    # coherent memory was only page-aligned: a 64 KiB buffer after an 8 KiB one
    'coherent-not-naturally-aligned.bin': dev_add(0, 'r') + alloc(0, 8192) + alloc(0, 65536),
    # dma_free_coherent() of a live pool block's handle freed the pool's page, and the next
    # coherent allocation got the same memory (a declared region, first fit)
    'free-coherent-of-pool-block.bin': dev_add(0, 'r') + declare(0, 0x40000000, 16) +
    pool_create(0, 4096, 12) + pool_alloc(0) +
    u8(UNMAP_GARBAGE) + dev(0) + u8(4) + u8(5) + u8(0) + size(4096) + u8(BIDI) + u16(0) +
    alloc(0, 4096),
})

# Inputs that reach reported shim bugs not fixed yet (tests/fuzz/known/api/, run with
# DMASAN_FUZZ_KNOWN_BUGS=1).
KNOWN = {
    # Known bug 1: behind an IOMMU, a 32 KiB coherent buffer after an 8 KiB one gets an
    # IOVA aligned to a page only (Linux: to 32 KiB)
    'coherent-iova-not-naturally-aligned.bin': dev_add(0, 'mmu0', coherent=2 << 2) +
    alloc(0, 8192) + alloc(0, 32768),
}

if __name__ == '__main__':
    for name, data in SEEDS.items():
        write(os.path.join(HERE, 'corpus', 'api', name), data)
    for name, data in REGRESS.items():
        write(os.path.join(HERE, 'regress', 'api', name), data)
    for name, data in KNOWN.items():
        write(os.path.join(HERE, 'known', 'api', name), data)
    print('wrote %d seeds, %d regression and %d known-bug inputs' %
          (len(SEEDS), len(REGRESS), len(KNOWN)))
