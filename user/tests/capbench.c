/*
 * cap.delegate and cap.revoke_1000 from Ring 3. Slot 1 is an IoPort with
 * every right, slot 2 the program's own Process. arg 0: the median cost of
 * one DELEGATE (into its own CNode through its Process cap; each copy is
 * dropped again, untimed). arg 1: builds 1,000 capabilities derived from
 * slot 1 (a chain and a fan, in slots 100 up: the CNode grows) and times the
 * one REVOKE that removes them all, REPEAT times; the median. Exits with
 * the figure, or a negative number when a call failed.
 */
#include <mnos/caps.h>

#include "bench.h"
#include "mn_syscall.h"

#define SAMPLES 201
#define REPEAT 9
#define TREE 1000

int64_t main(uint64_t arg)
{
    static uint64_t t[SAMPLES];
    if (arg == 0) {
        for (int i = 0; i < SAMPLES; i++) {
            uint64_t a = bench_rdtsc();
            int64_t r = mn_sys_DELEGATE(2, 1, 10, MN_RIGHT_READ | MN_RIGHT_GRANT);
            t[i] = bench_rdtsc() - a;
            if (r != 0 || mn_sys_DROP_CAP(10) != 0)
                return -1;
        }
        return (int64_t)bench_median(t, SAMPLES);
    }
    for (int k = 0; k < REPEAT; k++) {
        /* half a chain (each a child of the previous), half children of the root */
        uint64_t parent = 1;
        for (uint64_t i = 0; i < TREE; i++) {
            uint64_t slot = 100 + i;
            if (mn_sys_COPY_CAP(i < TREE / 2 ? parent : 1, slot, MN_RIGHTS_ALL) != 0)
                return -2;
            parent = slot;
        }
        uint64_t a = bench_rdtsc();
        int64_t r = mn_sys_REVOKE(1);
        t[k] = bench_rdtsc() - a;
        if (r != 0 || mn_sys_INSPECT(100) != MN_ERR_INVALID_SLOT ||
            mn_sys_INSPECT(100 + TREE - 1) != MN_ERR_INVALID_SLOT)
            return -3;
    }
    return (int64_t)bench_median(t, REPEAT);
}
