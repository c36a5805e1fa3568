/*
 * blk: a block device from the shell's point of view, through the block
 * protocol (mn_blk.h) on the endpoint it was given as "blk".
 *
 *   blk info              capacity, flags, geometry, serial
 *   blk read LBA          prints the first 64 bytes of sector LBA
 *   blk bench all|insns   the figures of make bench (tools/bench/bench.py):
 *                         sequential reads and writes of 64 KiB and 1 MiB, one request at a time
 *                         (blk.seq_read_mibs[.64k], blk.seq_write_mibs[.64k]), random 4 KiB reads at queue
 *                         depths 1 and 32 (blk.rand_read_iops.qd1/.qd32), as "bench: NAME VALUE UNIT" lines;
 *                         insns: blk.read_4k_insns, the median over 31 4 KiB reads of the RDTSC delta less
 *                         the time CPUs spent halted meanwhile (IDLE_TSC): under -icount sleep=off, the guest
 *                         instructions of the read (client, kernel, driver) without the wait for the device
 */
#include "libmnos.h"
#include "mn_blk.h"
#include "stdio.h"
#include "stdlib.h"
#include "string.h"

#define BENCH_BYTES (32ull << 20)

static struct mn_blk b;

static uint64_t now_ns(void)
{
    return (uint64_t)mn_sys_CLOCK();
}

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static void mibs(const char *name, uint64_t bytes, uint64_t ns)
{
    uint64_t tenths = ns ? bytes * 10000000000ull / ns / (1u << 20) : 0; /* MiB/s x 10 */
    printf("bench: %s %lu.%lu MiB/s\n", name, (unsigned long)(tenths / 10), (unsigned long)(tenths % 10));
}

static int seq(const char *name, uint8_t op, uint32_t sectors)
{
    uint64_t data = mn_blk_data_offset(&b), total = BENCH_BYTES / 512, lba = 0;
    if (total > b.capacity)
        total = b.capacity - b.capacity % sectors;
    uint64_t t = now_ns();
    for (uint64_t done = 0; done + sectors <= total; done += sectors, lba += sectors) {
        int r = mn_blk_io(&b, op, lba, sectors, data);
        if (r != MN_ERR_OK) {
            printf("blk: %s failed at %lu: %s\n", name, (unsigned long)lba, mn_error_name(r));
            return r;
        }
    }
    mibs(name, (total - total % sectors) * 512, now_ns() - t);
    return MN_ERR_OK;
}

static uint64_t seed = 88172645463325252ull;
static uint64_t rand_lba(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return (seed % (b.capacity / 8)) * 8;
}

static int rand_reads(unsigned depth, unsigned count)
{
    uint64_t data = mn_blk_data_offset(&b);
    unsigned queued = 0, done = 0, in_flight = 0;
    uint64_t t = now_ns();
    while (done < count) {
        while (queued < count && in_flight < depth) {
            unsigned slot = queued % depth;
            if (mn_blk_queue(&b, MN_BLK_OP_READ, rand_lba(), 8, data + slot * 4096ull, slot) != MN_ERR_OK)
                break;
            queued++;
            in_flight++;
        }
        int64_t r = mn_blk_submit(&b, 1);
        if (r < 0) {
            printf("blk: random reads failed: %s\n", mn_error_name((int)r));
            return (int)r;
        }
        struct mn_blk_cqe c;
        while (mn_blk_complete(&b, &c)) {
            if (c.result != MN_ERR_OK) {
                printf("blk: a random read failed: %s\n", mn_error_name(c.result));
                return c.result;
            }
            done++;
            in_flight--;
        }
    }
    uint64_t ns = now_ns() - t;
    printf("bench: blk.rand_read_iops.qd%u %lu iops\n", depth, (unsigned long)(ns ? count * 1000000000ull / ns : 0));
    return MN_ERR_OK;
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, c = *(const uint64_t *)y;
    return a < c ? -1 : a > c;
}

static int bench(const char *mode)
{
    int r = MN_ERR_OK;
    if (strcmp(mode, "insns") == 0 || strcmp(mode, "all") == 0) {
        uint64_t v[31], data = mn_blk_data_offset(&b);
        for (int i = 0; i < 31; i++) {
            uint64_t lba = rand_lba(), idle = (uint64_t)mn_sys_IDLE_TSC(), t = rdtsc();
            r = mn_blk_io(&b, MN_BLK_OP_READ, lba, 8, data);
            v[i] = rdtsc() - t - ((uint64_t)mn_sys_IDLE_TSC() - idle);
            if (r != MN_ERR_OK)
                return r;
        }
        qsort(v, 31, sizeof v[0], cmp_u64);
        printf("bench: blk.read_4k_insns %lu insns\n", (unsigned long)v[15]);
    }
    if (strcmp(mode, "all") == 0) {
        if ((r = seq("blk.seq_read_mibs.64k", MN_BLK_OP_READ, 128)) ||
            (r = seq("blk.seq_read_mibs", MN_BLK_OP_READ, 2048)) ||
            (r = seq("blk.seq_write_mibs.64k", MN_BLK_OP_WRITE, 128)) ||
            (r = seq("blk.seq_write_mibs", MN_BLK_OP_WRITE, 2048)) || (r = rand_reads(1, 2000)) ||
            (r = rand_reads(32, 4000)))
            return r;
    }
    return r;
}

int main(int argc, char **argv)
{
    uint32_t ep = mn_cap("blk");
    const char *cmd = argc > 1 ? argv[1] : "info";
    if (!ep) {
        printf("blk: no block device capability (\"blk\")\n");
        return 1;
    }
    int r = mn_blk_open(&b, ep, 9, 64); /* 2 MiB: the rings, a 1 MiB buffer, 32 buffers of 4 KiB */
    if (r != MN_ERR_OK) {
        printf("blk: cannot open a session: %s\n", mn_error_name(r));
        return 1;
    }
    uint64_t data = mn_blk_data_offset(&b);
    if (strcmp(cmd, "info") == 0) {
        char *id = mn_blk_buf(&b, data);
        r = mn_blk_io(&b, MN_BLK_OP_ID, 0, 1, data);
        id[MN_BLK_ID_BYTES] = 0;
        printf("blk: %lu sectors (%lu MiB), flags 0x%x, serial \"%s\"\n", (unsigned long)b.capacity,
               (unsigned long)(b.capacity >> 11), b.flags, r == MN_ERR_OK ? id : "?");
    } else if (strcmp(cmd, "read") == 0 && argc > 2) {
        uint64_t lba = strtoull(argv[2], NULL, 0);
        r = mn_blk_io(&b, MN_BLK_OP_READ, lba, 1, data);
        if (r == MN_ERR_OK) {
            const uint8_t *p = mn_blk_buf(&b, data);
            for (int i = 0; i < 64; i++)
                printf("%02x%s", p[i], i % 16 == 15 ? "\n" : " ");
        } else {
            printf("blk: read of sector %lu: %s\n", (unsigned long)lba, mn_error_name(r));
        }
    } else if (strcmp(cmd, "bench") == 0 && argc > 2) {
        r = bench(argv[2]);
    } else {
        printf("blk: usage: blk info | blk read LBA | blk bench all|insns\n");
        r = MN_ERR_BAD_ARG;
    }
    mn_blk_close(&b);
    return r == MN_ERR_OK ? 0 : 1;
}
