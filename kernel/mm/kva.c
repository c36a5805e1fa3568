/*
 * Kernel virtual area allocator: a frame_bitmap over the area's pages (one
 * bit per page of address space), and the mapping of fresh frames there.
 */
#include "mm/kva.h"

#include <arch/paging.h>

#include "debug/panic.h"
#include "lib/spinlock.h"
#include "mm/frame_bitmap.h"
#include "mm/pmm.h"
#include "mm/vmm.h"
#include "mm/vmm_internal.h"

#define KVA_PAGES (KVA_SIZE / PAGE_4K)

static uint64_t kva_used[KVA_PAGES / 64];
static struct frame_bitmap kva_bitmap;
static spinlock_t kva_lock = SPINLOCK_INIT("kva");

void kva_init(void)
{
    frame_bitmap_init(&kva_bitmap, kva_used, NULL, KVA_PAGES);
}

static void release(uintptr_t va, size_t pages)
{
    spin_lock(&kva_lock);
    int err = frame_bitmap_free_contig(&kva_bitmap, (va - KVA_BASE) / PAGE_4K, pages);
    spin_unlock(&kva_lock);
    if (err)
        panic("kva: bad free of %lx (%zu pages, error %d)", va, pages, err);
}

/* Unmaps pages [first, first+count) of a block and frees their frames. */
static void unmap_pages(uintptr_t first, size_t count)
{
    if (vmm_unmap_range(&kernel_as, first, count, pmm_free))
        panic("kva: a page of the block at %lx was not mapped", first);
}

void *kva_alloc_mapped(size_t pages)
{
    if (pages == 0 || pages >= KVA_PAGES)
        return NULL;
    spin_lock(&kva_lock);
    uint64_t first = frame_bitmap_alloc_contig(&kva_bitmap, pages + 1, 1);
    spin_unlock(&kva_lock);
    if (first == FRAME_NONE)
        return NULL;
    uintptr_t guard = KVA_BASE + first * PAGE_4K;
    uintptr_t start = guard + PAGE_4K;
    for (size_t i = 0; i < pages; i++) {
        uint64_t pa = pmm_alloc();
        if (!pa || vmm_map(&kernel_as, start + i * PAGE_4K, pa, VMM_WRITE)) {
            if (pa)
                pmm_free(pa);
            unmap_pages(start, i);
            release(guard, pages + 1);
            return NULL;
        }
    }
    return (void *)start;
}

void kva_free_mapped(void *start, size_t pages)
{
    uintptr_t va = (uintptr_t)start;
    if (va < KVA_BASE + PAGE_4K || va >= KVA_BASE + KVA_SIZE || (va & (PAGE_4K - 1)))
        panic("kva: freeing %p, not a block of the kernel virtual area", start);
    unmap_pages(va, pages);
    release(va - PAGE_4K, pages + 1);
}
