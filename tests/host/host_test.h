/*
 * A tiny host test framework. Each test program groups checks into cases;
 * every case prints one line the `make test` aggregator counts:
 *   PASS host/<program>/<case>
 *   FAIL host/<program>/<case>: <file>:<line>: <what>
 * and the program exits non-zero if any case failed.
 *
 *   int main(void) {
 *       HT_BEGIN("format");
 *       HT_CASE("padding") { HT_CHECK(1 + 1 == 2, "arithmetic"); }
 *       return HT_END();
 *   }
 */
#ifndef HOST_TEST_H
#define HOST_TEST_H

#include <stdio.h>

static const char *ht_program;
static const char *ht_case_name;
static int ht_case_failed, ht_failures, ht_cases;

static inline void ht_case_end(void)
{
    if (!ht_case_name)
        return;
    if (!ht_case_failed)
        printf("PASS host/%s/%s\n", ht_program, ht_case_name);
    ht_failures += ht_case_failed;
    ht_case_name = NULL;
}

static inline int ht_case_start(const char *name)
{
    ht_case_end();
    ht_case_name = name;
    ht_case_failed = 0;
    ht_cases++;
    return 1;
}

#define HT_BEGIN(prog) (ht_program = (prog))
/* Opens a case; the following block holds its checks. */
#define HT_CASE(name) for (int ht_once_ = ht_case_start(name); ht_once_; ht_once_ = 0)
/* Records a failure (first one per case is printed) and carries on. */
#define HT_CHECK(cond, ...) \
    do { \
        if (!(cond)) { \
            if (!ht_case_failed) { \
                printf("FAIL host/%s/%s: %s:%d: ", ht_program, ht_case_name, __FILE__, __LINE__); \
                printf(__VA_ARGS__); \
                printf("\n"); \
            } \
            ht_case_failed = 1; \
        } \
    } while (0)
#define HT_END() (ht_case_end(), (ht_failures || !ht_cases) ? 1 : 0)

#endif
