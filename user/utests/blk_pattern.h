/*
 * The disk patterns of the block tests, shared with the host harness
 * (tests/qemu/run_userspace.py) and make bench: a 512-byte sector is 64
 * little-endian words; word i of sector lba holds blk_stamp(lba, i) as the
 * harness made the image, blk_written(lba, i) where the blk test wrote.
 */
#ifndef UTESTS_BLK_PATTERN_H
#define UTESTS_BLK_PATTERN_H

#include <stdint.h>

#define BLK_STAMP_KEY 0x5354414D50000000ull /* "STAMP" */
#define BLK_WRITE_KEY 0x5752495445000000ull /* "WRITE" */

/* The range the blk test rewrites (the harness checks it, and that nothing else changed). */
#define BLK_TEST_WRITE_LBA 1000u
#define BLK_TEST_WRITE_COUNT 300u

static inline uint64_t blk_stamp(uint64_t lba, unsigned i)
{
    return ((lba << 6) | i) ^ BLK_STAMP_KEY;
}

static inline uint64_t blk_written(uint64_t lba, unsigned i)
{
    return ((lba << 6) | i) ^ BLK_WRITE_KEY;
}

#endif
