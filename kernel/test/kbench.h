/*
 * In-kernel benchmarks for `make bench`. A benchmark measures one operation
 * and returns its cost in TSC ticks per operation (under QEMU's
 * `-icount shift=0,sleep=off` the TSC counts retired guest instructions, so
 * the figure is an exact instruction count). `bench=all` on the command line
 * runs every benchmark; each prints "kbench: <name> <value> insns" and the
 * host side turns that into "bench <name> <value> insns".
 *
 *   KBENCH(pmm_alloc_free, "pmm.alloc_free") { ... return ticks_per_op; }
 *
 * kbench_median() helps: it runs `fn` `runs` times and returns the median.
 */
#ifndef TEST_KBENCH_H
#define TEST_KBENCH_H

#include <stdbool.h>
#include <stdint.h>

struct kbench {
    const char *name; /* the stable figure name, e.g. "pmm.alloc_free" */
    uint64_t (*fn)(void);
};

#define KBENCH(id, figure) \
    static uint64_t kbench_fn_##id(void); \
    __attribute__((used, section(".kbenches"), aligned(8))) static const struct kbench kbench_##id = {figure, \
                                                                                                      kbench_fn_##id}; \
    static uint64_t kbench_fn_##id(void)

/* What a benchmark returns when this boot cannot measure it (e.g. one CPU). */
#define KBENCH_NOT_MEASURED (~0ull)

/* Median of `runs` (<= 64) calls of fn, each returning a per-op cost. */
uint64_t kbench_median(uint64_t (*fn)(void *), void *arg, int runs);

bool kbench_mode(void);
void kbench_select(const char *selection);
/* Runs the selected benchmarks and exits QEMU. Does not return. */
__attribute__((noreturn)) void kbench_run(void);

#endif
