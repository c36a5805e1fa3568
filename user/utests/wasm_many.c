/*
 * wasm_many: 100 modules run one after another, each in its own wasmrun
 * process with its own allocator: results, WASI programs, traps, fuel
 * exhaustion and an out-of-range host_print, in turn. Afterwards the
 * kernel's free-frame count and heap usage must be back at their baseline
 * (MEM_STATS, taken after a warm-up round as user/utests/leaks.c does).
 */
#include "utest.h"
#include "wasm_child.h"

static const char *utest_name = "wasm_many";

#define RUNS 100

struct kind {
    const char *argv[7]; /* after "bin/wasmrun" */
    int64_t status;
    const char *out; /* expected stdout, exactly */
};

static const struct kind kinds[] = {
    {{"--invoke", "add", "wasm/sandbox.wasm", "40", "2"}, 0, "42\n"},
    {{"wasm/tests/hello.wasm"}, 0, "Hello from the Wasm Sandbox!\nargc=1\n"},
    {{"wasm/tests/trap.wasm"}, 4, "before trap\n"},
    {{"--fuel", "10000", "--invoke", "spin", "wasm/tests/invoke.wasm"}, 5, ""},
    {{"--invoke", "bad_print", "wasm/sandbox.wasm"}, 4, ""},
};
#define NKINDS (int)(sizeof kinds / sizeof kinds[0])

static int run_kind(const struct kind *k)
{
    const char *argv[8] = {"bin/wasmrun"};
    int argc = 1;
    while (argc < 8 && k->argv[argc - 1])
        argv[argc] = k->argv[argc - 1], argc++;
    int64_t status;
    int reason;
    int r = wc_run(argv, argc, NULL, 1024, &status, &reason);
    if (r != MN_ERR_OK)
        return r;
    if (reason != MN_EXIT_NORMAL || status != k->status || strcmp(wc_out.buf, k->out) != 0) {
        printf("wasm_many: %s: status %ld reason %d, stdout '%s', stderr '%s'\n", argv[argc - 1], (long)status, reason,
               wc_out.buf, wc_err.buf);
        return MN_ERR_BAD_ARG;
    }
    return MN_ERR_OK;
}

/* MEM_STATS once every process this test started is gone (the reaper frees them shortly after they end). */
static int settled_stats(uint64_t procs, uint64_t *frames, uint64_t *heap)
{
    uint64_t out[3];
    for (int i = 0; i < 2000; i++) {
        if (mn_sys_MEM_STATS(mn_cap(MN_ROLE_ALLOCATOR), out) != 0)
            return MN_ERR_NO_RIGHTS;
        if (out[2] <= procs)
            break;
        mn_sys_SLEEP(1000000);
    }
    *frames = out[0];
    *heap = out[1];
    return out[2] <= procs ? MN_ERR_OK : MN_ERR_TIMEOUT;
}

int main(void)
{
    uint64_t out[3];
    CHECK(1, wc_setup() == MN_ERR_OK);
    CHECK(2, mn_sys_MEM_STATS(mn_cap(MN_ROLE_ALLOCATOR), out) == 0);
    uint64_t procs = out[2];
    for (int i = 0; i < NKINDS; i++)
        CHECK(3, run_kind(&kinds[i]) == MN_ERR_OK);
    uint64_t frames0, heap0, frames1, heap1;
    CHECK(4, settled_stats(procs, &frames0, &heap0) == MN_ERR_OK);
    uint64_t t0 = (uint64_t)mn_sys_CLOCK();
    for (int i = 0; i < RUNS; i++)
        CHECK(5, run_kind(&kinds[i % NKINDS]) == MN_ERR_OK);
    uint64_t ms = ((uint64_t)mn_sys_CLOCK() - t0) / 1000000;
    CHECK(6, settled_stats(procs, &frames1, &heap1) == MN_ERR_OK);
    printf(
        "wasm_many: %d modules in wasmrun processes in %lu ms: free frames %lu -> %lu, kernel heap bytes %lu -> %lu\n",
        RUNS, (unsigned long)ms, (unsigned long)frames0, (unsigned long)frames1, (unsigned long)heap0,
        (unsigned long)heap1);
    CHECK(7, frames1 == frames0);
    CHECK(8, heap1 == heap0);
    return 0;
}
