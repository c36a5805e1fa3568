/*
 * wasmbench: the Wasm engine's benchmarks as guest-instruction counts, the
 * same code inside MinimalOS (wasmbench.c, a libmnos program) and in the
 * Linux reference guest (wasmbench_linux.c, a static glibc program), so
 * that `make bench` can divide one by the other (wasm.in_os_vs_linux).
 * Under QEMU's -icount shift=0,sleep=off RDTSC counts retired guest
 * instructions; elsewhere the figures are TSC ticks.
 *
 * wb_main (wasmbench_core.c) prints, through env->print:
 *   PREFIX: wasm.NAME.in_os INSNS insns   (PREFIX "bench"; "lbench" prints
 *                                           wasm.NAME: bench.py names it linux.wasm.NAME)
 *       for each bench/wasm program NAME: one call of its run export
 *   PREFIX: wasm.instantiate_100k INSNS insns
 *       load + validate + instantiate (with WASI imports) of
 *       wasm/tests/hello_rust.wasm (~90 KiB of code), median of 7
 *   wasmbench: NAME checksum C, module B bytes       (informational)
 *   wasmbench: done
 */
#ifndef WASMBENCH_H
#define WASMBENCH_H

#include <stddef.h>

struct wb_env {
    const char *prefix; /* "bench" (MinimalOS) or "lbench" (Linux) */
    const char *suffix; /* ".in_os" or "" */
    /* The bytes of a file ("wasm/bench/fib.wasm"); 0, or nonzero when there is none. */
    int (*read_file)(const char *path, const void **data, size_t *size);
    void (*print)(const char *line); /* one line, with its '\n' */
};

/* Runs the benchmarks named in `selection` ("all", or names separated by commas); returns the failures. */
int wb_main(const struct wb_env *env, const char *selection);

#endif
