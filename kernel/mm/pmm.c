/*
 * Physical memory manager: the frame bitmap (frame_bitmap.c) behind a
 * spinlock, filled from the boot memory map.
 */
#include "mm/pmm.h"

#include "debug/log.h"
#include "debug/panic.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "mm/frame_bitmap.h"
#include "mm/hhdm.h"
#include "mm/mm_debug.h"

#define LOW_MEMORY_END 0x100000ull /* the first 1 MiB: BIOS data, EBDA, option ROMs */

extern const char __boot_start[], __kernel_end[];

static struct frame_bitmap bitmap;
static spinlock_t pmm_lock = SPINLOCK_INIT("pmm");
static uint64_t bitmap_phys, bitmap_bytes;

struct range {
    uint64_t start, end;
};

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

/* Ranges that must never be handed out: low memory, the kernel, the modules. */
static size_t boot_ranges(const struct boot_info *bi, struct range *out)
{
    size_t n = 0;
    out[n++] = (struct range){0, LOW_MEMORY_END};
    out[n++] = (struct range){(uint64_t)(uintptr_t)__boot_start,
                              align_up((uint64_t)(uintptr_t)__kernel_end - KERNEL_VMA, PAGE_SIZE)};
    for (uint32_t i = 0; i < bi->module_count; i++)
        out[n++] = (struct range){bi->modules[i].phys & ~(PAGE_SIZE - 1),
                                  align_up(bi->modules[i].phys + bi->modules[i].size, PAGE_SIZE)};
    return n;
}

/* A page-aligned place for `bytes` in usable RAM, clear of `avoid`, reachable through the boot HHDM. */
static uint64_t place_bitmap(const struct boot_info *bi, const struct range *avoid, size_t navoid, uint64_t bytes)
{
    for (uint32_t r = 0; r < bi->mmap_count; r++) {
        const struct mem_region *m = &bi->mmap[r];
        if (m->type != MEM_USABLE)
            continue;
        uint64_t end = (m->base + m->length) & ~(PAGE_SIZE - 1);
        uint64_t cand = align_up(m->base, PAGE_SIZE);
        for (int tries = 0; tries < 64; tries++) {
            if (cand + bytes > end || cand + bytes > hhdm_limit)
                break;
            bool clash = false;
            for (size_t a = 0; a < navoid; a++) {
                if (cand < avoid[a].end && avoid[a].start < cand + bytes) {
                    cand = align_up(avoid[a].end, PAGE_SIZE);
                    clash = true;
                    break;
                }
            }
            if (!clash)
                return cand;
        }
    }
    return 0;
}

void pmm_init(const struct boot_info *bi)
{
    uint64_t top = 0, usable = 0;
    for (uint32_t i = 0; i < bi->mmap_count; i++) {
        const struct mem_region *m = &bi->mmap[i];
        if (m->type != MEM_USABLE)
            continue;
        usable += m->length;
        if (m->base + m->length > top)
            top = m->base + m->length;
    }
    if (!top)
        panic("pmm: no usable memory in the memory map");

    uint64_t nframes = top >> PAGE_SHIFT;
    uint64_t words = frame_bitmap_words(nframes);
    bitmap_bytes = align_up(2 * words * sizeof(uint64_t), PAGE_SIZE);

    struct range avoid[2 + BOOT_MAX_MODULES + 1];
    size_t navoid = boot_ranges(bi, avoid);
    bitmap_phys = place_bitmap(bi, avoid, navoid, bitmap_bytes);
    if (!bitmap_phys)
        panic("pmm: no room for a %lu KiB frame bitmap", bitmap_bytes >> 10);
    avoid[navoid++] = (struct range){bitmap_phys, bitmap_phys + bitmap_bytes};

    uint64_t *used = phys_to_virt(bitmap_phys);
    frame_bitmap_init(&bitmap, used, used + words, nframes);
    /* Usable RAM first, then everything else on top, so overlapping map entries end up reserved. */
    for (uint32_t i = 0; i < bi->mmap_count; i++) {
        const struct mem_region *m = &bi->mmap[i];
        if (m->type == MEM_USABLE) {
            uint64_t first = align_up(m->base, PAGE_SIZE) >> PAGE_SHIFT;
            uint64_t last = (m->base + m->length) >> PAGE_SHIFT;
            if (last > first)
                frame_bitmap_release(&bitmap, first, last - first);
        }
    }
    for (uint32_t i = 0; i < bi->mmap_count; i++) {
        const struct mem_region *m = &bi->mmap[i];
        if (m->type != MEM_USABLE) {
            uint64_t first = m->base >> PAGE_SHIFT;
            uint64_t last = align_up(m->base + m->length, PAGE_SIZE) >> PAGE_SHIFT;
            frame_bitmap_reserve(&bitmap, first, last - first);
        }
    }
    for (size_t a = 0; a < navoid; a++)
        frame_bitmap_reserve(&bitmap, avoid[a].start >> PAGE_SHIFT, (avoid[a].end - avoid[a].start) >> PAGE_SHIFT);

    kprintf("pmm: %lu MiB usable, %lu free frames (bitmap %lu KiB at %lx, covers up to %lx)\n", usable >> 20,
            bitmap.free, bitmap_bytes >> 10, bitmap_phys, top);
}

uint64_t pmm_alloc(void)
{
    spin_lock(&pmm_lock);
    uint64_t f = frame_bitmap_alloc(&bitmap);
    spin_unlock(&pmm_lock);
    return f == FRAME_NONE ? 0 : f << PAGE_SHIFT;
}

uint64_t pmm_alloc_zeroed(void)
{
    uint64_t phys = pmm_alloc();
    if (phys)
        memset(phys_to_virt(phys), 0, PAGE_SIZE);
    return phys;
}

uint64_t pmm_alloc_contig(size_t count, size_t align)
{
    spin_lock(&pmm_lock);
    uint64_t f = frame_bitmap_alloc_contig(&bitmap, count, align);
    spin_unlock(&pmm_lock);
    return f == FRAME_NONE ? 0 : f << PAGE_SHIFT;
}

static const char *status_name(int err)
{
    switch (err) {
    case FRAME_OUT_OF_RANGE: return "outside managed memory";
    case FRAME_RESERVED: return "reserved frame";
    case FRAME_DOUBLE_FREE: return "double free";
    default: return "?";
    }
}

static void bad_free(int err, uint64_t phys, size_t count)
{
#if KERNEL_DEBUG
    panic("pmm: %s: freeing %lx (%zu frames)", status_name(err), phys, count);
#else
    log_error("pmm: %s: freeing %lx (%zu frames) ignored\n", status_name(err), phys, count);
#endif
}

void pmm_free(uint64_t phys)
{
    int err = (phys & (PAGE_SIZE - 1)) ? FRAME_OUT_OF_RANGE : FRAME_OK;
    if (!err) {
        spin_lock(&pmm_lock);
        err = frame_bitmap_free(&bitmap, phys >> PAGE_SHIFT);
        spin_unlock(&pmm_lock);
    }
    if (err)
        bad_free(err, phys, 1);
}

void pmm_free_contig(uint64_t phys, size_t count)
{
    int err = (phys & (PAGE_SIZE - 1)) ? FRAME_OUT_OF_RANGE : FRAME_OK;
    if (!err) {
        spin_lock(&pmm_lock);
        err = frame_bitmap_free_contig(&bitmap, phys >> PAGE_SHIFT, count);
        spin_unlock(&pmm_lock);
    }
    if (err)
        bad_free(err, phys, count);
}

uint64_t pmm_free_count(void)
{
    return __atomic_load_n(&bitmap.free, __ATOMIC_RELAXED);
}

uint64_t pmm_total_count(void)
{
    return bitmap.total;
}

uint64_t pmm_limit(void)
{
    return bitmap.nframes << PAGE_SHIFT;
}
