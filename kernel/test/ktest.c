/* The in-kernel test runner. */
#include "test/ktest.h"

#include <arch/cpu.h>
#include <arch/qemu.h>

#include "debug/log.h"
#include "lib/string.h"

extern const struct ktest __ktests_start[], __ktests_end[];

static char selection[256];
static bool selected;

bool ktest_mode(void)
{
    return selected;
}

void ktest_select(const char *sel)
{
    strlcpy(selection, sel, sizeof selection);
    selected = true;
}

bool selection_has(const char *list, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == len && strncmp(p, name, n) == 0)
            return true;
        if (!end)
            break;
        p = end + 1;
    }
    return false;
}

static bool named(const char *name)
{
    return selection_has(selection, name);
}

void ktest_run(void)
{
    bool all = named("all");
    int passed = 0, failed = 0, ran = 0;
    for (const struct ktest *t = __ktests_start; t < __ktests_end; t++) {
        if (!(named(t->name) || (all && !t->manual)))
            continue;
        ran++;
        kprintf("ktest: RUN %s\n", t->name);
        const char *err = t->fn();
        if (err) {
            failed++;
            log_error("ktest: FAIL %s: %s\n", t->name, err);
        } else {
            passed++;
            kprintf("ktest: PASS %s\n", t->name);
        }
    }
    if (ran == 0) {
        log_error("ktest: no test matches '%s'\n", selection);
        failed++;
    }
    kprintf("ktest: done: %d passed, %d failed\n", passed, failed);
    qemu_exit(failed ? QEMU_EXIT_FAIL : QEMU_EXIT_PASS);
    cpu_stop();
}
