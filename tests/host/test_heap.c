/*
 * Host tests of the kernel heap allocator (kernel/mm/heap_core.c): random
 * alloc/free/realloc sequences checked against a model of what every live
 * block must contain, with the invariant walker after each phase, and the
 * misuse the kernel turns into panics (double free, overrun, use after
 * free, bad pointers) reported through the fail hook.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host_test.h"
#include "mm/heap_core.h"

static int fails;
static const char *last_fail;
static size_t arenas_taken;
static void *arena_list[4096];
static size_t big_live;

static void *t_grow(void *ctx, size_t bytes)
{
    (void)ctx;
    if (arenas_taken == sizeof arena_list / sizeof arena_list[0])
        return NULL;
    void *p = aligned_alloc(4096, bytes);
    arena_list[arenas_taken++] = p;
    return p;
}

static void *t_big_alloc(void *ctx, size_t bytes)
{
    (void)ctx;
    big_live++;
    return aligned_alloc(16, (bytes + 15) & ~(size_t)15);
}

static void t_big_free(void *ctx, void *p, size_t bytes)
{
    (void)ctx;
    (void)bytes;
    big_live--;
    free(p);
}

static void t_fail(void *ctx, const char *what, const void *ptr)
{
    (void)ctx;
    (void)ptr;
    fails++;
    last_fail = what;
}

static const struct heap_ops ops = {t_grow, t_big_alloc, t_big_free, t_fail, NULL};

static void release_arenas(void)
{
    for (size_t i = 0; i < arenas_taken; i++)
        free(arena_list[i]);
    arenas_taken = 0;
}

static uint64_t rng_state = 88172645463325252ull;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static size_t random_size(void)
{
    unsigned r = rng() % 100;
    if (r < 50)
        return rng() % 64;
    if (r < 85)
        return rng() % 1024;
    if (r < 97)
        return rng() % 9000;
    return HEAP_BIG_MIN + rng() % 100000;
}

enum { SLOTS = 512 };
static struct {
    unsigned char *p;
    size_t size;
    unsigned char seed;
} slot[SLOTS];

static int contents_ok(int i, size_t upto)
{
    for (size_t k = 0; k < upto && k < slot[i].size; k++)
        if (slot[i].p[k] != (unsigned char)(slot[i].seed + k * 7))
            return 0;
    return 1;
}

static void fill(int i)
{
    slot[i].seed = (unsigned char)rng();
    for (size_t k = 0; k < slot[i].size; k++)
        slot[i].p[k] = (unsigned char)(slot[i].seed + k * 7);
}

static void random_run(struct heap *h, int ops_count, int poison)
{
    heap_init(h, &ops, 64 * 1024, poison);
    memset(slot, 0, sizeof slot);
    for (int op = 0; op < ops_count; op++) {
        int i = (int)(rng() % SLOTS);
        unsigned what = rng() % 3;
        if (slot[i].p && !contents_ok(i, SIZE_MAX)) {
            HT_CHECK(0, "op %d: slot %d contents changed", op, i);
            return;
        }
        if (what == 0) {
            heap_free(h, slot[i].p);
            slot[i].p = NULL;
            slot[i].size = 0;
        } else if (what == 1) {
            size_t size = random_size();
            unsigned char *n = heap_realloc(h, slot[i].p, size);
            if (size == 0 && slot[i].p) {
                HT_CHECK(n == NULL, "realloc to 0 returned a block");
                slot[i].p = NULL;
                slot[i].size = 0;
                continue;
            }
            HT_CHECK(n != NULL, "realloc failed");
            HT_CHECK((uintptr_t)n % 16 == 0, "realloc result misaligned");
            size_t keep = size < slot[i].size ? size : slot[i].size;
            for (size_t k = 0; k < keep; k++)
                if (n[k] != (unsigned char)(slot[i].seed + k * 7)) {
                    HT_CHECK(0, "op %d: realloc lost contents at %zu", op, k);
                    return;
                }
            slot[i].p = n;
            slot[i].size = size;
            fill(i);
        } else {
            heap_free(h, slot[i].p);
            slot[i].size = random_size();
            slot[i].p = heap_alloc(h, slot[i].size);
            HT_CHECK(slot[i].p != NULL, "alloc failed");
            HT_CHECK((uintptr_t)slot[i].p % 16 == 0, "alloc misaligned");
            HT_CHECK(heap_usable_size(h, slot[i].p) >= slot[i].size, "usable size below the request");
            fill(i);
        }
        if (op % 997 == 0) {
            const char *err = heap_check(h);
            HT_CHECK(!err, "op %d: %s", op, err ? err : "");
            if (err)
                return;
        }
    }
    size_t live = 0;
    for (int i = 0; i < SLOTS; i++)
        live += slot[i].p != NULL;
    HT_CHECK(h->stats.live == live, "live count %zu, model %zu", h->stats.live, live);
    for (int i = 0; i < SLOTS; i++) {
        HT_CHECK(contents_ok(i, SIZE_MAX), "slot %d contents changed at the end", i);
        heap_free(h, slot[i].p);
        slot[i].p = NULL;
    }
    const char *err = heap_check(h);
    HT_CHECK(!err, "after freeing all: %s", err ? err : "");
    HT_CHECK(h->stats.bytes_in_use == 0 && h->stats.live == 0, "usage not back to zero (%zu bytes)",
             h->stats.bytes_in_use);
    HT_CHECK(big_live == 0, "large blocks not returned");
    HT_CHECK(fails == 0, "unexpected failure report: %s", last_fail ? last_fail : "");
    /* Once the quick lists are flushed, everything coalesces: each arena is one free block again. */
    heap_flush_quick(h);
    err = heap_check(h);
    HT_CHECK(!err, "after flushing the quick lists: %s", err ? err : "");
    size_t free_blocks = 0;
    for (int b = 0; b < HEAP_NBINS; b++)
        for (struct heap_block *x = h->bins[b]; x; x = *(struct heap_block **)((char *)x + 16))
            free_blocks++;
    HT_CHECK(free_blocks == arenas_taken, "%zu free blocks in %zu arenas: coalescing incomplete", free_blocks,
             arenas_taken);
}

int main(void)
{
    HT_BEGIN("heap");
    struct heap h;

    HT_CASE("random_poisoned")
    {
        random_run(&h, 200000, 1);
    }
    release_arenas();
    HT_CASE("random_plain")
    {
        random_run(&h, 100000, 0);
    }
    release_arenas();

    HT_CASE("alignment_and_sizes")
    {
        heap_init(&h, &ops, 64 * 1024, 1);
        void *z = heap_alloc(&h, 0);
        HT_CHECK(z && (uintptr_t)z % 16 == 0, "zero-size alloc");
        for (size_t s = 1; s < 5000; s += 37) {
            void *p = heap_alloc(&h, s);
            HT_CHECK(p && (uintptr_t)p % 16 == 0, "size %zu misaligned", s);
            memset(p, 0xEE, s);
            heap_free(&h, p);
        }
        heap_free(&h, z);
        heap_free(&h, NULL);
        HT_CHECK(h.stats.bytes_in_use == 0 && !heap_check(&h) && fails == 0, "state after alignment run");
    }
    release_arenas();

    HT_CASE("coalescing_reuses_space")
    {
        heap_init(&h, &ops, 64 * 1024, 1);
        void *a = heap_alloc(&h, 1000), *b = heap_alloc(&h, 1000), *c = heap_alloc(&h, 1000);
        heap_free(&h, a);
        heap_free(&h, c);
        heap_free(&h, b); /* merges with both neighbours */
        void *big = heap_alloc(&h, 2900);
        HT_CHECK(big == a, "three freed neighbours not coalesced into one block");
        heap_free(&h, big);
        HT_CHECK(arenas_taken == 1 && !heap_check(&h), "more than one arena or broken heap");
    }
    release_arenas();

    HT_CASE("realloc_in_place")
    {
        heap_init(&h, &ops, 64 * 1024, 1);
        char *p = heap_alloc(&h, 100);
        memset(p, 'x', 100);
        char *q = heap_realloc(&h, p, 2000); /* the rest of the arena follows: grows in place */
        HT_CHECK(q == p, "realloc into the following free block moved the block");
        char *r = heap_realloc(&h, q, 50);
        HT_CHECK(r == p && r[49] == 'x', "shrinking moved the block or lost data");
        heap_free(&h, r);
        HT_CHECK(!heap_check(&h) && h.stats.bytes_in_use == 0, "state after realloc");
    }
    release_arenas();

    HT_CASE("double_free_detected")
    {
        heap_init(&h, &ops, 64 * 1024, 1);
        void *a = heap_alloc(&h, 40), *b = heap_alloc(&h, 40);
        heap_free(&h, a);
        fails = 0;
        heap_free(&h, a);
        HT_CHECK(fails == 1 && strstr(last_fail, "double free"), "double free not reported");
        HT_CHECK(!heap_check(&h), "double free corrupted the heap");
        heap_free(&h, b);
        /* Blocks too big for the quick lists coalesce; a merged block's header is poison. */
        void *c = heap_alloc(&h, 400), *d = heap_alloc(&h, 400), *e = heap_alloc(&h, 400);
        heap_free(&h, c);
        heap_free(&h, d); /* merges into c's block */
        heap_free(&h, d);
        HT_CHECK(fails == 2 && strstr(last_fail, "double free"), "double free of a merged block not reported");
        heap_free(&h, e);
        HT_CHECK(!heap_check(&h) && h.stats.live == 0, "state after double free");
    }
    release_arenas();
    fails = 0;

    HT_CASE("overrun_detected")
    {
        heap_init(&h, &ops, 64 * 1024, 1);
        char *a = heap_alloc(&h, 20);
        a[20] = 'X'; /* one past the end: inside the block's canary */
        heap_free(&h, a);
        HT_CHECK(fails == 1 && strstr(last_fail, "past the end"), "overrun not reported");
        fails = 0;
        char *b = heap_alloc(&h, 32);
        char *c = heap_alloc(&h, 32);
        memset(b, 0, 48); /* over c's header */
        heap_free(&h, c);
        HT_CHECK(fails >= 1, "smashed header not reported");
    }
    release_arenas();
    fails = 0;

    HT_CASE("use_after_free_detected")
    {
        heap_init(&h, &ops, 64 * 1024, 1);
        char *a = heap_alloc(&h, 200);
        heap_alloc(&h, 16); /* keeps a from merging into the arena's remainder */
        heap_free(&h, a);
        a[100] = 1; /* write after free */
        void *again = heap_alloc(&h, 200);
        HT_CHECK(again == NULL && fails == 1 && strstr(last_fail, "after free"), "use after free not reported");
    }
    release_arenas();
    fails = 0;

    HT_CASE("bad_pointers_detected")
    {
        heap_init(&h, &ops, 64 * 1024, 1);
        char *a = heap_alloc(&h, 64);
        heap_free(&h, a + 8);
        HT_CHECK(fails == 1, "misaligned pointer not reported");
        heap_free(&h, a + 16);
        HT_CHECK(fails == 2, "interior pointer not reported");
        heap_free(&h, a);
        HT_CHECK(fails == 2 && !heap_check(&h), "valid free after bad ones failed");
    }
    release_arenas();
    fails = 0;

    HT_CASE("quick_lists_reuse_and_check")
    {
        heap_init(&h, &ops, 64 * 1024, 1);
        void *a = heap_alloc(&h, 32);
        heap_free(&h, a);
        HT_CHECK(heap_alloc(&h, 30) == a, "a freed small block was not reused first");
        void *many[40];
        for (int i = 0; i < 40; i++)
            many[i] = heap_alloc(&h, 100);
        for (int i = 0; i < 40; i++)
            heap_free(&h, many[i]); /* HEAP_QUICK_DEPTH go to the quick list, the rest coalesce */
        HT_CHECK(h.quick_len[128 / 16] == HEAP_QUICK_DEPTH, "quick list depth not bounded");
        HT_CHECK(!heap_check(&h), "heap inconsistent with full quick lists");
        heap_free(&h, a);
        heap_flush_quick(&h);
        HT_CHECK(!heap_check(&h) && h.stats.bytes_in_use == 0, "state after flush");
        HT_CHECK(fails == 0, "unexpected failure report");
    }
    release_arenas();

    HT_CASE("out_of_memory")
    {
        heap_init(&h, &ops, 64 * 1024, 1);
        size_t saved = arenas_taken;
        arenas_taken = sizeof arena_list / sizeof arena_list[0]; /* grow now fails */
        HT_CHECK(heap_alloc(&h, 100) == NULL, "alloc without arenas succeeded");
        arenas_taken = saved;
        void *p = heap_alloc(&h, 100);
        HT_CHECK(p != NULL, "alloc after memory came back failed");
        heap_free(&h, p);
    }
    release_arenas();
    return HT_END();
}
