/*
 * User memory objects behind the memory system calls (SYS_ALLOC_MEMORY,
 * SYS_MAP_MEMORY, SYS_UNMAP):
 *
 *  - a PmmAllocator hands out frames up to a budget (`limit` frames alive at
 *    once; init's is unlimited). Frames count against the allocator they
 *    came from until they are freed, so a budget is memory, not a number of
 *    calls.
 *  - a MemoryFrame is one zeroed 4 KiB frame.
 *  - a process's cap mappings: every page mapped from a MemoryFrame is
 *    recorded in the process (p->umaps) and holds a reference on the frame.
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
};

struct mem_frame {
    cap_object_t obj; /* first: capabilities point here */
    volatile uint32_t refs;
    uint64_t phys;
    struct mem_allocator *from; /* holds a reference */
};

/* One cap mapping of a process (p->umaps). */
struct umap {
    uint64_t va;
    struct mem_frame *frame;
    struct umap *next;
};

#define MEM_ALLOCATOR_UNLIMITED UINT64_MAX

/* A new allocator with one reference (for the capabilities about to be minted); NULL when out of memory. */
struct mem_allocator *mem_allocator_create(uint64_t limit);
void mem_allocator_put(struct mem_allocator *a);

/*
 * A new zeroed frame charged to `a`, with one reference (for the
 * capabilities about to be minted). NULL when a's budget is used up or
 * memory is exhausted.
 */
struct mem_frame *mem_frame_alloc(struct mem_allocator *a);
void mem_frame_get(struct mem_frame *f);
void mem_frame_put(struct mem_frame *f);

/*
 * Maps f at user address `va` (page-aligned, below USER_SPACE_END: the
 * caller checks) in p with VMM_* `flags` (VMM_USER is added). Returns
 * MN_ERR_OK, MN_ERR_MAP_FAILED (va already mapped), MN_ERR_NO_MEMORY or
 * MN_ERR_DEAD (p has been torn down).
 */
int umem_map(struct process *p, struct mem_frame *f, uint64_t va, unsigned flags);

/*
 * Unmaps `pages` pages from `va`, all of which must be cap mappings of p
 * (else MN_ERR_NOT_FOUND and nothing changes), and drops their frame
 * references. Returns MN_ERR_OK, MN_ERR_NOT_FOUND or MN_ERR_DEAD.
 */
int umem_unmap(struct process *p, uint64_t va, uint64_t pages);

/* Process teardown, before addr_space_destroy: refuses new mappings, unmaps and releases every cap mapping. */
void umem_teardown(struct process *p);

/* Frames and allocators alive, for leak tests. */
uint64_t mem_frame_live_count(void);
uint64_t mem_allocator_live_count(void);

#endif
