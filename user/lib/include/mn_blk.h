/*
 * mn_blk: the client side of the block protocol (<mnos/block.h>), part of
 * libmnos. A session is a frame of 2^order pages shared with the driver:
 * the submission and completion rings at its start, then the data area
 * (from mn_blk_data_offset) where the device reads and writes directly.
 *
 *     struct mn_blk b;
 *     mn_blk_open(&b, mn_cap("blk"), 9, 64);            2 MiB, 64 ring entries
 *     uint64_t off = mn_blk_data_offset(&b);
 *     int r = mn_blk_io(&b, MN_BLK_OP_READ, lba, 8, off); 4 KiB at lba into the frame at off
 *     use mn_blk_buf(&b, off)...
 *     mn_blk_close(&b);
 *
 * For many requests in flight: mn_blk_queue each, mn_blk_submit(&b, n) to
 * hand them over and wait for n completions, mn_blk_complete to take them.
 * One thread per session at a time.
 */
#ifndef MN_BLK_H
#define MN_BLK_H

#include <mnos/block.h>
#include <stdbool.h>
#include <stdint.h>

struct mn_blk {
    uint32_t ep, frame;
    volatile uint8_t *va;
    unsigned order;
    uint64_t bytes;
    uint32_t entries;
    volatile struct mn_blk_ring *ring;
    volatile struct mn_blk_sqe *sq;
    volatile struct mn_blk_cqe *cq;
    uint32_t sq_tail, cq_head; /* this side's indices */
    uint64_t capacity; /* sectors */
    uint32_t flags, max_sectors; /* MN_BLK_F_*, sectors per request */
};

/*
 * Opens a session on block endpoint `ep` with a fresh frame of 2^order
 * pages and a ring of `entries` (a power of two up to MN_BLK_MAX_ENTRIES).
 * Returns MN_ERR_OK, MN_ERR_NO_MEMORY, or the driver's error (MN_ERR_DEAD
 * when it is gone).
 */
int mn_blk_open(struct mn_blk *b, uint32_t ep, unsigned order, uint32_t entries);

/* Waits until nothing is in flight, ends the session and frees the frame. MN_ERR_OK or the driver's error. */
int mn_blk_close(struct mn_blk *b);

/* The first byte of the data area (page aligned, after the rings), and a pointer into the frame. */
uint64_t mn_blk_data_offset(const struct mn_blk *b);
void *mn_blk_buf(const struct mn_blk *b, uint64_t offset);

/*
 * Writes a request into the submission ring (not yet seen by the driver).
 * Returns MN_ERR_OK, or MN_ERR_NO_SPACE when `entries` requests are queued
 * or uncollected already.
 */
int mn_blk_queue(struct mn_blk *b, uint8_t op, uint64_t lba, uint32_t count, uint64_t offset, uint64_t tag);

/*
 * Hands the queued requests to the driver and waits until `wait`
 * completions are ready (0: does not wait). Returns the completions
 * ready, or an error (MN_ERR_DEAD when the driver died).
 */
int64_t mn_blk_submit(struct mn_blk *b, uint32_t wait);

/* Takes the next completion into *c; false when there is none. */
bool mn_blk_complete(struct mn_blk *b, struct mn_blk_cqe *c);

/* One request, waited for: its result (MN_ERR_OK, a request error, or the call's error). */
int mn_blk_io(struct mn_blk *b, uint8_t op, uint64_t lba, uint32_t count, uint64_t offset);

/* The message-level calls: MN_BLK_INFO's (capacity, flags...) and any label (for tests); label result, data. */
int64_t mn_blk_call(uint32_t ep, uint64_t label, uint64_t data0, uint64_t out[3]);

#endif
