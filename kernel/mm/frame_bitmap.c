/* Bitmap allocator of fixed-size units (see frame_bitmap.h). */
#include "mm/frame_bitmap.h"

#define BIT(i) (1ull << ((i) % 64))

static inline bool test_bit(const uint64_t *a, uint64_t i)
{
    return a[i / 64] & BIT(i);
}

static inline bool owned(const struct frame_bitmap *b, uint64_t i)
{
    return !b->usable || test_bit(b->usable, i);
}

void frame_bitmap_init(struct frame_bitmap *b, uint64_t *used, uint64_t *usable, uint64_t nframes)
{
    b->used = used;
    b->usable = usable;
    b->nframes = nframes;
    b->nwords = frame_bitmap_words(nframes);
    b->hint = 0;
    for (uint64_t w = 0; w < b->nwords; w++) {
        used[w] = usable ? ~0ull : 0;
        if (usable)
            usable[w] = 0;
    }
    /* Bits past the end stay used forever, so scans never return them. */
    if (nframes % 64)
        used[b->nwords - 1] |= ~0ull << (nframes % 64);
    b->total = usable ? 0 : nframes;
    b->free = b->total;
}

static void clip(const struct frame_bitmap *b, uint64_t *first, uint64_t *count)
{
    if (*first >= b->nframes) {
        *count = 0;
        return;
    }
    if (*count > b->nframes - *first)
        *count = b->nframes - *first;
}

void frame_bitmap_release(struct frame_bitmap *b, uint64_t first, uint64_t count)
{
    clip(b, &first, &count);
    for (uint64_t i = first; i < first + count; i++) {
        if (b->usable && !test_bit(b->usable, i)) {
            b->usable[i / 64] |= BIT(i);
            b->total++;
        } else if (!test_bit(b->used, i)) {
            continue; /* already owned and free */
        }
        b->used[i / 64] &= ~BIT(i);
        b->free++;
    }
    b->hint = 0;
}

void frame_bitmap_reserve(struct frame_bitmap *b, uint64_t first, uint64_t count)
{
    clip(b, &first, &count);
    for (uint64_t i = first; i < first + count; i++) {
        if (owned(b, i)) {
            if (!test_bit(b->used, i))
                b->free--;
            if (b->usable) {
                b->usable[i / 64] &= ~BIT(i);
                b->total--;
            }
        }
        b->used[i / 64] |= BIT(i);
    }
}

uint64_t frame_bitmap_alloc(struct frame_bitmap *b)
{
    if (b->free == 0)
        return FRAME_NONE;
    for (uint64_t n = 0, w = b->hint; n < b->nwords; n++, w = (w + 1 == b->nwords) ? 0 : w + 1) {
        uint64_t word = b->used[w];
        if (word == ~0ull)
            continue; /* full: 64 units skipped with one compare */
        uint64_t i = w * 64 + (uint64_t)__builtin_ctzll(~word);
        b->used[w] = word | BIT(i);
        b->free--;
        b->hint = w;
        return i;
    }
    return FRAME_NONE;
}

/* First free unit in [from, nframes), or nframes. */
static uint64_t next_free(const struct frame_bitmap *b, uint64_t from)
{
    while (from < b->nframes) {
        uint64_t word = ~b->used[from / 64] & (~0ull << (from % 64));
        if (word)
            return from / 64 * 64 + (uint64_t)__builtin_ctzll(word);
        from = (from / 64 + 1) * 64;
    }
    return b->nframes;
}

/* First used unit in [from, to), or `to`. */
static uint64_t next_used(const struct frame_bitmap *b, uint64_t from, uint64_t to)
{
    while (from < to) {
        uint64_t word = b->used[from / 64] & (~0ull << (from % 64));
        if (word) {
            uint64_t i = from / 64 * 64 + (uint64_t)__builtin_ctzll(word);
            return i < to ? i : to;
        }
        from = (from / 64 + 1) * 64;
    }
    return to;
}

uint64_t frame_bitmap_alloc_contig(struct frame_bitmap *b, uint64_t count, uint64_t align)
{
    if (count == 0 || count > b->free)
        return FRAME_NONE;
    if (align == 0)
        align = 1;
    if (align & (align - 1))
        return FRAME_NONE;
    uint64_t i = 0;
    for (;;) {
        i = next_free(b, i);
        i = (i + align - 1) & ~(align - 1);
        if (i >= b->nframes || count > b->nframes - i)
            return FRAME_NONE;
        uint64_t u = next_used(b, i, i + count);
        if (u == i + count)
            break;
        i = u + 1;
    }
    for (uint64_t j = i; j < i + count; j++)
        b->used[j / 64] |= BIT(j);
    b->free -= count;
    return i;
}

static int check_free(const struct frame_bitmap *b, uint64_t frame)
{
    if (frame >= b->nframes)
        return FRAME_OUT_OF_RANGE;
    if (!owned(b, frame))
        return FRAME_RESERVED;
    if (!test_bit(b->used, frame))
        return FRAME_DOUBLE_FREE;
    return FRAME_OK;
}

int frame_bitmap_free(struct frame_bitmap *b, uint64_t frame)
{
    int err = check_free(b, frame);
    if (err)
        return err;
    b->used[frame / 64] &= ~BIT(frame);
    b->free++;
    if (frame / 64 < b->hint)
        b->hint = frame / 64;
    return FRAME_OK;
}

int frame_bitmap_free_contig(struct frame_bitmap *b, uint64_t first, uint64_t count)
{
    if (first >= b->nframes || count > b->nframes - first)
        return FRAME_OUT_OF_RANGE;
    for (uint64_t i = first; i < first + count; i++) {
        int err = check_free(b, i);
        if (err)
            return err;
    }
    for (uint64_t i = first; i < first + count; i++)
        b->used[i / 64] &= ~BIT(i);
    b->free += count;
    if (count && first / 64 < b->hint)
        b->hint = first / 64;
    return FRAME_OK;
}

bool frame_bitmap_is_used(const struct frame_bitmap *b, uint64_t frame)
{
    return frame >= b->nframes || test_bit(b->used, frame);
}
