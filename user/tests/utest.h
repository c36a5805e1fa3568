/*
 * What the Ring 3 test programs share: CHECK (a failed check ends main
 * with its number, which becomes the exit status the kernel test reads),
 * and small helpers.
 */
#ifndef USER_TESTS_UTEST_H
#define USER_TESTS_UTEST_H

#include <mnos/caps.h>
#include <stdint.h>

#include "mn_syscall.h"

#define CHECK(n, cond) \
    do { \
        if (!(cond)) \
            return (n); \
    } while (0)

/* MN_INSPECT_MAKE as the signed value SYS_INSPECT returns. */
#define INSPECT_OF(type, rights) ((int64_t)MN_INSPECT_MAKE((type), (rights)))

/* A stack for a second thread: SPAWN_THREAD takes the top. */
#define UTEST_STACK(name, bytes) static uint8_t name[bytes] __attribute__((aligned(16)))
#define UTEST_STACK_TOP(name) ((uint64_t)(uintptr_t)(name) + sizeof(name))

static inline void utest_sleep_ms(uint64_t ms)
{
    mn_sys_SLEEP(ms * 1000000ull);
}

#endif
