/*
 * In-kernel tests. A test is a function returning NULL on success or a
 * static string saying what failed; KTEST() registers it in the .ktests
 * section. The kernel command line selects what runs: `test=all` runs every
 * test not marked manual, `test=a,b` runs the named ones. Results go to the
 * log as "ktest: PASS name" / "ktest: FAIL name: reason" and the boot ends
 * through isa-debug-exit with the pass or fail status.
 */
#ifndef TEST_KTEST_H
#define TEST_KTEST_H

#include <stdbool.h>

struct ktest {
    const char *name;
    const char *(*fn)(void);
    bool manual; /* only when named explicitly (e.g. tests that panic on purpose) */
};

#define KTEST_DEFINE(n, is_manual) \
    static const char *ktest_fn_##n(void); \
    __attribute__((used, section(".ktests"), aligned(8))) static const struct ktest ktest_##n = {#n, ktest_fn_##n, \
                                                                                                 is_manual}; \
    static const char *ktest_fn_##n(void)

#define KTEST(n) KTEST_DEFINE(n, false)
#define KTEST_MANUAL(n) KTEST_DEFINE(n, true)

/* Fails the current test with `msg` unless cond holds. */
#define KTEST_CHECK(cond, msg) \
    do { \
        if (!(cond)) \
            return msg; \
    } while (0)

/* Is `name` one of the comma-separated words of `list`? (test= and bench= selections) */
bool selection_has(const char *list, const char *name);

/* True once a test=... selection was given on the command line. */
bool ktest_mode(void);
void ktest_select(const char *selection);
/* Runs the selected tests, logs a summary, and exits QEMU. Does not return. */
__attribute__((noreturn)) void ktest_run(void);

#endif
