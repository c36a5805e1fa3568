/*
 * wasm_limits: the resource limits of a module in a wasmrun process, each
 * ending that module alone with a clear report on its stderr and a known
 * exit status, while this program (its host) goes on: the fuel budget, the
 * time budget (wasmrun's watchdog), the linear-memory ceiling, the
 * allocator budget behind it (the hardware limit: memory.grow is refused
 * when the process's frames run out), the call depth, an out-of-range
 * host_print, and a module whose initial memory is above the ceiling.
 * Modules: wasm/sandbox.wasm (tests/wasm/sandbox.c), wasm/bench/fib.wasm.
 */
#include "stdlib.h"
#include "utest.h"
#include "wasm_child.h"

static const char *utest_name = "wasm_limits";

struct limit_case {
    const char *name;
    const char *argv[8]; /* after "bin/wasmrun" */
    uint64_t budget; /* the process's allocator, pages */
    int64_t status;
    const char *err_has; /* stderr must contain it (NULL: stderr must be empty) */
};

static const struct limit_case cases[] = {
    {"fuel", {"--fuel", "200000", "--invoke", "spin", "wasm/sandbox.wasm"}, 2048, 5, "fuel exhausted"},
    {"time", {"--time-ms", "300", "--invoke", "spin", "wasm/sandbox.wasm"}, 2048, 6, "time budget exhausted"},
    {"ceiling", {"--max-pages", "8", "--invoke", "grow_all", "wasm/sandbox.wasm"}, 2048, 0, NULL},
    {"depth", {"--stack-depth", "100", "--invoke", "recurse", "wasm/sandbox.wasm", "0"}, 2048, 4, "call stack"},
    {"bad_print", {"--invoke", "bad_print", "wasm/sandbox.wasm"}, 2048, 4, "host_print: [0xffffff00"},
    {"bad_len", {"--invoke", "bad_len", "wasm/sandbox.wasm"}, 2048, 4, "outside the module's memory"},
    {"initial_over_ceiling", {"--max-pages", "4", "--invoke", "run", "wasm/bench/fib.wasm"}, 2048, 7, "memory"},
    /* 4 MiB of frames for everything: the store, the module, and a memory allowed to grow to 64 MiB */
    {"budget", {"--max-pages", "1024", "--invoke", "grow_all", "wasm/sandbox.wasm"}, 1024, 0, NULL},
};

static const char *run_case(const struct limit_case *c)
{
    const char *argv[9] = {"bin/wasmrun"};
    int argc = 1;
    while (argc < 9 && c->argv[argc - 1])
        argv[argc] = c->argv[argc - 1], argc++;
    int64_t status = 0;
    int reason = 0;
    uint64_t t0 = (uint64_t)mn_sys_CLOCK();
    int r = wc_run(argv, argc, NULL, c->budget, &status, &reason);
    if (r != MN_ERR_OK) {
        printf("%s: %s: wasmrun did not start: %s\n", utest_name, c->name, mn_error_name(r));
        return "wasmrun did not start";
    }
    uint64_t ms = ((uint64_t)mn_sys_CLOCK() - t0) / 1000000;
    wc_show(c->name, "out", &wc_out);
    wc_show(c->name, "err", &wc_err);
    printf("wasm_limits: %s: status %ld after %lu ms\n", c->name, (long)status, (unsigned long)ms);
    if (reason != MN_EXIT_NORMAL)
        return "wasmrun did not exit normally";
    if (status != c->status)
        return "wrong exit status";
    if (c->err_has ? !strstr(wc_err.buf, c->err_has) : wc_err.len != 0)
        return "unexpected report on stderr";
    if (strcmp(c->name, "ceiling") == 0 && strcmp(wc_out.buf, "8\n") != 0)
        return "grow_all did not stop at the 8-page ceiling";
    if (strcmp(c->name, "budget") == 0) {
        long pages = strtol(wc_out.buf, NULL, 10);
        if (pages <= 2 || pages >= 64)
            return "grow_all was not stopped by the allocator budget";
    }
    if (strcmp(c->name, "time") == 0 && ms < 300)
        return "the time budget ended the module too early";
    return NULL;
}

int main(void)
{
    CHECK(1, wc_setup() == MN_ERR_OK);
    int failed = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *why = run_case(&cases[i]);
        if (why) {
            printf("wasm_limits: FAIL %s: %s\n", cases[i].name, why);
            failed++;
        }
    }
    CHECK(2, failed == 0);
    return 0;
}
