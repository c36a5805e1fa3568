/*
 * The block protocol: how a client reads and writes a block device that a
 * driver process serves (user/drivers/virtio_blk; docs/devices.md explains
 * the design and its limits).
 *
 * Endpoint and sessions. The client holds an Endpoint capability to the
 * driver, normally badged by whoever gave it (init: one badge per client).
 * The badge names the client's session, so no client can reach another's.
 * One session per badge; the driver serves a few sessions at once
 * (MN_BLK_MAX_SESSIONS).
 *
 * Bulk data never travels in registers. A session is a MemoryFrame the
 * client allocates (2^order contiguous pages) and sends the driver with
 * SEND_CAP; the driver maps it and has the device DMA straight into it
 * (FRAME_INFO gives it the physical address). The frame begins with a
 * submission/completion ring (struct mn_blk_ring, then the two entry
 * arrays); the rest holds the client's buffers. The client writes requests
 * (struct mn_blk_sqe: op, lba, count, the buffer's offset in the frame, its
 * own tag) into the submission ring, moves sq_tail, and CALLs
 * MN_BLK_SUBMIT: the driver takes every new request, hands it to the
 * device, and, if asked, keeps the call until completions are there
 * (struct mn_blk_cqe: tag, result), which it writes into the completion
 * ring. Any number of requests up to the ring size can be in flight per
 * call, so one thread drives a queue depth of 32 with one call per batch.
 * A client that waits does so inside a CALL: if the driver dies meanwhile
 * the call ends with MN_ERR_DEAD, never a hang.
 *
 * Messages (label = the operation; all are CALLs except MN_BLK_FRAME;
 * every reply's label is MN_ERR_OK or an MN_ERR_* code):
 *
 *   MN_BLK_INFO       -> data0 capacity in 512-byte sectors,
 *                        data1 MN_BLK_INFO_MAKE(flags, block shift, max sectors per request)
 *   MN_BLK_GEOMETRY   -> data0 MN_BLK_GEOMETRY_MAKE(cylinders, heads, sectors),
 *                        data1 MN_BLK_TOPOLOGY_MAKE(physical block exponent, alignment offset,
 *                        minimum I/O size, optimal I/O size) (0 when the device gave none)
 *   MN_BLK_FRAME      SEND_CAP with data0 = ring entries (a power of two, 1..MN_BLK_MAX_ENTRIES) and the
 *                        MemoryFrame (READ|WRITE); no reply (a send). Replaces a frame sent before
 *                        and not yet attached.
 *   MN_BLK_ATTACH     opens the session with the frame sent last: the driver maps it and resets the
 *                        ring indices it owns (sq_head, cq_tail) to 0 -> data0 ring entries.
 *                        MN_ERR_NOT_FOUND (no frame came), MN_ERR_BUSY (already attached),
 *                        MN_ERR_BAD_ARG (entries not a power of two in range, the frame too small for
 *                        its ring), MN_ERR_NO_SPACE (too many sessions), MN_ERR_NO_MEMORY
 *   MN_BLK_SUBMIT     data0 = completions to wait for (0: none) -> data0 requests taken,
 *                        data1 completions ready. Takes the new requests (sq_head .. the client's sq_tail)
 *                        and replies when at least data0 completions are ready in the ring, or when
 *                        nothing of the session is in flight any more. A request the driver cannot
 *                        take yet (the device queue is full) stays in the ring and is taken as soon
 *                        as room frees up. MN_ERR_NOT_FOUND (no session), MN_ERR_BAD_ARG (data0
 *                        above the ring size, or a submission ring whose tail is more than the ring
 *                        size ahead), MN_ERR_BUSY (another thread of the session waits already)
 *   MN_BLK_DETACH     waits until nothing of the session is in flight, then unmaps and drops its
 *                        frame. MN_ERR_NOT_FOUND (no session)
 *
 * Every call: MN_ERR_BAD_ARG for an unknown label.
 *
 * Request results (mn_blk_cqe.result):
 *   MN_ERR_OK            done: count sectors moved
 *   MN_ERR_BAD_ARG       unknown op, 0 sectors or more than max sectors, a buffer that is not 512-byte
 *                        aligned, leaves the frame or overlaps the ring, or a flush with an lba or count
 *   MN_ERR_OUT_OF_RANGE  lba + count past the end of the disk
 *   MN_ERR_NO_RIGHTS     a write to a read-only device
 *   MN_ERR_IO            the device reported an I/O error
 *   MN_ERR_UNSUPPORTED   the device does not support the operation
 *   MN_ERR_BAD_FORMAT    the device broke the virtio protocol for this request
 *   MN_ERR_DEAD          the device was reset (or failed) with the request in flight
 *
 * Memory ordering: the client fills an entry before it moves sq_tail
 * (release); the driver writes a completion before it moves cq_tail
 * (release). Ring indices run freely (wrap at 2^32); entry i lives at
 * i % entries. The driver keeps its own copies of sq_head and cq_tail and
 * trusts nothing the client writes: it copies each request once before
 * checking it. A client must not have more than `entries` requests
 * submitted and not yet taken out of the completion ring, or completions
 * overwrite each other (only its own).
 */
#ifndef MNOS_BLOCK_H
#define MNOS_BLOCK_H

#include <stddef.h>
#include <stdint.h>

#define MN_BLK_SECTOR 512u
#define MN_BLK_MAX_ENTRIES 256u
#define MN_BLK_MAX_SESSIONS 8u
#define MN_BLK_RING_MAGIC 0x4B4C424Du /* "MBLK" */

/* Message labels. */
#define MN_BLK_INFO 1
#define MN_BLK_GEOMETRY 2
#define MN_BLK_FRAME 3
#define MN_BLK_ATTACH 4
#define MN_BLK_SUBMIT 5
#define MN_BLK_DETACH 6

/* MN_BLK_INFO's data1: flags in bits 0-15, log2 of the logical block size in 16-23, max sectors in 32-63. */
#define MN_BLK_F_READ_ONLY 0x01u /* writes fail with MN_ERR_NO_RIGHTS */
#define MN_BLK_F_FLUSH 0x02u /* the device has a write cache: MN_BLK_OP_FLUSH makes writes durable */
#define MN_BLK_F_ATTACHED 0x04u /* the caller's badge has a session */
#define MN_BLK_F_GEOMETRY 0x08u /* MN_BLK_GEOMETRY's data0 is valid */
#define MN_BLK_F_TOPOLOGY 0x10u /* MN_BLK_GEOMETRY's data1 is valid */
#define MN_BLK_INFO_MAKE(flags, shift, max) \
    ((uint64_t)(flags)&0xFFFFu) | (((uint64_t)(shift)&0xFFu) << 16) | ((uint64_t)(uint32_t)(max) << 32)
#define MN_BLK_INFO_FLAGS(v) ((uint32_t)((v)&0xFFFFu))
#define MN_BLK_INFO_BLOCK_SHIFT(v) ((unsigned)(((v) >> 16) & 0xFFu))
#define MN_BLK_INFO_MAX_SECTORS(v) ((uint32_t)((v) >> 32))

#define MN_BLK_GEOMETRY_MAKE(cyl, heads, sectors) \
    ((uint64_t)(uint16_t)(cyl) | ((uint64_t)(uint8_t)(heads) << 16) | ((uint64_t)(uint8_t)(sectors) << 24))
#define MN_BLK_GEOMETRY_CYLINDERS(v) ((unsigned)((v)&0xFFFFu))
#define MN_BLK_GEOMETRY_HEADS(v) ((unsigned)(((v) >> 16) & 0xFFu))
#define MN_BLK_GEOMETRY_SECTORS(v) ((unsigned)(((v) >> 24) & 0xFFu))
#define MN_BLK_TOPOLOGY_MAKE(exp, align, min_io, opt_io) \
    ((uint64_t)(uint8_t)(exp) | ((uint64_t)(uint8_t)(align) << 8) | ((uint64_t)(uint16_t)(min_io) << 16) | \
     ((uint64_t)(uint32_t)(opt_io) << 32))

/* Request operations. */
#define MN_BLK_OP_READ 0 /* count sectors at lba into the buffer */
#define MN_BLK_OP_WRITE 1 /* count sectors from the buffer to lba */
#define MN_BLK_OP_FLUSH 2 /* writes completed before it are durable (lba, count 0; no buffer) */
#define MN_BLK_OP_ID 3 /* the device's serial (20 bytes, NUL-padded) into the buffer (count 1, lba 0) */
#define MN_BLK_ID_BYTES 20u

/* A request (32 bytes), written by the client. */
struct mn_blk_sqe {
    uint8_t op; /* MN_BLK_OP_* */
    uint8_t reserved[3];
    uint32_t count; /* sectors */
    uint64_t lba;
    uint64_t offset; /* byte offset of the buffer in the frame; 512-byte aligned */
    uint64_t tag; /* the client's, returned in the completion */
};

/* A completion (16 bytes), written by the driver. */
struct mn_blk_cqe {
    uint64_t tag;
    int32_t result; /* MN_ERR_OK or the error (see above) */
    uint32_t count; /* sectors moved: the request's count on success, else 0 */
};

/* The start of the frame: 64 bytes, then sq[entries], then cq[entries]. */
struct mn_blk_ring {
    uint32_t magic; /* MN_BLK_RING_MAGIC, written by the driver at attach */
    uint32_t entries; /* written by the driver at attach */
    uint32_t sq_tail; /* client: next request slot it will fill */
    uint32_t sq_head; /* driver: requests taken so far */
    uint32_t cq_tail; /* driver: completions written so far */
    uint32_t cq_head; /* client: completions it has consumed */
    uint32_t reserved[10];
};

_Static_assert(sizeof(struct mn_blk_sqe) == 32, "a request is 32 bytes");
_Static_assert(sizeof(struct mn_blk_cqe) == 16, "a completion is 16 bytes");
_Static_assert(sizeof(struct mn_blk_ring) == 64, "the ring header is 64 bytes");
_Static_assert(offsetof(struct mn_blk_sqe, lba) == 8 && offsetof(struct mn_blk_sqe, tag) == 24, "sqe layout");

/* Byte offsets of the two entry arrays, and the bytes of the ring: buffers start at or after it. */
#define MN_BLK_SQ_OFFSET 64u
#define MN_BLK_CQ_OFFSET(entries) (MN_BLK_SQ_OFFSET + 32u * (uint64_t)(entries))
#define MN_BLK_RING_BYTES(entries) (MN_BLK_CQ_OFFSET(entries) + 16u * (uint64_t)(entries))

#endif
