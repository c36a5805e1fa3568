/*
 * Runs the capability core's in-kernel test and benchmarks
 * (kernel/cap/cap_selftest.c) on the host, so their logic is checked before
 * a boot ever runs them. kbench_median is a host stand-in here.
 */
#include <stdint.h>

#include "host_test.h"

uint64_t kbench_median(uint64_t (*fn)(void *), void *arg, int runs);

#include "../../kernel/cap/cap_selftest.c"

uint64_t kbench_median(uint64_t (*fn)(void *), void *arg, int runs)
{
    uint64_t v[64];
    for (int i = 0; i < runs; i++) {
        v[i] = fn(arg);
        for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
            uint64_t t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    }
    return v[runs / 2];
}

int main(void)
{
    HT_BEGIN("cap_selftest");
    HT_CASE("ktest-cap_core")
    {
        const char *why = ktest_fn_cap_core();
        HT_CHECK(why == NULL, "%s", why);
    }
    HT_CASE("kbench-figures")
    {
        uint64_t derive = kbench_fn_cap_derive();
        uint64_t revoke = kbench_fn_cap_revoke_1000_core();
        HT_CHECK(derive != KBENCH_NOT_MEASURED && revoke != KBENCH_NOT_MEASURED, "both measured");
        HT_CHECK(st_obj.refs == 1 && st_cn[0].used == 1 && st_cn[1].used == 0, "benchmarks leave only the root");
        printf("  host TSC ticks: cap.derive.core %lu, cap.revoke_1000.core %lu (sanitizers on)\n",
               (unsigned long)derive, (unsigned long)revoke);
        (void)ktest_cap_core;
        (void)kbench_cap_derive;
        (void)kbench_cap_revoke_1000_core;
    }
    return HT_END();
}
