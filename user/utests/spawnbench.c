/*
 * proc.spawn_exit: the median cost of spawning test/tiny from the initrd
 * (ELF loading in Ring 3, the new process, its thread), its run and exit,
 * and the wait that returns once the kernel has torn it down; exits with
 * the median (TSC ticks: guest instructions under -icount). Started by the
 * kernel's benchmark with an allocator, the initrd and itself.
 */
#include "libmnos.h"

#define WARMUP 5
#define SAMPLES 31

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return ((uint64_t)hi << 32) | lo;
}

static int64_t once(void)
{
    struct mn_child c;
    int64_t status;
    int reason;
    if (mn_spawn("test/tiny", NULL, 0, NULL, 0, 0, &c) != MN_ERR_OK || mn_wait(&c, &status, &reason) != MN_ERR_OK)
        return -1;
    mn_release(&c);
    return status == 0 ? 0 : -1;
}

int main(void)
{
    static uint64_t t[SAMPLES];
    for (int i = 0; i < WARMUP; i++)
        if (once() != 0)
            return -1;
    for (int i = 0; i < SAMPLES; i++) {
        uint64_t a = rdtsc();
        if (once() != 0)
            return -2;
        t[i] = rdtsc() - a;
    }
    for (int i = 1; i < SAMPLES; i++)
        for (int j = i; j > 0 && t[j - 1] > t[j]; j--) {
            uint64_t x = t[j];
            t[j] = t[j - 1];
            t[j - 1] = x;
        }
    return (int64_t)t[SAMPLES / 2];
}
