/*
 * A bitmap allocator of fixed-size units, one bit per unit, scanned 64 units
 * at a time. The PMM uses it for 4 KiB physical frames and the kernel's
 * virtual-area allocator for pages of kernel address space. It has no
 * hardware dependencies, takes no locks and never panics: errors come back as
 * status codes, so the host tests can drive it directly.
 *
 * Two bit arrays: `used` (set = allocated or reserved) and, optionally,
 * `usable` (set = the allocator owns the unit; NULL = every unit in range is
 * owned). Freeing a unit that is not owned, not allocated, or out of range is
 * an error the caller turns into a panic.
 */
#ifndef MM_FRAME_BITMAP_H
#define MM_FRAME_BITMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAME_NONE UINT64_MAX

enum frame_status {
    FRAME_OK = 0,
    FRAME_OUT_OF_RANGE = -1, /* past the end of the bitmap */
    FRAME_RESERVED = -2, /* not a unit the allocator owns */
    FRAME_DOUBLE_FREE = -3, /* owned but already free */
};

struct frame_bitmap {
    uint64_t *used;
    uint64_t *usable; /* may be NULL */
    uint64_t nframes;
    uint64_t nwords;
    uint64_t free; /* owned and not used */
    uint64_t total; /* owned */
    uint64_t hint; /* word where the single-unit search starts */
};

/* Number of 64-bit words one bit array needs for `nframes` units. */
static inline uint64_t frame_bitmap_words(uint64_t nframes)
{
    return (nframes + 63) / 64;
}

/*
 * Sets up `b` over caller-provided arrays of frame_bitmap_words(nframes)
 * words each. Every unit starts used and (with `usable`) not owned; call
 * frame_bitmap_release() for the units the allocator may hand out. Without
 * `usable`, every unit is owned and starts free.
 */
void frame_bitmap_init(struct frame_bitmap *b, uint64_t *used, uint64_t *usable, uint64_t nframes);

/* Init time: units [first, first+count) become owned and free (clipped to the bitmap). */
void frame_bitmap_release(struct frame_bitmap *b, uint64_t first, uint64_t count);

/* Init time: units [first, first+count) become not owned and used (clipped). */
void frame_bitmap_reserve(struct frame_bitmap *b, uint64_t first, uint64_t count);

/* Allocates the lowest free unit at or after the search hint; FRAME_NONE when full. */
uint64_t frame_bitmap_alloc(struct frame_bitmap *b);

/*
 * Allocates `count` consecutive free units whose first index is a multiple of
 * `align` (a power of two, 0 or 1 = no constraint). Returns the first index or
 * FRAME_NONE when no such run exists (or count is 0).
 */
uint64_t frame_bitmap_alloc_contig(struct frame_bitmap *b, uint64_t count, uint64_t align);

/* Frees one unit; FRAME_OK or the error, in which case nothing changed. */
int frame_bitmap_free(struct frame_bitmap *b, uint64_t frame);

/* Frees a run; checks every unit first, so on error nothing changed. */
int frame_bitmap_free_contig(struct frame_bitmap *b, uint64_t first, uint64_t count);

/* True if the unit is allocated or reserved (or out of range). */
bool frame_bitmap_is_used(const struct frame_bitmap *b, uint64_t frame);

#endif
