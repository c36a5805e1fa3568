/*
 * What the libmnos test programs share: CHECK prints the failed condition
 * (through the console, so it shows in the serial log) and ends main with
 * the check's number, which init reports as the exit status.
 */
#ifndef UTESTS_UTEST_H
#define UTESTS_UTEST_H

#include "libmnos.h"
#include "stdio.h"

#define CHECK(n, cond) \
    do { \
        if (!(cond)) { \
            printf("%s: check %d failed: %s (line %d)\n", utest_name, (n), #cond, __LINE__); \
            return (n); \
        } \
    } while (0)

#endif
