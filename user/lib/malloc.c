/*
 * libmnos: the heap allocator (malloc, free, calloc, realloc, mn_memalign).
 *
 * Layout. The heap is one region [base, end) that grows at its end through
 * mn_heap_morecore. From base up it is a run of blocks, then the top,
 * [top, end): memory not yet carved into blocks. A block starts with a
 * 16-byte header, so payloads are 16-aligned like the blocks themselves:
 *
 *     head     size in bytes (a multiple of 16) | USED | PREV_USED
 *     tag      the block's own address ^ TAG_USED or TAG_FREE
 *     payload  in use: the caller's bytes
 *              free: next and prev list links ... the size again (last word)
 *
 * Boundary tags: a free block's last word repeats its size and the next
 * block's PREV_USED bit says whether that word is valid, so free() finds
 * both neighbours in O(1) and merges with them. Hence two free blocks are
 * never adjacent and no free block touches the top (it merges into it):
 * the block just below the top is always in use.
 *
 * Free lists. Each free block is on one of NBINS doubly linked lists by
 * size: one per 16-byte step from 48 to 1024 bytes, then four per power of
 * two. A bitmap of non-empty lists gives the first list that can satisfy a
 * request in a couple of instructions. Small requests are O(1): their exact
 * list, or the head of the first non-empty larger one, split. A request in
 * a range list tries a few of that list's blocks (first fit) before taking
 * a larger list's head. When no free block fits, the block is carved from
 * the top, which grows through morecore: that is where large requests are
 * normally served, and a large block freed next to the top returns to it
 * rather than fragmenting the lists.
 *
 * Checks. The tag identifies a real header and its state for the cost of
 * one compare: freeing a free block (or a stale header: freed blocks keep
 * TAG_FREE when merged), a pointer into the middle of a block, or a block
 * whose header was overwritten all fail it. free() also looks at the
 * neighbouring headers, which catches most overruns at the next free.
 * Every failure goes to mn_heap_corrupt.
 */
#include <stdbool.h>
#include <stdint.h>

#include "stdlib.h"
#include "string.h"

/*
 * Not thread-safe yet. When a process can have several threads, the
 * platform defines these two (with -D, e.g. around a futex-based mutex).
 * Each public function takes the lock once and never recursively;
 * mn_heap_morecore is called with it held, mn_heap_corrupt after it is
 * dropped (so a hook that prints or allocates cannot deadlock).
 */
#ifndef MN_HEAP_LOCK
#define MN_HEAP_LOCK() ((void)0)
#define MN_HEAP_UNLOCK() ((void)0)
#endif

#define HEAP_PAGE 4096u
/* Grow by at least this much: each morecore is a system call and a mapping. */
#define HEAP_GROW_MIN (64u * 1024)
#define ALIGNMENT 16u
#define HEADER 16u
/* A free block holds a header, two links and its size tag: 40 bytes, rounded up. */
#define MIN_BLOCK 48u
/* Requests above this fail at once; it keeps every size sum below from overflowing. */
#define MAX_REQUEST (SIZE_MAX / 4)

#define USED ((size_t)1)
#define PREV_USED ((size_t)2)
#define FLAGS (USED | PREV_USED)

#define TAG_USED ((uintptr_t)0x6d6e6f732d757365ull) /* "mnos-use" */
#define TAG_FREE ((uintptr_t)0x6d6e6f732d667265ull) /* "mnos-fre" */

#define SMALL_MAX 1024u
#define SMALL_BINS (SMALL_MAX / ALIGNMENT - 2) /* sizes 48, 64, ... 1024 */
#define NBINS 128u

struct block {
    size_t head;
    uintptr_t tag;
    struct block *next, *prev; /* free blocks only */
};
_Static_assert(__builtin_offsetof(struct block, next) == HEADER, "the payload follows head and tag");

static struct {
    char *base, *top, *end;
    struct block *bins[NBINS];
    uint64_t nonempty[NBINS / 64];
    size_t in_use; /* bytes in USED blocks */
    size_t allocations; /* USED blocks */
    size_t free_blocks; /* blocks on the lists */
    const char *pending; /* corruption found under the lock, reported after it */
} heap;

static inline size_t block_size(const struct block *b)
{
    return b->head & ~FLAGS;
}

static inline struct block *block_at(void *p, size_t offset)
{
    return (struct block *)((char *)p + offset);
}

static inline struct block *block_below(void *p, size_t offset)
{
    return (struct block *)((char *)p - offset);
}

static inline uintptr_t tag_for(const struct block *b, uintptr_t state)
{
    return (uintptr_t)b ^ state;
}

static inline size_t *footer_of(struct block *b, size_t size)
{
    return (size_t *)((char *)b + size) - 1;
}

/* Bytes between two heap addresses; integers, because base may still be NULL. */
static inline size_t span(const void *lo, const void *hi)
{
    return (size_t)((uintptr_t)hi - (uintptr_t)lo);
}

static inline size_t round_up(size_t n, size_t to)
{
    return (n + to - 1) & ~(to - 1);
}

/* The block size that holds n bytes of payload (n <= MAX_REQUEST). */
static size_t request_size(size_t n)
{
    size_t need = round_up(n + HEADER, ALIGNMENT);
    return need < MIN_BLOCK ? MIN_BLOCK : need;
}

static unsigned bin_index(size_t size)
{
    if (size <= SMALL_MAX)
        return (unsigned)(size / ALIGNMENT) - 3;
    unsigned msb = 63 - (unsigned)__builtin_clzll(size); /* >= 10 */
    unsigned index = SMALL_BINS + (msb - 10) * 4 + (unsigned)((size >> (msb - 2)) & 3);
    return index < NBINS ? index : NBINS - 1;
}

static void bin_insert(struct block *b)
{
    unsigned i = bin_index(block_size(b));
    b->prev = NULL;
    b->next = heap.bins[i];
    if (b->next)
        b->next->prev = b;
    heap.bins[i] = b;
    heap.nonempty[i / 64] |= 1ull << (i % 64);
    heap.free_blocks++;
}

static void bin_remove(struct block *b)
{
    unsigned i = bin_index(block_size(b));
    if (b->prev)
        b->prev->next = b->next;
    else
        heap.bins[i] = b->next;
    if (b->next)
        b->next->prev = b->prev;
    if (!heap.bins[i])
        heap.nonempty[i / 64] &= ~(1ull << (i % 64));
    heap.free_blocks--;
}

/* The first non-empty list at index i or above, or -1. */
static int first_nonempty(unsigned i)
{
    for (unsigned w = i / 64; w < NBINS / 64; w++) {
        uint64_t bits = heap.nonempty[w];
        if (w == i / 64)
            bits &= ~0ull << (i % 64);
        if (bits)
            return (int)(w * 64 + (unsigned)__builtin_ctzll(bits));
    }
    return -1;
}

/*
 * Makes [b, b + size) a free block on its list. The block below must be in
 * use; the block above must be in use and not the top, and loses its
 * PREV_USED bit.
 */
static void make_free(struct block *b, size_t size)
{
    b->head = size | PREV_USED;
    b->tag = tag_for(b, TAG_FREE);
    *footer_of(b, size) = size;
    block_at(b, size)->head &= ~PREV_USED;
    bin_insert(b);
}

/*
 * Frees an in-use block whose neighbours are consistent: merges it with a
 * free block below and above, then puts the result on a list or back into
 * the top. The caller keeps the in_use/allocations counts.
 */
static void release(struct block *b)
{
    size_t size = block_size(b);
    b->tag = tag_for(b, TAG_FREE); /* also when merged away: a stale header must not look in use */
    if (!(b->head & PREV_USED)) {
        size_t below = *((size_t *)b - 1);
        b = block_below(b, below);
        bin_remove(b);
        size += below;
    }
    struct block *above = block_at(b, size);
    if ((char *)above == heap.top) {
        heap.top = (char *)b;
        return;
    }
    if (!(above->head & USED)) {
        bin_remove(above);
        size += block_size(above);
    }
    make_free(b, size);
}

/* Cuts an in-use block down to `need` bytes when the tail is big enough to be a block. */
static void shrink(struct block *b, size_t need)
{
    size_t size = block_size(b);
    if (size - need < MIN_BLOCK)
        return;
    b->head = need | (b->head & FLAGS);
    struct block *tail = block_at(b, need);
    tail->head = (size - need) | USED | PREV_USED;
    tail->tag = tag_for(tail, TAG_USED);
    heap.in_use -= size - need;
    release(tail);
}

/* Extends the top by at least `shortfall` bytes; false when morecore has no more. */
static bool grow(size_t shortfall)
{
    size_t exact = round_up(shortfall, HEAP_PAGE);
    size_t bytes = exact < HEAP_GROW_MIN ? HEAP_GROW_MIN : exact;
    char *p = mn_heap_morecore(bytes);
    if (!p && bytes > exact) {
        bytes = exact;
        p = mn_heap_morecore(bytes);
    }
    if (!p)
        return false;
    if (!heap.base) {
        heap.base = heap.top = (char *)round_up((uintptr_t)p, ALIGNMENT);
        heap.end = p + bytes;
    } else if (p != heap.end) {
        heap.pending = "malloc: mn_heap_morecore returned memory that does not follow the heap";
        return false;
    } else {
        heap.end += bytes;
    }
    return true;
}

/* Takes a free block of at least `need` bytes off the lists, or returns NULL. */
static struct block *take_from_lists(size_t need)
{
    unsigned i = bin_index(need);
    struct block *b = NULL;
    if (i < SMALL_BINS) {
        b = heap.bins[i]; /* exact size */
    } else {
        unsigned budget = 8;
        for (struct block *c = heap.bins[i]; c && budget; c = c->next, budget--) {
            if (block_size(c) >= need) {
                b = c;
                break;
            }
        }
    }
    if (!b) {
        /* Every block on a higher list is larger than anything list i holds. */
        int j = first_nonempty(i + 1);
        if (j < 0)
            return NULL;
        b = heap.bins[j];
    }
    bin_remove(b);
    return b;
}

static void *mark_used(struct block *b, size_t size)
{
    b->tag = tag_for(b, TAG_USED);
    heap.in_use += size;
    heap.allocations++;
    return (char *)b + HEADER;
}

static void *malloc_unlocked(size_t n)
{
    if (n > MAX_REQUEST)
        return NULL;
    size_t need = request_size(n);
    struct block *b = take_from_lists(need);
    if (b) {
        size_t size = block_size(b);
        if (size - need >= MIN_BLOCK) {
            b->head = need | USED | PREV_USED;
            make_free(block_at(b, need), size - need);
        } else {
            need = size;
            b->head = size | USED | PREV_USED;
            block_at(b, size)->head |= PREV_USED; /* a free block never touches the top */
        }
        return mark_used(b, need);
    }
    size_t room = span(heap.top, heap.end);
    if (room < need && !grow(need - room))
        return NULL;
    b = (struct block *)heap.top;
    heap.top += need;
    b->head = need | USED | PREV_USED; /* the block below the top is in use */
    return mark_used(b, need);
}

enum { BAD_POINTER, BAD_DOUBLE, BAD_HEADER, BAD_NEIGHBOUR };
static const char *const free_errors[] = {
    "free: pointer not from malloc (or its block header was overwritten)",
    "free: double free",
    "free: block header overwritten",
    "free: neighbouring block header overwritten (overrun?)",
};
static const char *const realloc_errors[] = {
    "realloc: pointer not from malloc (or its block header was overwritten)",
    "realloc: block already freed",
    "realloc: block header overwritten",
    "realloc: neighbouring block header overwritten (overrun?)",
};
static const char *const usable_errors[] = {
    "mn_malloc_usable_size: pointer not from malloc (or its block header was overwritten)",
    "mn_malloc_usable_size: block already freed",
    "mn_malloc_usable_size: block header overwritten",
    "mn_malloc_usable_size: neighbouring block header overwritten (overrun?)",
};

/*
 * Returns the block of a pointer malloc returned and that is still live,
 * after checking its header and its neighbours' (so that release() can
 * trust them); else records why in heap.pending and returns NULL.
 */
static struct block *checked_block(void *p, const char *const *errors)
{
    uintptr_t a = (uintptr_t)p;
    /* Anything in [base, end) can be read, the top included: blocks freed into it keep their headers. */
    if (!heap.base || a % ALIGNMENT || a < (uintptr_t)heap.base + HEADER || a > (uintptr_t)heap.end) {
        heap.pending = errors[BAD_POINTER];
        return NULL;
    }
    struct block *b = (struct block *)(a - HEADER);
    if (b->tag == tag_for(b, TAG_FREE)) {
        heap.pending = errors[BAD_DOUBLE];
        return NULL;
    }
    if (a >= (uintptr_t)heap.top || b->tag != tag_for(b, TAG_USED)) {
        heap.pending = errors[BAD_POINTER];
        return NULL;
    }
    size_t size = block_size(b);
    if (!(b->head & USED) || size < MIN_BLOCK || size % ALIGNMENT || size > span(b, heap.top) ||
        (!(b->head & PREV_USED) && (char *)b == heap.base)) {
        heap.pending = errors[BAD_HEADER];
        return NULL;
    }
    struct block *above = block_at(b, size);
    if ((char *)above != heap.top) {
        bool is_used = above->tag == tag_for(above, TAG_USED) && (above->head & USED);
        bool is_free = above->tag == tag_for(above, TAG_FREE) && !(above->head & USED);
        if ((!is_used && !is_free) || !(above->head & PREV_USED)) {
            heap.pending = errors[BAD_NEIGHBOUR];
            return NULL;
        }
    }
    if (!(b->head & PREV_USED)) {
        size_t below = *((size_t *)b - 1);
        if (below < MIN_BLOCK || below % ALIGNMENT || below > span(heap.base, b)) {
            heap.pending = errors[BAD_NEIGHBOUR];
            return NULL;
        }
        struct block *pb = block_below(b, below);
        if (pb->tag != tag_for(pb, TAG_FREE) || block_size(pb) != below) {
            heap.pending = errors[BAD_NEIGHBOUR];
            return NULL;
        }
    }
    return b;
}

/* Called at the end of each public function, outside the lock. */
static void report_pending(const char *why)
{
    if (why)
        mn_heap_corrupt(why);
}

static const char *take_pending(void)
{
    const char *why = heap.pending;
    heap.pending = NULL;
    return why;
}

void *MN_LIBC(malloc)(size_t n)
{
    MN_HEAP_LOCK();
    void *p = malloc_unlocked(n);
    const char *why = take_pending();
    MN_HEAP_UNLOCK();
    report_pending(why);
    return p;
}

void MN_LIBC(free)(void *p)
{
    if (!p)
        return;
    MN_HEAP_LOCK();
    struct block *b = checked_block(p, free_errors);
    if (b) {
        heap.in_use -= block_size(b);
        heap.allocations--;
        release(b);
    }
    const char *why = take_pending();
    MN_HEAP_UNLOCK();
    report_pending(why);
}

void *MN_LIBC(calloc)(size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total))
        return NULL;
    void *p = MN_LIBC(malloc)(total);
    if (p)
        MN_LIBC(memset)(p, 0, total);
    return p;
}

/* Gives b (in use) `need` bytes without moving it, or changes nothing and returns false. */
static bool resize_in_place(struct block *b, size_t need)
{
    size_t size = block_size(b);
    if (need <= size) {
        shrink(b, need);
        return true;
    }
    struct block *above = block_at(b, size);
    if ((char *)above == heap.top) {
        size_t room = span(heap.top, heap.end);
        if (room < need - size && !grow(need - size - room))
            return false;
        b->head = need | (b->head & FLAGS);
        heap.top = (char *)b + need;
        heap.in_use += need - size;
        return true;
    }
    if (above->head & USED)
        return false;
    size_t merged = size + block_size(above);
    if (merged < need)
        return false;
    bin_remove(above);
    b->head = merged | (b->head & FLAGS);
    block_at(b, merged)->head |= PREV_USED;
    heap.in_use += merged - size;
    shrink(b, need);
    return true;
}

void *MN_LIBC(realloc)(void *p, size_t n)
{
    if (!p)
        return MN_LIBC(malloc)(n);
    if (n == 0) {
        MN_LIBC(free)(p);
        return NULL;
    }
    MN_HEAP_LOCK();
    struct block *b = checked_block(p, realloc_errors);
    bool done = b && n <= MAX_REQUEST && resize_in_place(b, request_size(n));
    size_t old_payload = b ? block_size(b) - HEADER : 0;
    const char *why = take_pending();
    MN_HEAP_UNLOCK();
    if (why) {
        report_pending(why);
        return NULL;
    }
    if (done)
        return p;
    void *q = MN_LIBC(malloc)(n);
    if (!q)
        return NULL;
    MN_LIBC(memcpy)(q, p, old_payload < n ? old_payload : n);
    MN_LIBC(free)(p);
    return q;
}

void *mn_memalign(size_t align, size_t n)
{
    if (align == 0 || (align & (align - 1)))
        return NULL;
    if (align <= ALIGNMENT)
        return MN_LIBC(malloc)(n);
    if (n > MAX_REQUEST || align > MAX_REQUEST)
        return NULL;
    size_t need = request_size(n);
    MN_HEAP_LOCK();
    /*
     * Over-allocate, then free the part before the first aligned payload
     * far enough in to make a block of its own, and the tail.
     */
    char *p = malloc_unlocked(need + align + MIN_BLOCK);
    if (p) {
        struct block *b = block_below(p, HEADER);
        uintptr_t a = round_up((uintptr_t)p, align);
        if (a != (uintptr_t)p && a - (uintptr_t)p < MIN_BLOCK)
            a += align;
        size_t lead = a - (uintptr_t)p;
        if (lead) {
            struct block *ab = block_at(b, lead);
            ab->head = (block_size(b) - lead) | USED | PREV_USED;
            ab->tag = tag_for(ab, TAG_USED);
            b->head = lead | (b->head & FLAGS);
            heap.in_use -= lead;
            release(b);
            b = ab;
        }
        shrink(b, need);
        p = (char *)b + HEADER;
    }
    const char *why = take_pending();
    MN_HEAP_UNLOCK();
    report_pending(why);
    return p;
}

void *MN_LIBC(aligned_alloc)(size_t align, size_t n)
{
    return mn_memalign(align, n);
}

size_t mn_malloc_usable_size(void *p)
{
    if (!p)
        return 0;
    MN_HEAP_LOCK();
    struct block *b = checked_block(p, usable_errors);
    size_t n = b ? block_size(b) - HEADER : 0;
    const char *why = take_pending();
    MN_HEAP_UNLOCK();
    report_pending(why);
    return n;
}

void mn_heap_stats(struct mn_heap_stats *out)
{
    MN_HEAP_LOCK();
    out->heap_size = span(heap.base, heap.end);
    out->bytes_in_use = heap.in_use;
    out->bytes_free = out->heap_size - heap.in_use;
    out->top_size = span(heap.top, heap.end);
    out->allocations = heap.allocations;
    out->free_blocks = heap.free_blocks;
    MN_HEAP_UNLOCK();
}

/* The walk of mn_heap_check: every block from base to top. */
static const char *check_blocks(void)
{
    size_t used_bytes = 0, used_count = 0, free_count = 0;
    bool below_used = true;
    char *p = heap.base;
    while (p && p < heap.top) {
        struct block *b = (struct block *)p;
        size_t size = block_size(b);
        if (size < MIN_BLOCK || size % ALIGNMENT || size > span(p, heap.top))
            return "heap: block size out of range";
        if (!(b->head & PREV_USED) != !below_used)
            return "heap: PREV_USED bit disagrees with the block below";
        if (b->head & USED) {
            if (b->tag != tag_for(b, TAG_USED))
                return "heap: used block with a bad tag";
            used_bytes += size;
            used_count++;
        } else {
            if (b->tag != tag_for(b, TAG_FREE))
                return "heap: free block with a bad tag";
            if (!below_used)
                return "heap: two adjacent free blocks";
            if (*footer_of(b, size) != size)
                return "heap: free block's size tag differs from its header";
            free_count++;
        }
        below_used = b->head & USED;
        p += size;
    }
    if (p != heap.top)
        return "heap: blocks run past the top";
    if (!below_used)
        return "heap: a free block touches the top";
    if (used_bytes != heap.in_use || used_count != heap.allocations)
        return "heap: in-use counters disagree with the blocks";
    if (free_count != heap.free_blocks)
        return "heap: free-block counter disagrees with the blocks";
    return NULL;
}

/* The second part: every list holds free blocks of its size range, linked both ways. */
static const char *check_lists(void)
{
    size_t listed = 0;
    for (unsigned i = 0; i < NBINS; i++) {
        bool marked = (heap.nonempty[i / 64] >> (i % 64)) & 1;
        if (marked != (heap.bins[i] != NULL))
            return "heap: non-empty bitmap disagrees with a list";
        struct block *prev = NULL;
        for (struct block *b = heap.bins[i]; b; prev = b, b = b->next) {
            if (++listed > heap.free_blocks)
                return "heap: more blocks on the lists than free blocks (a cycle?)";
            if ((char *)b < heap.base || (char *)b >= heap.top || b->tag != tag_for(b, TAG_FREE) || (b->head & USED))
                return "heap: a list holds something that is not a free block";
            if (bin_index(block_size(b)) != i)
                return "heap: a free block is on the wrong list";
            if (b->prev != prev)
                return "heap: a list's back link is wrong";
        }
    }
    if (listed != heap.free_blocks)
        return "heap: a free block is on no list";
    return NULL;
}

const char *mn_heap_check(void)
{
    MN_HEAP_LOCK();
    const char *why = check_blocks();
    if (!why)
        why = check_lists();
    MN_HEAP_UNLOCK();
    return why;
}
