/*
 * wasm_wasi: the engine's WASI test programs (tests/wasm, built into the
 * initrd by user/wasm/build.mk) run inside MinimalOS, each in a wasmrun
 * process whose stdout, stderr and stdin this test serves (wasm_child.h),
 * with the arguments, input, output and exit status that
 * tests/host/wasm/wasi-tests.sh expects on the host. Then the terminal
 * conventions of MinimalOS's stdin (CR is LF, ^D ends it), and the
 * freestanding invoke.c module through wasmrun --invoke.
 */
#include "utest.h"
#include "wasm_child.h"

static const char *utest_name = "wasm_wasi";

struct wasi_case {
    const char *name; /* for the log */
    const char *argv[8]; /* wasmrun's, after "bin/wasmrun" */
    const char *input; /* stdin */
    int64_t status; /* expected exit status */
    const char *out; /* expected stdout, exactly; or NULL */
    const char *out_has, *err_has; /* texts stdout / stderr must contain, or NULL */
};

static const struct wasi_case cases[] = {
    {.name = "hello",
     .argv = {"wasm/tests/hello.wasm", "one", "two words", "3"},
     .status = 3,
     .out = "Hello from the Wasm Sandbox!\nargc=4\nargv[1]=one\nargv[2]=two words\nargv[3]=3\n",
     .err_has = "this goes to stderr\n"},
    {.name = "stdin_upper",
     .argv = {"wasm/tests/stdin_upper.wasm"},
     .input = "hello\nwasm world\n",
     .out = "HELLO\nWASM WORLD\nbytes=17 lines=2\n"},
    {.name = "sys",
     .argv = {"--env", "MNWASM_TEST=yes", "wasm/tests/sys.wasm"},
     .status = 7,
     .out = "env=yes\nclock_monotonic_ok=1\nrealtime_after_2020=1\nrandom_ok=1\nmalloc_ok=1\nopen_fails=1\n"},
    {.name = "trap",
     .argv = {"wasm/tests/trap.wasm"},
     .status = 4,
     .out_has = "before trap",
     .err_has = "trap: unreachable"},
    {.name = "hello_rust",
     .argv = {"wasm/tests/hello_rust.wasm", "x", "y z"},
     .input = "10 20\n30\n",
     .out = "Hello from Rust on the Wasm Sandbox!\nargs=2\narg x\narg y z\nsum=60\n"},
    /* MinimalOS's stdin: a terminal sends CR for Enter, and ^D ends the input */
    {.name = "stdin_cr", .argv = {"wasm/tests/stdin_upper.wasm"}, .input = "a\rb\r", .out = "A\nB\nbytes=4 lines=2\n"},
    {.name = "stdin_eot",
     .argv = {"wasm/tests/stdin_upper.wasm"},
     .input = "abc\x04ignored",
     .out = "ABCbytes=3 lines=0\n"},
    /* the freestanding module of the host's --invoke tests */
    {.name = "invoke_add", .argv = {"--invoke", "add", "wasm/tests/invoke.wasm", "10", "32"}, .out = "42\n"},
    {.name = "invoke_mul64",
     .argv = {"--invoke", "mul64", "wasm/tests/invoke.wasm", "-3", "5000000000"},
     .out = "-15000000000\n"},
    {.name = "invoke_div0",
     .argv = {"--invoke", "div", "wasm/tests/invoke.wasm", "1", "0"},
     .status = 4,
     .err_has = "trap: integer divide by zero"},
    {.name = "invoke_fuel",
     .argv = {"--fuel", "100000", "--invoke", "spin", "wasm/tests/invoke.wasm"},
     .status = 5,
     .err_has = "fuel exhausted"},
};

/* Runs one case; returns NULL or what was wrong. */
static const char *run_case(const struct wasi_case *c)
{
    const char *argv[9] = {"bin/wasmrun"};
    int argc = 1;
    while (argc < 9 && c->argv[argc - 1])
        argv[argc] = c->argv[argc - 1], argc++;
    int64_t status = 0;
    int reason = 0;
    int r = wc_run(argv, argc, c->input, 4096, &status, &reason);
    if (r != MN_ERR_OK) {
        printf("%s: %s: wasmrun did not start: %s\n", utest_name, c->name, mn_error_name(r));
        return "wasmrun did not start";
    }
    wc_show(c->name, "out", &wc_out);
    wc_show(c->name, "err", &wc_err);
    if (reason != MN_EXIT_NORMAL)
        return "wasmrun did not exit normally";
    if (status != c->status) {
        printf("wasm_wasi: %s: exit status %ld, expected %ld\n", c->name, (long)status, (long)c->status);
        return "wrong exit status";
    }
    if (c->out && strcmp(wc_out.buf, c->out) != 0)
        return "unexpected stdout";
    if (c->out_has && !strstr(wc_out.buf, c->out_has))
        return "stdout lacks the expected text";
    if (c->err_has && !strstr(wc_err.buf, c->err_has))
        return "stderr lacks the expected text";
    return NULL;
}

int main(void)
{
    CHECK(1, wc_setup() == MN_ERR_OK);
    int failed = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *why = run_case(&cases[i]);
        if (why) {
            printf("wasm_wasi: FAIL %s: %s\n", cases[i].name, why);
            failed++;
        } else {
            printf("wasm_wasi: ok %s\n", cases[i].name);
        }
    }
    CHECK(2, failed == 0);
    return 0;
}
