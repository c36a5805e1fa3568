/*
 * Heap allocator (see heap_core.h).
 *
 * Block layout: a 16-byte header {size|flags, magic, req}, then the payload.
 * A free block keeps its list links at the start of its payload and its size
 * in its last 8 bytes (the footer), so the block after it can find it when
 * coalescing; a used block has no footer and sets PREV_USED in the next
 * block's header instead. No two free blocks are ever adjacent. Each arena
 * starts with a 16-byte arena header and ends with a zero-sized used block
 * (the epilogue) that stops coalescing.
 *
 * Quick lists: a freed small block may instead go, still marked used for
 * its neighbours (so it is never coalesced), onto a LIFO list of blocks of
 * its exact size, linked through its first payload word, magic MAGIC_QUICK.
 *
 * Poison invariant (when enabled): in a free block of size S at F, bytes
 * [F+32, F+S-8) hold POISON; in a quick block, bytes [F+24, F+S).
 */
#include "mm/heap_core.h"

#define HDR 16u
#define MIN_BLOCK 48u
#define F_USED 1u
#define F_PREV_USED 2u
#define F_MASK 15u

#define MAGIC_USED 0xA110CA7Eu
#define MAGIC_FREE 0xF4EEB10Cu
#define MAGIC_BIG 0xB16B10C5u
#define MAGIC_END 0xE4DB10C5u
#define MAGIC_QUICK 0x0B1C4B10u

#define POISON 0x6B6B6B6B6B6B6B6Bull
#define CANARY 0xCBu

struct heap_block {
    uint64_t size; /* whole block, multiple of 16, low bits F_* */
    uint32_t magic;
    uint32_t req; /* used blocks: bytes asked for */
    /* free blocks only: */
    struct heap_block *next, *prev;
};

struct heap_arena {
    struct heap_arena *next;
    uint64_t size;
};

_Static_assert(sizeof(struct heap_block) == 32, "header + links");
_Static_assert(sizeof(struct heap_arena) == HDR, "arena header");

static inline size_t bsize(const struct heap_block *b)
{
    return b->size & ~(uint64_t)F_MASK;
}

static inline struct heap_block *after(struct heap_block *b)
{
    return (struct heap_block *)((char *)b + bsize(b));
}

static inline void set_footer(struct heap_block *b)
{
    ((uint64_t *)after(b))[-1] = bsize(b);
}

static unsigned bin_of(size_t size)
{
    if (size <= 1024)
        return (unsigned)(size / 16);
    unsigned log2 = 63u - (unsigned)__builtin_clzll(size);
    unsigned b = 65 + (log2 - 10);
    return b < HEAP_NBINS ? b : HEAP_NBINS - 1;
}

static void bin_insert(struct heap *h, struct heap_block *b)
{
    unsigned i = bin_of(bsize(b));
    b->magic = MAGIC_FREE;
    b->prev = NULL;
    b->next = h->bins[i];
    if (b->next)
        b->next->prev = b;
    h->bins[i] = b;
    h->binmap[i / 64] |= 1ull << (i % 64);
    set_footer(b);
}

static void bin_remove(struct heap *h, struct heap_block *b)
{
    unsigned i = bin_of(bsize(b));
    if (b->prev)
        b->prev->next = b->next;
    else
        h->bins[i] = b->next;
    if (b->next)
        b->next->prev = b->prev;
    if (!h->bins[i])
        h->binmap[i / 64] &= ~(1ull << (i % 64));
}

/* Both ranges are 8-byte aligned with a length that is a multiple of 8. */
static void poison_range(void *start, void *end)
{
    uint64_t *p = start, *e = end;
    for (; e - p >= 4; p += 4)
        p[0] = p[1] = p[2] = p[3] = POISON;
    for (; p < e; p++)
        *p = POISON;
}

static bool poison_intact(const void *start, const void *end)
{
    const uint64_t *p = start, *e = end;
    uint64_t diff = 0;
    for (; e - p >= 4; p += 4)
        diff |= (p[0] ^ POISON) | (p[1] ^ POISON) | (p[2] ^ POISON) | (p[3] ^ POISON);
    for (; p < e; p++)
        diff |= *p ^ POISON;
    return diff == 0;
}

void heap_init(struct heap *h, const struct heap_ops *ops, size_t arena_size, bool poison)
{
    *h = (struct heap){0};
    h->ops = *ops;
    h->poison = poison;
    h->arena_size = (arena_size + 4095) & ~(size_t)4095;
}

static void fail(struct heap *h, const char *what, const void *ptr)
{
    h->ops.fail(h->ops.ctx, what, ptr);
}

static bool grow(struct heap *h, size_t need)
{
    size_t bytes = need + 2 * HDR; /* arena header and epilogue */
    bytes = bytes < h->arena_size ? h->arena_size : (bytes + 4095) & ~(size_t)4095;
    char *mem = h->ops.grow(h->ops.ctx, bytes);
    if (!mem)
        return false;
    struct heap_arena *a = (struct heap_arena *)mem;
    a->size = bytes;
    a->next = h->arenas;
    h->arenas = a;
    h->stats.arena_bytes += bytes;
    struct heap_block *b = (struct heap_block *)(mem + HDR);
    b->size = (bytes - 2 * HDR) | F_PREV_USED;
    struct heap_block *end = after(b);
    end->size = F_USED;
    end->magic = MAGIC_END;
    end->req = 0;
    if (h->poison)
        poison_range((char *)b + 32, (char *)end - 8);
    bin_insert(h, b);
    return true;
}

/* A free block of at least `asize` bytes, removed from its bin, or NULL. */
static struct heap_block *take_fit(struct heap *h, size_t asize)
{
    unsigned i = bin_of(asize);
    if (i > 64) {
        /* Power-of-two bins hold mixed sizes: first fit within the bin. */
        for (struct heap_block *b = h->bins[i]; b; b = b->next)
            if (bsize(b) >= asize) {
                bin_remove(h, b);
                return b;
            }
        i++;
    }
    for (unsigned w = i / 64; w < HEAP_NBINS / 64; w++) {
        uint64_t bits = h->binmap[w];
        if (w == i / 64)
            bits &= ~0ull << (i % 64);
        if (bits) {
            struct heap_block *b = h->bins[w * 64 + (unsigned)__builtin_ctzll(bits)];
            bin_remove(h, b);
            return b;
        }
    }
    return NULL;
}

/* Marks a block used for `req` bytes and lays the canary after them. */
static void *mark_used(struct heap *h, struct heap_block *b, size_t req)
{
    b->size |= F_USED;
    b->magic = MAGIC_USED;
    b->req = (uint32_t)req;
    after(b)->size |= F_PREV_USED;
    unsigned char *p = (unsigned char *)b + HDR;
    for (size_t i = req; i < bsize(b) - HDR; i++)
        p[i] = CANARY;
    h->stats.bytes_in_use += bsize(b);
    h->stats.live++;
    return p;
}

/* Shrinks free-or-being-allocated block b to asize, returning the tail to the bins. */
static void split(struct heap *h, struct heap_block *b, size_t asize)
{
    size_t size = bsize(b);
    if (size - asize < MIN_BLOCK)
        return;
    struct heap_block *rest = (struct heap_block *)((char *)b + asize);
    rest->size = (size - asize) | F_PREV_USED;
    b->size = asize | (b->size & F_MASK);
    bin_insert(h, rest);
}

static size_t adjusted(size_t size)
{
    size_t a = (size + HDR + HEAP_ALIGN - 1) & ~(size_t)(HEAP_ALIGN - 1);
    return a < MIN_BLOCK ? MIN_BLOCK : a;
}

static void *big_alloc(struct heap *h, size_t size)
{
    size_t bytes = (size + HDR + HEAP_ALIGN - 1) & ~(size_t)(HEAP_ALIGN - 1);
    if (bytes < size)
        return NULL;
    struct heap_block *b = h->ops.big_alloc(h->ops.ctx, bytes);
    if (!b)
        return NULL;
    b->size = bytes | F_USED;
    b->magic = MAGIC_BIG;
    b->req = 0;
    h->stats.bytes_in_use += bsize(b);
    h->stats.big_bytes += bsize(b);
    h->stats.live++;
    return (char *)b + HDR;
}

void *heap_alloc(struct heap *h, size_t size)
{
    if (size > HEAP_BIG_MIN)
        return big_alloc(h, size);
    size_t asize = adjusted(size);
    if (asize <= HEAP_QUICK_MAX && h->quick[asize / 16]) {
        struct heap_block *q = h->quick[asize / 16];
        if (h->poison && !poison_intact((char *)q + 24, after(q))) {
            fail(h, "free block modified after free (use after free?)", (char *)q + HDR);
            return NULL;
        }
        h->quick[asize / 16] = q->next;
        h->quick_len[asize / 16]--;
        return mark_used(h, q, size);
    }
    struct heap_block *b = take_fit(h, asize);
    if (!b) {
        heap_flush_quick(h);
        b = take_fit(h, asize);
    }
    if (!b) {
        if (!grow(h, asize))
            return NULL;
        b = take_fit(h, asize);
    }
    if (h->poison) {
        char *end = (char *)b + (asize < bsize(b) - 8 ? asize : bsize(b) - 8);
        if (!poison_intact((char *)b + 32, end)) {
            fail(h, "free block modified after free (use after free?)", (char *)b + HDR);
            return NULL;
        }
    }
    split(h, b, asize);
    return mark_used(h, b, size);
}

/* The header of a live block, or NULL after reporting what is wrong with p. */
static struct heap_block *checked(struct heap *h, const void *p)
{
    if ((uintptr_t)p % HEAP_ALIGN) {
        fail(h, "pointer not from the heap (misaligned)", p);
        return NULL;
    }
    struct heap_block *b = (struct heap_block *)((char *)p - HDR);
    if (b->magic == MAGIC_BIG)
        return b;
    if (b->magic == MAGIC_FREE || b->magic == MAGIC_QUICK || (h->poison && b->magic == (uint32_t)POISON)) {
        /* A poisoned header: freed before and merged into the block in front of it. */
        fail(h, "double free", p);
        return NULL;
    }
    size_t size = bsize(b);
    if (b->magic != MAGIC_USED || !(b->size & F_USED) || size < MIN_BLOCK || b->req > size - HDR) {
        fail(h, "bad pointer or corrupted block header", p);
        return NULL;
    }
    uint32_t m = after(b)->magic;
    if (m != MAGIC_USED && m != MAGIC_FREE && m != MAGIC_END && m != MAGIC_QUICK) {
        fail(h, "block overrun: next block's header is corrupted", p);
        return NULL;
    }
    const unsigned char *bytes = p;
    for (size_t i = b->req; i < size - HDR; i++)
        if (bytes[i] != CANARY) {
            fail(h, "write past the end of a block", p);
            return NULL;
        }
    return b;
}

/* Returns used block b to the bins, coalescing with free neighbours. */
static void release(struct heap *h, struct heap_block *b)
{
    h->stats.bytes_in_use -= bsize(b);
    h->stats.live--;
    b->size &= ~(uint64_t)F_USED;
    if (h->poison)
        poison_range((char *)b + HDR, after(b));
    struct heap_block *next = after(b);
    if (next->magic == MAGIC_FREE) {
        bin_remove(h, next);
        b->size += bsize(next);
        if (h->poison)
            poison_range(next, (char *)next + 32);
    }
    if (!(b->size & F_PREV_USED)) {
        struct heap_block *prev = (struct heap_block *)((char *)b - ((uint64_t *)b)[-1]);
        if (prev->magic != MAGIC_FREE) {
            fail(h, "corrupted free block before a freed block", (char *)b + HDR);
            return;
        }
        bin_remove(h, prev);
        prev->size += bsize(b);
        if (h->poison)
            poison_range((char *)b - 8, (char *)b + 32);
        b = prev;
    }
    after(b)->size &= ~(uint64_t)F_PREV_USED;
    bin_insert(h, b);
}

void heap_free(struct heap *h, void *p)
{
    if (!p)
        return;
    struct heap_block *b = checked(h, p);
    if (!b)
        return;
    if (b->magic == MAGIC_BIG) {
        size_t bytes = bsize(b);
        h->stats.bytes_in_use -= bytes;
        h->stats.big_bytes -= bytes;
        h->stats.live--;
        b->magic = MAGIC_FREE;
        h->ops.big_free(h->ops.ctx, b, bytes);
        return;
    }
    size_t size = bsize(b);
    if (size <= HEAP_QUICK_MAX && h->quick_len[size / 16] < HEAP_QUICK_DEPTH) {
        h->stats.bytes_in_use -= size;
        h->stats.live--;
        b->magic = MAGIC_QUICK;
        if (h->poison)
            poison_range((char *)b + 24, after(b));
        b->next = h->quick[size / 16];
        h->quick[size / 16] = b;
        h->quick_len[size / 16]++;
        return;
    }
    release(h, b);
}

void heap_flush_quick(struct heap *h)
{
    for (unsigned c = 0; c <= HEAP_QUICK_MAX / 16; c++) {
        while (h->quick[c]) {
            struct heap_block *b = h->quick[c];
            h->quick[c] = b->next;
            /* release() expects a used block and its accounting. */
            b->magic = MAGIC_USED;
            h->stats.bytes_in_use += bsize(b);
            h->stats.live++;
            release(h, b);
        }
        h->quick_len[c] = 0;
    }
}

size_t heap_usable_size(struct heap *h, const void *p)
{
    (void)h;
    const struct heap_block *b = (const struct heap_block *)((const char *)p - HDR);
    return bsize(b) - HDR;
}

static void copy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--)
        *d++ = *s++;
}

/* Tries to make used block b hold `size` bytes without moving it. */
static bool resize_in_place(struct heap *h, struct heap_block *b, size_t size)
{
    size_t asize = adjusted(size);
    size_t old = bsize(b);
    if (asize > old) {
        struct heap_block *next = after(b);
        if (next->magic != MAGIC_FREE || old + bsize(next) < asize)
            return false;
        bin_remove(h, next);
        b->size += bsize(next);
        after(b)->size |= F_PREV_USED;
    }
    h->stats.bytes_in_use -= old;
    h->stats.live--;
    if (bsize(b) - asize >= MIN_BLOCK) {
        /* Give the tail back: as a used block released through the normal path. */
        struct heap_block *tail = (struct heap_block *)((char *)b + asize);
        tail->size = (bsize(b) - asize) | F_USED | F_PREV_USED;
        tail->magic = MAGIC_USED;
        b->size = asize | (b->size & F_MASK);
        h->stats.bytes_in_use += bsize(tail);
        h->stats.live++;
        release(h, tail);
    }
    mark_used(h, b, size);
    return true;
}

void *heap_realloc(struct heap *h, void *p, size_t size)
{
    if (!p)
        return heap_alloc(h, size);
    if (size == 0) {
        heap_free(h, p);
        return NULL;
    }
    struct heap_block *b = checked(h, p);
    if (!b)
        return NULL;
    size_t have;
    if (b->magic == MAGIC_BIG) {
        have = bsize(b) - HDR;
        if (size <= have && size > HEAP_BIG_MIN)
            return p;
    } else {
        have = b->req;
        if (size <= HEAP_BIG_MIN && resize_in_place(h, b, size))
            return p;
    }
    void *n = heap_alloc(h, size);
    if (!n)
        return NULL;
    copy(n, p, have < size ? have : size);
    heap_free(h, p);
    return n;
}

const char *heap_check(struct heap *h)
{
    size_t free_blocks = 0, used_bytes = 0, live = 0, quick_blocks = 0;
    for (struct heap_arena *a = h->arenas; a; a = a->next) {
        struct heap_block *b = (struct heap_block *)((char *)a + HDR);
        bool prev_used = true;
        for (;;) {
            if (b->magic == MAGIC_END)
                break;
            if (bsize(b) < MIN_BLOCK || (char *)after(b) > (char *)a + a->size - HDR)
                return "block size out of its arena";
            if (!!(b->size & F_PREV_USED) != prev_used)
                return "PREV_USED flag disagrees with the previous block";
            if (b->magic == MAGIC_FREE) {
                if (b->size & F_USED)
                    return "free block marked used";
                if (!prev_used)
                    return "two adjacent free blocks";
                if (((uint64_t *)after(b))[-1] != bsize(b))
                    return "free block footer wrong";
                if (h->poison && !poison_intact((char *)b + 32, (char *)after(b) - 8))
                    return "poison of a free block disturbed";
                free_blocks++;
                prev_used = false;
            } else if (b->magic == MAGIC_QUICK) {
                if (!(b->size & F_USED))
                    return "quick-list block not marked used";
                if (h->poison && !poison_intact((char *)b + 24, after(b)))
                    return "poison of a quick-list block disturbed";
                quick_blocks++;
                prev_used = true;
            } else if (b->magic == MAGIC_USED) {
                if (!(b->size & F_USED))
                    return "used block not marked used";
                used_bytes += bsize(b);
                live++;
                prev_used = true;
            } else {
                return "bad block magic";
            }
            b = after(b);
        }
        if ((char *)b != (char *)a + a->size - HDR)
            return "epilogue misplaced";
        if (!!(b->size & F_PREV_USED) != prev_used)
            return "epilogue PREV_USED flag wrong";
    }
    size_t listed = 0;
    for (unsigned i = 0; i < HEAP_NBINS; i++) {
        if (!!h->bins[i] != !!(h->binmap[i / 64] & (1ull << (i % 64))))
            return "bin bitmap disagrees with bin";
        for (struct heap_block *b = h->bins[i]; b; b = b->next) {
            if (b->magic != MAGIC_FREE || bin_of(bsize(b)) != i)
                return "block in the wrong bin";
            if (b->next && b->next->prev != b)
                return "free list links broken";
            listed++;
        }
    }
    if (listed != free_blocks)
        return "free lists and arenas disagree";
    size_t quick_listed = 0;
    for (unsigned c = 0; c <= HEAP_QUICK_MAX / 16; c++) {
        size_t n = 0;
        for (struct heap_block *b = h->quick[c]; b; b = b->next, n++)
            if (b->magic != MAGIC_QUICK || bsize(b) != c * 16)
                return "block on the wrong quick list";
        if (n != h->quick_len[c])
            return "quick list length wrong";
        quick_listed += n;
    }
    if (quick_listed != quick_blocks)
        return "quick lists and arenas disagree";
    if (used_bytes + h->stats.big_bytes != h->stats.bytes_in_use)
        return "bytes_in_use disagrees with the arenas";
    (void)live;
    return NULL;
}
