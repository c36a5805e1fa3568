/*
 * The kernel heap's allocator, free of hardware and locks so the host tests
 * can drive it: boundary-tag blocks carved from arenas the embedder hands
 * over, segregated free lists (16-byte classes up to 1 KiB, then powers of
 * two), immediate coalescing, 16-byte alignment. Small blocks (up to
 * HEAP_QUICK_MAX bytes of block) are first kept, uncoalesced, on short
 * per-size "quick" lists so the common kmalloc/kfree pair costs little.
 * Requests above HEAP_BIG_MIN go straight to the embedder's page allocator.
 *
 * Checks: every block carries a magic word, freed memory is poisoned and
 * checked again when handed out, and the bytes between the requested size and
 * the end of the block hold a canary checked at free. A double free, a bad
 * pointer or corruption is reported through ops.fail (which panics in the
 * kernel); the operation then does nothing.
 */
#ifndef MM_HEAP_CORE_H
#define MM_HEAP_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HEAP_ALIGN 16
#define HEAP_BIG_MIN (16u * 1024) /* requests larger than this bypass the arenas */
#define HEAP_NBINS 128
#define HEAP_QUICK_MAX 512u /* largest block size (header included) kept on a quick list */
#define HEAP_QUICK_DEPTH 16 /* blocks per quick list */

struct heap_ops {
    /* A 16-byte aligned region of exactly `bytes` for a new arena (never returned), or NULL. */
    void *(*grow)(void *ctx, size_t bytes);
    /* A 16-byte aligned region of at least `bytes` for one large block, or NULL. */
    void *(*big_alloc)(void *ctx, size_t bytes);
    void (*big_free)(void *ctx, void *region, size_t bytes);
    /* Reports corruption or misuse; may not return (the kernel panics). */
    void (*fail)(void *ctx, const char *what, const void *ptr);
    void *ctx;
};

struct heap_stats {
    size_t bytes_in_use; /* block bytes (headers included) of live allocations */
    size_t live; /* live allocations */
    size_t arena_bytes; /* bytes obtained through grow */
    size_t big_bytes; /* bytes obtained through big_alloc and not yet returned */
};

struct heap_block;
struct heap_arena;

struct heap {
    struct heap_ops ops;
    bool poison; /* poison freed memory and check it on reuse */
    size_t arena_size; /* grow granularity (a multiple of 4096) */
    struct heap_block *bins[HEAP_NBINS];
    uint64_t binmap[HEAP_NBINS / 64];
    struct heap_arena *arenas;
    struct heap_block *quick[HEAP_QUICK_MAX / 16 + 1];
    uint8_t quick_len[HEAP_QUICK_MAX / 16 + 1];
    struct heap_stats stats;
};

/* Sets up an empty heap; arenas are obtained on demand in `arena_size` units. */
void heap_init(struct heap *h, const struct heap_ops *ops, size_t arena_size, bool poison);

/* `size` bytes (any size; 0 gives a unique minimal block), 16-byte aligned, or NULL. */
void *heap_alloc(struct heap *h, size_t size);

/* Frees a block from heap_alloc/heap_realloc; NULL is ignored. */
void heap_free(struct heap *h, void *p);

/*
 * Resizes in place when it can, otherwise moves (copying the old contents).
 * NULL p acts as heap_alloc; size 0 frees p and returns NULL. On failure
 * returns NULL and p is untouched.
 */
void *heap_realloc(struct heap *h, void *p, size_t size);

/* Returns every quick-list block to the coalescing free lists. */
void heap_flush_quick(struct heap *h);

/* Bytes usable at p (at least what was asked for). */
size_t heap_usable_size(struct heap *h, const void *p);

/*
 * Walks every arena and free list checking all invariants; returns NULL or a
 * description of the first broken one. For tests: O(heap size).
 */
const char *heap_check(struct heap *h);

#endif
