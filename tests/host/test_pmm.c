/*
 * Host tests of the PMM's bitmap logic (kernel/mm/frame_bitmap.c): random
 * alloc/free/contiguous sequences checked against a one-byte-per-frame
 * reference model, reservation bookkeeping, exhaustion, and the errors the
 * kernel turns into panics (double free, reserved frame, out of range).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host_test.h"
#include "mm/frame_bitmap.h"

enum { M_RESERVED, M_FREE, M_USED };

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

struct fixture {
    struct frame_bitmap b;
    uint64_t *used, *usable;
    unsigned char *model;
    uint64_t n;
};

/* A bitmap of n frames: usable in a few ranges, with reserved holes punched in. */
static void setup(struct fixture *f, uint64_t n)
{
    f->n = n;
    uint64_t w = frame_bitmap_words(n);
    f->used = calloc(w, 8);
    f->usable = calloc(w, 8);
    f->model = calloc(n, 1);
    frame_bitmap_init(&f->b, f->used, f->usable, n);
    uint64_t ranges[][2] = {{256, n / 2}, {n / 2 + 100, n}};
    for (int r = 0; r < 2; r++) {
        frame_bitmap_release(&f->b, ranges[r][0], ranges[r][1] - ranges[r][0]);
        memset(f->model + ranges[r][0], M_FREE, ranges[r][1] - ranges[r][0]);
    }
    uint64_t holes[][2] = {{300, 17}, {1000, 64}, {n - 5, 100 /* clipped */}};
    for (int r = 0; r < 3; r++) {
        frame_bitmap_reserve(&f->b, holes[r][0], holes[r][1]);
        for (uint64_t i = holes[r][0]; i < holes[r][0] + holes[r][1] && i < n; i++)
            f->model[i] = M_RESERVED;
    }
}

static void teardown(struct fixture *f)
{
    free(f->used);
    free(f->usable);
    free(f->model);
}

static uint64_t model_count(const struct fixture *f, int state)
{
    uint64_t c = 0;
    for (uint64_t i = 0; i < f->n; i++)
        c += f->model[i] == state;
    return c;
}

static int model_agrees(const struct fixture *f)
{
    for (uint64_t i = 0; i < f->n; i++)
        if (frame_bitmap_is_used(&f->b, i) != (f->model[i] != M_FREE))
            return 0;
    return f->b.free == model_count(f, M_FREE) && f->b.total == f->n - model_count(f, M_RESERVED);
}

static void random_sequence(uint64_t n, int steps)
{
    struct fixture f;
    setup(&f, n);
    HT_CHECK(model_agrees(&f), "initial state disagrees with the model");
    uint64_t *live = malloc(n * sizeof *live);
    uint64_t nlive = 0;
    for (int s = 0; s < steps; s++) {
        unsigned op = rng() % 10;
        if (op < 4) {
            uint64_t i = frame_bitmap_alloc(&f.b);
            if (i == FRAME_NONE) {
                HT_CHECK(model_count(&f, M_FREE) == 0, "alloc failed with free frames left");
                continue;
            }
            HT_CHECK(i < n && f.model[i] == M_FREE, "step %d: alloc returned frame %lu in state %d", s,
                     (unsigned long)i, i < n ? f.model[i] : -1);
            f.model[i] = M_USED;
            live[nlive++] = i;
        } else if (op < 5) {
            uint64_t count = 1 + rng() % 40, align = 1ull << (rng() % 7);
            uint64_t i = frame_bitmap_alloc_contig(&f.b, count, align);
            if (i == FRAME_NONE)
                continue;
            HT_CHECK(i % align == 0, "contiguous run misaligned");
            for (uint64_t k = i; k < i + count; k++) {
                HT_CHECK(k < n && f.model[k] == M_FREE, "contiguous run overlaps a used frame");
                f.model[k] = M_USED;
                live[nlive++] = k;
            }
        } else if (nlive) {
            uint64_t j = rng() % nlive;
            uint64_t i = live[j];
            live[j] = live[--nlive];
            HT_CHECK(frame_bitmap_free(&f.b, i) == FRAME_OK, "free of a live frame failed");
            f.model[i] = M_FREE;
            if (rng() % 8 == 0)
                HT_CHECK(frame_bitmap_free(&f.b, i) == FRAME_DOUBLE_FREE, "double free not detected");
        }
        if (s % 512 == 0)
            HT_CHECK(model_agrees(&f), "step %d: bitmap and model disagree", s);
    }
    HT_CHECK(model_agrees(&f), "final state disagrees");
    while (nlive)
        frame_bitmap_free(&f.b, live[--nlive]);
    HT_CHECK(f.b.free == f.b.total, "free count not back to total after freeing everything");
    free(live);
    teardown(&f);
}

int main(void)
{
    HT_BEGIN("pmm");

    HT_CASE("random_vs_model")
    {
        random_sequence(5000, 40000);
    }
    HT_CASE("random_vs_model_word_multiple")
    {
        random_sequence(4096, 20000);
    }

    HT_CASE("exhaust_and_refill")
    {
        struct fixture f;
        setup(&f, 3000);
        uint64_t free0 = f.b.free, got = 0;
        while (frame_bitmap_alloc(&f.b) != FRAME_NONE)
            got++;
        HT_CHECK(got == free0, "allocated %lu of %lu free frames", (unsigned long)got, (unsigned long)free0);
        HT_CHECK(f.b.free == 0 && frame_bitmap_alloc_contig(&f.b, 1, 1) == FRAME_NONE, "not empty after exhaustion");
        for (uint64_t i = 0; i < f.n; i++)
            if (f.model[i] == M_FREE)
                HT_CHECK(frame_bitmap_free(&f.b, i) == FRAME_OK, "refill free failed");
        HT_CHECK(f.b.free == free0, "free count not restored");
        teardown(&f);
    }

    HT_CASE("errors_change_nothing")
    {
        struct fixture f;
        setup(&f, 3000);
        uint64_t free0 = f.b.free;
        HT_CHECK(frame_bitmap_free(&f.b, 3000) == FRAME_OUT_OF_RANGE, "out of range not detected");
        HT_CHECK(frame_bitmap_free(&f.b, 10) == FRAME_RESERVED, "low reserved frame freed");
        HT_CHECK(frame_bitmap_free(&f.b, 305) == FRAME_RESERVED, "reserved hole freed");
        HT_CHECK(frame_bitmap_free(&f.b, 2000) == FRAME_DOUBLE_FREE, "free of a free frame not detected");
        uint64_t i = frame_bitmap_alloc_contig(&f.b, 8, 8);
        HT_CHECK(i != FRAME_NONE, "contiguous alloc failed");
        HT_CHECK(frame_bitmap_free(&f.b, i + 3) == FRAME_OK, "free inside a run failed");
        HT_CHECK(frame_bitmap_free_contig(&f.b, i, 8) == FRAME_DOUBLE_FREE, "partial double free not detected");
        HT_CHECK(frame_bitmap_is_used(&f.b, i) && frame_bitmap_is_used(&f.b, i + 7), "failed free_contig changed bits");
        HT_CHECK(frame_bitmap_free_contig(&f.b, 2990, 20) == FRAME_OUT_OF_RANGE, "run past the end accepted");
        HT_CHECK(f.b.free == free0 - 7, "counts moved on failed frees");
        teardown(&f);
    }

    HT_CASE("contiguous_alignment_and_holes")
    {
        struct fixture f;
        setup(&f, 4096);
        /* Holes at 300..316 and 1000..1063 leave the first fitting 700-frame run at 1064. */
        uint64_t i = frame_bitmap_alloc_contig(&f.b, 700, 1);
        HT_CHECK(i == 1064, "700-frame run at %lu, expected 1064", (unsigned long)i);
        for (uint64_t k = i; k < i + 700 && k < f.n; k++)
            HT_CHECK(f.model[k] == M_FREE, "run crosses a hole");
        uint64_t j = frame_bitmap_alloc_contig(&f.b, 1, 512);
        HT_CHECK(j != FRAME_NONE && j % 512 == 0 && f.model[j] == M_FREE, "512-aligned frame wrong");
        HT_CHECK(frame_bitmap_alloc_contig(&f.b, 5000, 1) == FRAME_NONE, "impossible run granted");
        HT_CHECK(frame_bitmap_alloc_contig(&f.b, 4, 3) == FRAME_NONE, "non-power-of-two alignment accepted");
        HT_CHECK(frame_bitmap_alloc_contig(&f.b, 0, 1) == FRAME_NONE, "empty run granted");
        teardown(&f);
    }

    HT_CASE("no_usable_map_means_all_owned")
    {
        uint64_t words[4];
        struct frame_bitmap b;
        frame_bitmap_init(&b, words, NULL, 200);
        HT_CHECK(b.free == 200 && b.total == 200, "counts wrong without a usable map");
        uint64_t got = 0;
        while (frame_bitmap_alloc(&b) != FRAME_NONE)
            got++;
        HT_CHECK(got == 200, "allocated %lu of 200 (padding bits leaked?)", (unsigned long)got);
        HT_CHECK(frame_bitmap_free(&b, 199) == FRAME_OK && frame_bitmap_free(&b, 200) == FRAME_OUT_OF_RANGE,
                 "edges wrong");
    }
    return HT_END();
}
