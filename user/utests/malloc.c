/*
 * A malloc-heavy program: thousands of blocks of many sizes, freed and
 * reallocated in a pseudo-random order, every byte checked against a
 * pattern derived from the block's id before it is freed or moved. The
 * heap starts with a 1 MiB first mapping and grows to tens of MiB.
 */
#include "stdlib.h"
#include "string.h"
#include "utest.h"

static const char *utest_name = "malloc";

#define BLOCKS 1000
#define ROUNDS 40000

static struct {
    uint8_t *p;
    size_t n;
    uint32_t id;
} b[BLOCKS];

static uint64_t rng = 0x243F6A8885A308D3ull;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static size_t pick_size(void)
{
    uint64_t r = next();
    switch (r % 8) {
    case 0: return 1 + r % 16;
    case 1:
    case 2:
    case 3: return 16 + r % 256;
    case 4:
    case 5: return 256 + r % 4096;
    case 6: return 4096 + r % 65536;
    default: return 65536 + r % (256u << 10);
    }
}

static void fill(int i)
{
    for (size_t k = 0; k < b[i].n; k++)
        b[i].p[k] = (uint8_t)(b[i].id * 31 + k);
}

static bool intact(int i, size_t upto)
{
    for (size_t k = 0; k < upto; k++)
        if (b[i].p[k] != (uint8_t)(b[i].id * 31 + k))
            return false;
    return true;
}

extern size_t mn_heap_initial;

int main(void)
{
    /* Regression (bug heap-initial-surplus): a first extension bigger than malloc's request must not break growth. */
    mn_heap_initial = 1u << 20;
    uint32_t ids = 1;
    size_t peak = 0, live = 0;
    for (int round = 0; round < ROUNDS; round++) {
        int i = (int)(next() % BLOCKS);
        if (!b[i].p) {
            size_t n = pick_size();
            b[i].p = (next() & 1) ? malloc(n) : calloc(1, n);
            CHECK(1, b[i].p != NULL && ((uintptr_t)b[i].p & 15) == 0);
            b[i].n = n;
            b[i].id = ids++;
            fill(i);
            live += n;
        } else if (next() % 3 == 0) {
            size_t n = pick_size();
            CHECK(2, intact(i, b[i].n));
            uint8_t *q = realloc(b[i].p, n);
            CHECK(3, q != NULL);
            b[i].p = q;
            CHECK(4, intact(i, n < b[i].n ? n : b[i].n)); /* the common part moved intact */
            live += n - b[i].n;
            b[i].n = n;
            fill(i);
        } else {
            CHECK(5, intact(i, b[i].n));
            free(b[i].p);
            live -= b[i].n;
            b[i].p = NULL;
        }
        if (live > peak)
            peak = live;
    }
    for (int i = 0; i < BLOCKS; i++) {
        if (b[i].p) {
            CHECK(6, intact(i, b[i].n));
            free(b[i].p);
        }
    }
    CHECK(7, calloc((size_t)1 << 62, 8) == NULL); /* overflow */
    struct mn_heap_stats hs;
    mn_heap_stats(&hs);
    printf("malloc: %d rounds, peak %zu KiB live; heap %zu KiB\n", ROUNDS, peak / 1024, hs.heap_size / 1024);
    CHECK(8, hs.allocations == 0 && hs.free_blocks == 0); /* everything merged back into the top */
    return 0;
}
