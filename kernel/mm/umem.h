/*
 * User memory objects behind the memory system calls (SYS_ALLOC_MEMORY,
 * SYS_MAP_MEMORY, SYS_UNMAP):
 *
 *  - a PmmAllocator hands out frames up to a budget (`limit` frames alive at
 *    once; init's is unlimited). Frames count against the allocator they
 *    came from until they are freed, so a budget is memory, not a number of
 *    calls.
 *  - a MemoryFrame is 2^order zeroed, physically contiguous 4 KiB frames,
 *    aligned to their size (order 0 to MEM_FRAME_MAX_ORDER).
 *  - a process's cap mappings: every mapping of a whole MemoryFrame is
 *    recorded in the process (p->umaps) and holds a reference on the frame;
 *    MmioRegion mappings are recorded too (no frame: device memory is never
 *    freed).
 *
 * Lifetime: each object has one kernel reference for all its capabilities
 * together (dropped by the cap_object release callback, under cap_lock)
 * plus one per user: a frame per mapping and per system call in progress,
 * an allocator per live frame. The last put frees it: a frame's memory goes
 * back to the PMM exactly once, here, never through addr_space_destroy's
 * walker, because process teardown (umem_teardown) unmaps every cap mapping
 * before the address space is destroyed.
 *
 * Locking: p->umap_lock (a spinlock) guards p->umaps and p->umap_closed and
 * is held around the page-table change (nesting: umap_lock -> as->lock ->
 * PMM). Puts may run under cap_lock or umap_lock.
 */
#ifndef MM_UMEM_H
#define MM_UMEM_H

#include <stdint.h>

#include "cap/cap.h"

struct process;

struct mem_allocator {
    cap_object_t obj; /* first: capabilities point here */
    volatile uint32_t refs;
    uint64_t limit; /* frames alive at once */
    volatile uint64_t used; /* frames alive now */
    struct mem_allocator *parent; /* frames are charged to it too (holds a reference), or NULL */
};

struct mem_frame {
    cap_object_t obj; /* first: capabilities point here */
    volatile uint32_t refs;
    uint32_t order; /* 2^order pages */
    uint64_t phys;
    struct mem_allocator *from; /* holds a reference */
};

#define MEM_FRAME_MAX_ORDER 10 /* 4 MiB */

/* cap_slot.flags of an MmioRegion capability: the region is RAM (the initrd), mapped write-back rather than uncached.
 */
#define CAP_MMIO_CACHED 0x1u

/* One cap mapping of a process (p->umaps). */
struct umap {
    uint64_t va;
    uint64_t pages;
    struct mem_frame *frame; /* NULL for an MmioRegion mapping */
    struct umap *next;
};

#define MEM_ALLOCATOR_UNLIMITED UINT64_MAX

/*
 * A new allocator with one reference (for the capabilities about to be
 * minted) and a budget of `limit` frames, drawing on `parent` (NULL: the
 * PMM directly): its frames count against every allocator up the chain.
 * NULL when out of memory.
 */
struct mem_allocator *mem_allocator_create(uint64_t limit, struct mem_allocator *parent);
void mem_allocator_put(struct mem_allocator *a);

/*
 * A new zeroed frame of 2^order pages (order <= MEM_FRAME_MAX_ORDER: the
 * caller checks) charged to `a`, with one reference (for the capabilities
 * about to be minted). NULL when a's budget is used up or memory is
 * exhausted (or too fragmented for the order).
 */
struct mem_frame *mem_frame_alloc(struct mem_allocator *a, unsigned order);
void mem_frame_get(struct mem_frame *f);
void mem_frame_put(struct mem_frame *f);

/*
 * Maps all of f at user address `va` (page-aligned, the whole range in the
 * user half: the caller checks) in p with VMM_* `flags` (VMM_USER is
 * added), all or nothing. Returns MN_ERR_OK, MN_ERR_MAP_FAILED (a page of
 * the range is mapped already), MN_ERR_NO_MEMORY or MN_ERR_DEAD (p has
 * been torn down).
 */
int umem_map(struct process *p, struct mem_frame *f, uint64_t va, unsigned flags);

/*
 * The same for `pages` pages of physical memory from `phys` that no frame
 * object owns (an MmioRegion: device registers, mapped with VMM_UC in
 * flags; or the initrd, cached); teardown unmaps it and frees nothing.
 */
int umem_map_mmio(struct process *p, uint64_t phys, uint64_t pages, uint64_t va, unsigned flags);

/*
 * Unmaps `pages` pages from `va`, which must be exactly whole cap mappings
 * of p (else nothing changes), and drops their frame references. Returns
 * MN_ERR_OK, MN_ERR_NOT_FOUND (a page of the range is no cap mapping),
 * MN_ERR_BAD_ARG (the range cuts a mapping) or MN_ERR_DEAD.
 */
int umem_unmap(struct process *p, uint64_t va, uint64_t pages);

/* Process teardown, before addr_space_destroy: refuses new mappings, unmaps and releases every cap mapping. */
void umem_teardown(struct process *p);

/* Frames and allocators alive, for leak tests. */
uint64_t mem_frame_live_count(void);
uint64_t mem_allocator_live_count(void);

#endif
