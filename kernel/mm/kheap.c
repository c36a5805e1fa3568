/* kmalloc: heap_core behind a spinlock, fed by the PMM and the kernel virtual area. */
#include "mm/heap.h"

#include <arch/paging.h>

#include "debug/panic.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "mm/hhdm.h"
#include "mm/kva.h"
#include "mm/mm_debug.h"
#include "mm/pmm.h"

#define ARENA_BYTES (64u * 1024)

static struct heap kheap;
static spinlock_t kheap_lock = SPINLOCK_INIT("kheap");

static void *grow(void *ctx, size_t bytes)
{
    (void)ctx;
    size_t pages = bytes / PAGE_4K;
    uint64_t phys = pmm_alloc_contig(pages, 1);
    if (phys)
        return phys_to_virt(phys);
    /* Fragmented physical memory: virtually contiguous will do. */
    return kva_alloc_mapped(pages);
}

static void *big_alloc(void *ctx, size_t bytes)
{
    (void)ctx;
    return kva_alloc_mapped((bytes + PAGE_4K - 1) / PAGE_4K);
}

static void big_free(void *ctx, void *region, size_t bytes)
{
    (void)ctx;
    kva_free_mapped(region, (bytes + PAGE_4K - 1) / PAGE_4K);
}

static void fail(void *ctx, const char *what, const void *ptr)
{
    (void)ctx;
    panic("kheap: %s (block %p)", what, ptr);
}

void kheap_init(void)
{
    static const struct heap_ops ops = {grow, big_alloc, big_free, fail, NULL};
    heap_init(&kheap, &ops, ARENA_BYTES, KERNEL_DEBUG);
}

void *kmalloc(size_t size)
{
    spin_lock(&kheap_lock);
    void *p = heap_alloc(&kheap, size);
    spin_unlock(&kheap_lock);
    return p;
}

void *kzalloc(size_t size)
{
    void *p = kmalloc(size);
    if (p)
        memset(p, 0, size);
    return p;
}

void *krealloc(void *p, size_t size)
{
    spin_lock(&kheap_lock);
    void *n = heap_realloc(&kheap, p, size);
    spin_unlock(&kheap_lock);
    return n;
}

void kfree(void *p)
{
    spin_lock(&kheap_lock);
    heap_free(&kheap, p);
    spin_unlock(&kheap_lock);
}

struct heap_stats kheap_stats(void)
{
    spin_lock(&kheap_lock);
    struct heap_stats s = kheap.stats;
    spin_unlock(&kheap_lock);
    return s;
}

const char *kheap_check(void)
{
    spin_lock(&kheap_lock);
    const char *err = heap_check(&kheap);
    spin_unlock(&kheap_lock);
    return err;
}
