/*
 * libmnos: the program's memory. The heap (malloc.c) grows at
 * MN_USER_HEAP_BASE through mn_heap_morecore, which maps frames from the
 * "allocator" capability into the process ("self"); mn_map_pages hands out
 * page runs in the mapping area above 4 GiB (thread stacks, shared and DMA
 * buffers). Frames come in the largest power-of-two runs that fit, so a
 * big request costs few system calls.
 */
#include "libmnos.h"
#include "stdlib.h"

#define HEAP_LIMIT (MN_USER_HEAP_BASE + (1ull << 30)) /* 1 GiB of heap at most */
#define MAP_AREA_BASE 0x100000000ull
#define MAP_AREA_END 0x400000000000ull

/* How much the first heap extension maps: a program may raise it before its first malloc (init: 4 MiB). */
size_t mn_heap_initial = 64 * 1024;

static uint64_t heap_end = MN_USER_HEAP_BASE; /* end of what is mapped */
static uint64_t heap_given = MN_USER_HEAP_BASE; /* end of what malloc was handed (the first mapping may be larger) */
static uint64_t map_next = MAP_AREA_BASE;
static mn_mutex_t map_lock = MN_MUTEX_INIT;
static uint32_t allocator, self;

void mn_memory_init(void)
{
    allocator = mn_cap(MN_ROLE_ALLOCATOR);
    self = mn_self();
}

/* The largest order (<= 10) whose run fits in `pages` and keeps `va` aligned to it. */
static unsigned fit_order(uint64_t va, uint64_t pages)
{
    unsigned order = 10;
    while (order > 0 && ((1ull << order) > pages || (va & ((MN_PAGE_SIZE << order) - 1))))
        order--;
    return order;
}

/*
 * Maps `pages` fresh zeroed pages at va (writable), in runs of the largest
 * orders that fit; each frame capability goes to *keep when keep is not
 * NULL (only for a single run), else it is dropped. Returns 0 or an error;
 * on an error what was mapped stays mapped, and *done (when not NULL) says
 * how many pages that is, so the heap can go on from there later.
 */
static int map_fresh(uint64_t va, uint64_t pages, uint32_t *keep, uint64_t *done)
{
    if (done)
        *done = 0;
    if (!allocator || !self)
        return MN_ERR_INVALID_SLOT;
    while (pages) {
        unsigned order = fit_order(va, pages);
        uint32_t slot = mn_slot_alloc();
        if (!slot)
            return MN_ERR_NO_SPACE;
        int64_t r = mn_sys_ALLOC_PAGES(allocator, slot, order);
        if (r == 0)
            r = mn_sys_MAP_MEMORY(self, slot, va, MN_MAP_WRITE);
        if (r != 0 || !keep) {
            mn_sys_DROP_CAP(slot);
            mn_slot_free(slot);
        } else {
            *keep = slot;
        }
        if (r != 0)
            return (int)r;
        va += MN_PAGE_SIZE << order;
        pages -= 1ull << order;
        if (done)
            *done += 1ull << order;
    }
    return 0;
}

/*
 * malloc asks for exactly the bytes that follow its heap; the first mapping is at least mn_heap_initial, and what
 * malloc did not ask for then is handed out by the next calls (bug heap-initial-surplus: returning the end of the
 * mapping instead made malloc see a gap and report heap corruption once init's heap outgrew its first request).
 */
void *mn_heap_morecore(size_t bytes)
{
    bytes = (bytes + MN_PAGE_SIZE - 1) & ~(MN_PAGE_SIZE - 1);
    if (bytes > HEAP_LIMIT - heap_given)
        return NULL;
    if (heap_given + bytes > heap_end) {
        uint64_t map = heap_given + bytes - heap_end;
        if (heap_end == MN_USER_HEAP_BASE && map < mn_heap_initial)
            map = (mn_heap_initial + MN_PAGE_SIZE - 1) & ~(MN_PAGE_SIZE - 1);
        if (map > HEAP_LIMIT - heap_end)
            map = HEAP_LIMIT - heap_end;
        uint64_t mapped;
        int r = map_fresh(heap_end, map / MN_PAGE_SIZE, NULL, &mapped);
        heap_end += mapped * MN_PAGE_SIZE; /* a budget that ran out may allow more later */
        if (r != 0 && heap_given + bytes > heap_end)
            return NULL;
    }
    uint64_t start = heap_given;
    heap_given += bytes;
    return (void *)(uintptr_t)start;
}

void *mn_map_pages(unsigned order, uint32_t *frame_slot)
{
    if (order > 10)
        return NULL;
    uint64_t size = MN_PAGE_SIZE << order;
    mn_mutex_lock(&map_lock);
    uint64_t va = (map_next + size - 1) & ~(size - 1);
    bool room = va + size <= MAP_AREA_END;
    if (room)
        map_next = va + size + MN_PAGE_SIZE; /* an unmapped page between runs: overruns fault */
    mn_mutex_unlock(&map_lock);
    if (!room)
        return NULL;
    uint32_t slot = 0;
    if (map_fresh(va, 1ull << order, frame_slot ? &slot : NULL, NULL) != 0)
        return NULL;
    if (frame_slot)
        *frame_slot = slot;
    return (void *)(uintptr_t)va;
}

int mn_unmap_pages(void *addr, unsigned order)
{
    return (int)mn_sys_UNMAP(self, (uint64_t)(uintptr_t)addr, 1ull << order);
}

int mn_kernel_mem_stats(uint64_t *free_frames, uint64_t *heap_bytes)
{
    uint64_t out[3];
    int64_t r = mn_sys_MEM_STATS(allocator, out);
    if (r != 0)
        return (int)r;
    *free_frames = out[0];
    *heap_bytes = out[1];
    return 0;
}

/* The heap lock malloc.c takes (built with MN_HEAP_LOCK defined to this: see user/lib/build.mk). */
static mn_mutex_t heap_lock = MN_MUTEX_INIT;

void mn_heap_lock(void)
{
    mn_mutex_lock(&heap_lock);
}

void mn_heap_unlock(void)
{
    mn_mutex_unlock(&heap_lock);
}
