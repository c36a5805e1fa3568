/* The in-kernel benchmark runner (see kbench.h). */
#include "test/kbench.h"

#include <arch/cpu.h>
#include <arch/qemu.h>

#include "debug/log.h"
#include "lib/string.h"
#include "test/ktest.h"

extern const struct kbench __kbenches_start[], __kbenches_end[];

static char selection[256];
static bool selected;

bool kbench_mode(void)
{
    return selected;
}

void kbench_select(const char *sel)
{
    strlcpy(selection, sel, sizeof selection);
    selected = true;
}

uint64_t kbench_median(uint64_t (*fn)(void *), void *arg, int runs)
{
    uint64_t v[64];
    if (runs > 64)
        runs = 64;
    if (runs < 1)
        runs = 1;
    for (int i = 0; i < runs; i++) {
        uint64_t x = fn(arg);
        int j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
    return v[runs / 2];
}

void kbench_run(void)
{
    bool all = strcmp(selection, "all") == 0;
    for (const struct kbench *b = __kbenches_start; b < __kbenches_end; b++) {
        if (!all && !selection_has(selection, b->name))
            continue;
        uint64_t v = b->fn();
        if (v == KBENCH_NOT_MEASURED)
            kprintf("kbench: %s not measured in this configuration\n", b->name);
        else
            kprintf("kbench: %s %lu insns\n", b->name, v);
    }
    kprintf("kbench: done\n");
    qemu_exit(QEMU_EXIT_PASS);
    cpu_stop();
}
