/*
 * libFuzzer target for the capability space (kernel/cap/): the input is an
 * operation sequence run against the reference model (cap_model.c); any
 * disagreement, broken invariant or wrong release count aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cap_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[256];
    if (cap_model_run(data, size, why, sizeof why)) {
        fprintf(stderr, "cap model mismatch: %s\n", why);
        __builtin_trap();
    }
    return 0;
}
