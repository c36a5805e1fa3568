/*
 * syscall.null: the median TSC cycles of a null system call round trip (a
 * number the kernel does not implement: entry, dispatch, exit), over
 * SAMPLES calls, returned as the exit status.
 */
#include "mn_syscall.h"

#define SAMPLES 201

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

int64_t main(uint64_t arg)
{
    (void)arg;
    static uint64_t t[SAMPLES];
    for (int i = 0; i < SAMPLES; i++) {
        uint64_t a = rdtsc();
        mn_syscall6(MN_SYSCALL_COUNT, 0, 0, 0, 0, 0, 0, 0);
        t[i] = rdtsc() - a;
    }
    for (int i = 1; i < SAMPLES; i++) /* insertion sort */
        for (int j = i; j > 0 && t[j - 1] > t[j]; j--) {
            uint64_t x = t[j];
            t[j] = t[j - 1];
            t[j - 1] = x;
        }
    return (int64_t)t[SAMPLES / 2];
}
