/*
 * Leaks: 1,000 spawn/exit cycles of test/tiny, then 100 runs of
 * test/spinner killed mid-work; afterwards the kernel's free-frame count
 * and heap usage must be back where they were (MEM_STATS). Both are
 * printed. The baseline is taken after a few warm-up cycles (the kernel's
 * heap and page-table caches grow once, and count as free in MEM_STATS).
 */
#include "utest.h"

static const char *utest_name = "leaks";

#define CYCLES 1000
#define KILLS 100

static int cycle(const char *path, bool kill_it)
{
    struct mn_child c;
    int r = mn_spawn(path, NULL, 0, NULL, 0, 0, &c);
    if (r != MN_ERR_OK)
        return r;
    if (kill_it) {
        mn_sys_SLEEP(200000); /* 0.2 ms: let it get going */
        mn_kill(&c);
    }
    int64_t status;
    int reason;
    r = mn_wait(&c, &status, &reason);
    mn_release(&c);
    if (r != MN_ERR_OK)
        return r;
    if (kill_it ? reason != MN_EXIT_KILLED : (status != 0 || reason != MN_EXIT_NORMAL))
        return MN_ERR_BAD_ARG;
    return MN_ERR_OK;
}

/* MEM_STATS once every process this test started is gone (the reaper frees them shortly after they end). */
static int settled_stats(uint64_t procs, uint64_t *frames, uint64_t *heap)
{
    uint64_t out[3];
    for (int i = 0; i < 2000; i++) {
        if (mn_sys_MEM_STATS(mn_cap(MN_ROLE_ALLOCATOR), out) != 0)
            return MN_ERR_NO_RIGHTS;
        if (out[2] <= procs)
            break;
        mn_sys_SLEEP(1000000);
    }
    *frames = out[0];
    *heap = out[1];
    return out[2] <= procs ? MN_ERR_OK : MN_ERR_TIMEOUT;
}

int main(void)
{
    uint64_t out[3];
    CHECK(1, mn_sys_MEM_STATS(mn_cap(MN_ROLE_ALLOCATOR), out) == 0);
    uint64_t procs = out[2];
    for (int i = 0; i < 10; i++)
        CHECK(2, cycle("test/tiny", false) == MN_ERR_OK);
    CHECK(3, cycle("test/spinner", true) == MN_ERR_OK);
    uint64_t frames0, heap0, frames1, heap1;
    CHECK(4, settled_stats(procs, &frames0, &heap0) == MN_ERR_OK);
    for (int i = 0; i < CYCLES; i++)
        CHECK(5, cycle("test/tiny", false) == MN_ERR_OK);
    for (int i = 0; i < KILLS; i++)
        CHECK(6, cycle("test/spinner", true) == MN_ERR_OK);
    CHECK(7, settled_stats(procs, &frames1, &heap1) == MN_ERR_OK);
    printf("leaks: %d spawn/exit cycles and %d kills: free frames %lu -> %lu, kernel heap bytes %lu -> %lu\n", CYCLES,
           KILLS, (unsigned long)frames0, (unsigned long)frames1, (unsigned long)heap0, (unsigned long)heap1);
    CHECK(8, frames1 == frames0);
    CHECK(9, heap1 == heap0);
    return 0;
}
