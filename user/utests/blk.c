/*
 * The block protocol against the virtio-blk driver, on a disk the harness
 * stamped (blk_pattern.h): the device's size and identity; every sector
 * read (64 KiB requests, 16 in flight) and checked; 300 sectors rewritten
 * in requests of several sizes, flushed, read back (and their neighbours
 * unchanged); 32 random 4 KiB reads in flight at once; each request error
 * (past the end, zero or too many sectors, misaligned or out-of-frame
 * buffers, unknown operations, a bad flush) and each call error; and a second
 * client's session kept apart from the first (blk_leak checks the frames). Capabilities: "blk" and "blk2" (two badged
 * copies of the driver's endpoint), the console and an allocator. After it exits the harness checks the image on the
 * host byte for byte.
 */
#include "blk_pattern.h"
#include "mn_blk.h"
#include "string.h"
#include "utest.h"

static const char *utest_name = "blk";

#define ORDER 9 /* a 2 MiB frame */
#define ENTRIES 64
#define CHUNK 128 /* sectors per read: 64 KiB */
#define INFLIGHT 16

static bool sector_is(const volatile uint64_t *w, uint64_t lba, bool written)
{
    for (unsigned i = 0; i < 64; i++)
        if (w[i] != (written ? blk_written(lba, i) : blk_stamp(lba, i)))
            return false;
    return true;
}

static bool in_write_range(uint64_t lba)
{
    return lba >= BLK_TEST_WRITE_LBA && lba < BLK_TEST_WRITE_LBA + BLK_TEST_WRITE_COUNT;
}

int main(void)
{
    uint32_t ep = mn_cap("blk"), ep2 = mn_cap("blk2");
    CHECK(1, ep != 0 && ep2 != 0);

    /* Identity: capacity, flags, geometry, serial. */
    uint64_t m[3];
    CHECK(2, mn_blk_call(ep, MN_BLK_INFO, 0, m) == MN_ERR_OK);
    uint64_t capacity = m[1];
    uint32_t flags = MN_BLK_INFO_FLAGS(m[2]);
    CHECK(3, capacity >= BLK_TEST_WRITE_LBA + BLK_TEST_WRITE_COUNT && MN_BLK_INFO_BLOCK_SHIFT(m[2]) == 9);
    CHECK(4, !(flags & MN_BLK_F_ATTACHED) && !(flags & MN_BLK_F_READ_ONLY));
    uint32_t max = MN_BLK_INFO_MAX_SECTORS(m[2]);
    CHECK(5, mn_blk_call(ep, MN_BLK_GEOMETRY, 0, m) == MN_ERR_OK);
    printf("blk: capacity %lu sectors, flags 0x%x, max %u sectors per request\n", (unsigned long)capacity, flags, max);

    struct mn_blk b;
    CHECK(6, mn_blk_open(&b, ep, ORDER, ENTRIES) == MN_ERR_OK);
    CHECK(7, b.entries == ENTRIES && b.ring->magic == MN_BLK_RING_MAGIC && (b.flags & MN_BLK_F_ATTACHED) == 0);
    CHECK(8, mn_blk_call(ep, MN_BLK_INFO, 0, m) == MN_ERR_OK && (MN_BLK_INFO_FLAGS(m[2]) & MN_BLK_F_ATTACHED));
    uint64_t data = mn_blk_data_offset(&b);
    char *id = mn_blk_buf(&b, data);
    CHECK(9, mn_blk_io(&b, MN_BLK_OP_ID, 0, 1, data) == MN_ERR_OK);
    id[MN_BLK_ID_BYTES] = 0;
    printf("blk: serial \"%s\"\n", id);

    /* Read the whole disk, INFLIGHT requests of CHUNK sectors at a time, and check every sector. */
    uint64_t lba = 0, bad = 0, checked = 0, start[INFLIGHT];
    struct mn_blk_cqe c;
    while (lba < capacity) {
        unsigned n = 0;
        for (; n < INFLIGHT && lba < capacity; n++) {
            uint32_t count = capacity - lba < CHUNK ? (uint32_t)(capacity - lba) : CHUNK;
            start[n] = lba;
            CHECK(10, mn_blk_queue(&b, MN_BLK_OP_READ, lba, count, data + (uint64_t)n * CHUNK * 512, n) == 0);
            lba += count;
        }
        CHECK(11, mn_blk_submit(&b, n) >= (int64_t)n);
        for (unsigned i = 0; i < n; i++) {
            /* Completions may come in any order: the tag is the request's place in the batch. */
            CHECK(12, mn_blk_complete(&b, &c) && c.result == MN_ERR_OK && c.tag < n);
            const volatile uint64_t *w = mn_blk_buf(&b, data + c.tag * CHUNK * 512);
            for (uint32_t s = 0; s < c.count; s++, checked++)
                bad += !sector_is(w + s * 64, start[c.tag] + s, false);
        }
        CHECK(13, !mn_blk_complete(&b, &c));
    }
    printf("blk: read %lu sectors, %lu not as stamped\n", (unsigned long)checked, (unsigned long)bad);
    CHECK(14, checked == capacity && bad == 0);

    /* Rewrite BLK_TEST_WRITE_COUNT sectors in requests of 1, 7, 64 and the rest, then flush. */
    static const uint32_t sizes[] = {1, 7, 64, BLK_TEST_WRITE_COUNT - 72};
    volatile uint64_t *w = mn_blk_buf(&b, data);
    lba = BLK_TEST_WRITE_LBA;
    for (unsigned i = 0; i < 4; i++) {
        for (uint32_t s = 0; s < sizes[i]; s++)
            for (unsigned j = 0; j < 64; j++)
                w[s * 64 + j] = blk_written(lba + s, j);
        CHECK(15, mn_blk_io(&b, MN_BLK_OP_WRITE, lba, sizes[i], data) == MN_ERR_OK);
        lba += sizes[i];
    }
    CHECK(16, mn_blk_io(&b, MN_BLK_OP_FLUSH, 0, 0, 0) == MN_ERR_OK);
    /* Read back the range and two sectors on each side. */
    uint64_t from = BLK_TEST_WRITE_LBA - 2;
    uint32_t span = BLK_TEST_WRITE_COUNT + 4;
    memset((void *)w, 0, span * 512);
    CHECK(17, mn_blk_io(&b, MN_BLK_OP_READ, from, span, data) == MN_ERR_OK);
    for (uint32_t s = 0; s < span; s++)
        CHECK(18, sector_is(w + s * 64, from + s, in_write_range(from + s)));
    printf("blk: wrote, flushed and read back sectors %u-%u\n", BLK_TEST_WRITE_LBA,
           BLK_TEST_WRITE_LBA + BLK_TEST_WRITE_COUNT - 1);

    /* 32 random 4 KiB reads in flight at once. */
    uint64_t seed = 12345;
    for (unsigned i = 0; i < 32; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t at = (seed >> 20) % (capacity - 8);
        CHECK(19, mn_blk_queue(&b, MN_BLK_OP_READ, at, 8, data + i * 4096ull, ((uint64_t)i << 48) | at) == 0);
    }
    CHECK(20, mn_blk_submit(&b, 32) >= 32);
    for (unsigned i = 0; i < 32; i++) {
        CHECK(21, mn_blk_complete(&b, &c) && c.result == MN_ERR_OK && c.count == 8);
        uint64_t at = c.tag & 0xFFFFFFFFFFFFull;
        const volatile uint64_t *r = mn_blk_buf(&b, data + (c.tag >> 48) * 4096);
        for (unsigned s = 0; s < 8; s++)
            CHECK(22, sector_is(r + s * 64, at + s, in_write_range(at + s)));
    }
    printf("blk: 32 random 4 KiB reads in flight, all correct\n");

    /* Request errors. */
    CHECK(23, mn_blk_io(&b, MN_BLK_OP_READ, capacity - 1, 2, data) == MN_ERR_OUT_OF_RANGE);
    CHECK(24, mn_blk_io(&b, MN_BLK_OP_READ, capacity, 1, data) == MN_ERR_OUT_OF_RANGE);
    CHECK(25, mn_blk_io(&b, MN_BLK_OP_READ, ~0ull - 1, 4, data) == MN_ERR_OUT_OF_RANGE);
    CHECK(26, mn_blk_io(&b, MN_BLK_OP_READ, 0, 0, data) == MN_ERR_BAD_ARG);
    CHECK(27, mn_blk_io(&b, MN_BLK_OP_READ, 0, b.max_sectors + 1, data) == MN_ERR_BAD_ARG);
    CHECK(28, mn_blk_io(&b, MN_BLK_OP_READ, 0, 1, data + 100) == MN_ERR_BAD_ARG); /* misaligned */
    CHECK(29, mn_blk_io(&b, MN_BLK_OP_READ, 0, 1, 0) == MN_ERR_BAD_ARG); /* over the rings */
    CHECK(30, mn_blk_io(&b, MN_BLK_OP_READ, 0, 2, b.bytes - 512) == MN_ERR_BAD_ARG); /* past the frame */
    CHECK(31, mn_blk_io(&b, MN_BLK_OP_WRITE, 0, 1, ~0ull - 511) == MN_ERR_BAD_ARG);
    CHECK(32, mn_blk_io(&b, 9, 0, 1, data) == MN_ERR_BAD_ARG);
    CHECK(33, mn_blk_io(&b, MN_BLK_OP_FLUSH, 0, 1, 0) == MN_ERR_BAD_ARG);
    /* Call errors. */
    CHECK(34, mn_blk_call(ep, 99, 0, m) == MN_ERR_BAD_ARG);
    CHECK(35, mn_blk_call(ep, MN_BLK_SUBMIT, ENTRIES + 1, m) == MN_ERR_BAD_ARG);
    CHECK(36, mn_blk_call(ep, MN_BLK_ATTACH, 0, m) == MN_ERR_BUSY);
    b.ring->sq_tail = b.sq_tail + ENTRIES + 1; /* a tail too far ahead: refused, nothing taken */
    CHECK(37, mn_blk_call(ep, MN_BLK_SUBMIT, 0, m) == MN_ERR_BAD_ARG);
    b.ring->sq_tail = b.sq_tail;
    CHECK(38, b.ring->sq_head == b.sq_tail);
    printf("blk: every bad request and call refused with its error\n");

    /* A second client: its own session, none of the first's. */
    CHECK(39, mn_blk_call(ep2, MN_BLK_SUBMIT, 0, m) == MN_ERR_NOT_FOUND);
    CHECK(40, mn_blk_call(ep2, MN_BLK_ATTACH, 0, m) == MN_ERR_NOT_FOUND);
    CHECK(41, mn_blk_call(ep2, MN_BLK_DETACH, 0, m) == MN_ERR_NOT_FOUND);
    struct mn_blk b2;
    int r2 = mn_blk_open(&b2, ep2, 2, 4);
    if (r2 != MN_ERR_OK)
        printf("blk: the second session did not open: %s\n", mn_error_name(r2));
    CHECK(42, r2 == MN_ERR_OK);
    CHECK(43, mn_blk_io(&b2, MN_BLK_OP_READ, 5, 1, mn_blk_data_offset(&b2)) == MN_ERR_OK);
    CHECK(44, sector_is(mn_blk_buf(&b2, mn_blk_data_offset(&b2)), 5, false));
    CHECK(45, mn_blk_close(&b2) == MN_ERR_OK);
    CHECK(46, mn_blk_io(&b, MN_BLK_OP_READ, 5, 1, data) == MN_ERR_OK); /* the first session is untouched */

    CHECK(47, mn_blk_close(&b) == MN_ERR_OK);
    CHECK(48, mn_blk_call(ep, MN_BLK_SUBMIT, 0, m) == MN_ERR_NOT_FOUND);
    return 0;
}
