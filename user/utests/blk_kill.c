/*
 * A driver killed mid-request takes down neither the kernel nor its
 * client. A thread streams reads (32 requests of 64 KiB per call) through
 * the block endpoint; once they flow, this program kills the driver (init
 * gave it the driver's Process capability as "victim", for this test
 * only). The call in progress must end with MN_ERR_DEAD (its reply right
 * died with the driver); a new call must end with an error too once init
 * has revoked the endpoint (init/blkdev.c), never hang; and the session's
 * frame is still ours to free.
 */
#include "mn_blk.h"
#include "utest.h"

static const char *utest_name = "blk_kill";

static struct mn_blk b;
static volatile int opened, rounds, done;
static volatile int64_t result;

static void streamer(void *arg)
{
    (void)arg;
    if (mn_blk_open(&b, mn_cap("blk"), 9, 32) != MN_ERR_OK) {
        result = -1000;
        done = 1;
        return;
    }
    opened = 1;
    uint64_t data = mn_blk_data_offset(&b);
    for (;;) {
        for (unsigned i = 0; i < 32; i++)
            mn_blk_queue(&b, MN_BLK_OP_READ, i * 128, 128, data + i * 65536ull, i);
        int64_t r = mn_blk_submit(&b, 32);
        if (r < 0) {
            result = r;
            break;
        }
        struct mn_blk_cqe c;
        while (mn_blk_complete(&b, &c))
            ;
        rounds++;
    }
    done = 1;
}

static bool wait_for(volatile int *flag, int min)
{
    for (int i = 0; i < 5000 && *flag < min; i++)
        mn_sys_SLEEP(1000000);
    return *flag >= min;
}

int main(void)
{
    uint32_t victim = mn_cap("victim"), ep = mn_cap("blk");
    CHECK(1, victim != 0 && ep != 0);
    CHECK(2, mn_thread_create(streamer, NULL, 2) > 0);
    CHECK(3, wait_for(&opened, 1) && wait_for(&rounds, 3));
    CHECK(4, mn_sys_KILL(victim) == 0);
    CHECK(5, wait_for(&done, 1));
    mn_sys_SLEEP(100000000); /* init's watcher reports the death: let its line out first (the console interleaves) */
    printf("blk_kill: driver killed after %d rounds; the call in progress returned %s\n", rounds,
           mn_error_name((int)result));
    CHECK(6, result == MN_ERR_DEAD);
    uint64_t m[3];
    int64_t r = mn_blk_call(ep, MN_BLK_INFO, 0, m);
    printf("blk_kill: a new call returned %s\n", mn_error_name((int)r));
    CHECK(7, r < 0);
    mn_blk_close(&b); /* the driver is gone: an error, but the frame is unmapped and freed */
    CHECK(8, b.va == NULL);
    return 0;
}
