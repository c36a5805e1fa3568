/*
 * What the Ring 3 benchmark programs share: a serialized TSC read (under
 * QEMU's -icount it counts retired guest instructions) and the median of a
 * sample array.
 */
#ifndef USER_TESTS_BENCH_H
#define USER_TESTS_BENCH_H

#include <stdint.h>

static inline uint64_t bench_rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return ((uint64_t)hi << 32) | lo;
}

/* Sorts t[0..n) (insertion sort: n is small) and returns the middle value. */
static inline uint64_t bench_median(uint64_t *t, int n)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && t[j - 1] > t[j]; j--) {
            uint64_t x = t[j];
            t[j] = t[j - 1];
            t[j - 1] = x;
        }
    return t[n / 2];
}

#endif
