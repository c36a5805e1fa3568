/*
 * syscall.null: the median TSC cycles of a null system call round trip (a
 * number the kernel does not implement: entry, dispatch, exit), over
 * SAMPLES calls, returned as the exit status.
 */
#include "bench.h"
#include "mn_syscall.h"

#define SAMPLES 201

int64_t main(uint64_t arg)
{
    (void)arg;
    static uint64_t t[SAMPLES];
    for (int i = 0; i < SAMPLES; i++) {
        uint64_t a = bench_rdtsc();
        mn_syscall6(MN_SYSCALL_COUNT, 0, 0, 0, 0, 0, 0, 0);
        t[i] = bench_rdtsc() - a;
    }
    return (int64_t)bench_median(t, SAMPLES);
}
