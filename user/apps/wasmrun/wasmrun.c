/*
 * wasmrun: runs a WebAssembly module from the initrd in this process, which
 * holds only what its parent gave it (a console, an allocator with a
 * budget, the initrd, and perhaps console input): the module is isolated
 * by the interpreter and, around it, by the MMU and the capabilities.
 *
 *   wasmrun [options] PROG.wasm [args...]                      a WASI program (_start)
 *   wasmrun [options] --invoke NAME PROG.wasm [values...]      call an export, print its results
 *
 * options (as build/host/mnwasm's, plus --time-ms):
 *   --fuel N         stop after N units of work (calls + taken branches)
 *   --max-pages N    linear-memory ceiling in 64 KiB pages
 *   --stack-depth N  Wasm call depth (default 10000)
 *   --time-ms N      end the whole run after N ms (a watchdog thread)
 *   --env NAME=VAL   an environment variable for the program
 *   --validate       only decode and validate
 * Values for --invoke are integers (i32, i64; decimal or 0x); results are
 * printed one per line, i32/i64 in signed decimal, f32/f64 as their bits
 * (libmnos has no floating-point formatting).
 *
 * Standard streams (wasm_mnos.h): stdout on "console", stderr on "stderr"
 * (else the console), stdin from "console-in" (else empty). The module may
 * also import env.host_print(ptr, len), which writes its range-checked
 * bytes to stdout. Reports of traps and invalid modules go to stderr.
 * Exit status: the module's own (proc_exit or _start's return), else 1
 * usage or no such file, 2 invalid module, 3 link error, 4 trap, 5 fuel
 * exhausted, 6 time budget exhausted, 7 out of memory.
 */
#include "../../wasm/wasm_mnos.h"
#include "libmnos.h"
#include "stdio.h"
#include "stdlib.h"
#include "string.h"

#define MAX_ENV 32
#define DEFAULT_STACK_SLOTS (128u * 1024u) /* 1 MiB value stack */
#define DEFAULT_CALL_DEPTH 10000
#define INVOKE_USAGE (-1000) /* a bad --invoke: already reported */

static struct mnw_streams streams;
static const char *prog_path;

static int usage(void)
{
    mnw_errorf(&streams, "usage: wasmrun [--fuel N] [--max-pages N] [--stack-depth N] [--time-ms N] "
                         "[--env NAME=VAL] [--validate] [--invoke NAME] PROG.wasm [args or values...]\n");
    return 1;
}

/* env.host_print(ptr, len) in a process: the same range check as init's bridge, the bytes to stdout. */
static int host_print(wasm_host_ctx_t *ctx, wasm_value_t *v, void *user)
{
    (void)user;
    uint32_t ptr = v[0].u32, len = v[1].u32;
    const char *p = wasm_host_memory(ctx, ptr, len);
    if (!p) {
        char why[120];
        snprintf(why, sizeof why, "host_print: [0x%x, 0x%x + 0x%x) is outside the module's memory (%lu bytes)", ptr,
                 ptr, len, (unsigned long)wasm_host_memory_size(ctx));
        return wasm_host_trap(ctx, why);
    }
    if (len)
        mn_console_write(p, len);
    return 0;
}

static bool imports(void *user, wasm_store_t *s, const char *module, size_t module_len, const char *name,
                    size_t name_len, const char *sig, wasm_extern_t *out)
{
    (void)user;
    (void)sig;
    if (module_len != 3 || memcmp(module, "env", 3) != 0 || name_len != 10 || memcmp(name, "host_print", 10) != 0)
        return false;
    out->kind = WASM_EXTERN_FUNC;
    out->of.func = wasm_func_new_host(s, "ii:", host_print, NULL);
    return out->of.func != NULL;
}

/* The watchdog: ends the whole process (the module with it) once its time is up. */
static void watchdog(void *arg)
{
    uint64_t ms = (uint64_t)(uintptr_t)arg;
    mn_sys_SLEEP(ms * 1000000ull);
    mnw_errorf(&streams, "wasmrun: %s: time budget exhausted (%lu ms)\n", prog_path, (unsigned long)ms);
    exit(MNW_STATUS_TIME);
}

static bool parse_number(const char *s, uint64_t *out)
{
    char *end;
    if (!*s)
        return false;
    *out = s[0] == '-' ? (uint64_t)strtoll(s, &end, 0) : strtoull(s, &end, 0);
    return *end == 0;
}

static void print_value(const wasm_val_t *v)
{
    switch (v->type) {
    case WASM_I32: printf("%d\n", v->of.i32); break;
    case WASM_I64: printf("%ld\n", (long)v->of.i64); break;
    case WASM_F32: printf("f32:0x%08x\n", v->of.u32); break;
    case WASM_F64: printf("f64:0x%016lx\n", (unsigned long)v->of.u64); break;
    default: printf(v->of.ref ? "ref\n" : "null\n"); break;
    }
}

/* Calls `name` with the integer values in vals[0..nvals); prints its results. */
static int invoke(struct mnw_run *run, const char *name, char **vals, int nvals, wasm_error_t *err)
{
    wasm_extern_t ex;
    if (!wasm_instance_export(run->instance, name, strlen(name), &ex) || ex.kind != WASM_EXTERN_FUNC) {
        mnw_errorf(&streams, "wasmrun: %s: no exported function \"%s\"\n", prog_path, name);
        return INVOKE_USAGE;
    }
    uint32_t np = wasm_func_param_count(ex.of.func), nr = wasm_func_result_count(ex.of.func);
    wasm_val_t args[16], res[16];
    if (np != (uint32_t)nvals || np > 16 || nr > 16) {
        mnw_errorf(&streams, "wasmrun: %s takes %u arguments, got %d\n", name, np, nvals);
        return INVOKE_USAGE;
    }
    for (uint32_t i = 0; i < np; i++) {
        uint64_t n;
        wasm_valtype_t t = wasm_func_param_type(ex.of.func, i);
        if ((t != WASM_I32 && t != WASM_I64) || !parse_number(vals[i], &n)) {
            mnw_errorf(&streams, "wasmrun: bad argument \"%s\" for %s (integers only)\n", vals[i], name);
            return INVOKE_USAGE;
        }
        args[i].type = t;
        args[i].of.u64 = 0;
        if (t == WASM_I32)
            args[i].of.u32 = (uint32_t)n;
        else
            args[i].of.u64 = n;
    }
    int rc = wasm_func_call(run->store, ex.of.func, args, np, res, nr, err);
    if (rc == WASM_OK)
        for (uint32_t i = 0; i < nr; i++)
            print_value(&res[i]);
    return rc;
}

int main(int argc, char **argv)
{
    mnw_streams_from_caps(&streams);
    wasm_limits_t lim = {.stack_slots = DEFAULT_STACK_SLOTS, .max_call_depth = DEFAULT_CALL_DEPTH};
    const char *envs[MAX_ENV], *invoke_name = NULL;
    int nenv = 0, i = 1;
    uint64_t time_ms = 0, n;
    bool validate = false;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        const char *a = argv[i];
        bool more = i + 1 < argc;
        if (strcmp(a, "--validate") == 0)
            validate = true;
        else if (!more)
            return usage();
        else if (strcmp(a, "--invoke") == 0)
            invoke_name = argv[++i];
        else if (strcmp(a, "--env") == 0 && nenv < MAX_ENV)
            envs[nenv++] = argv[++i];
        else if (!parse_number(argv[i + 1], &n))
            return usage();
        else if (strcmp(a, "--fuel") == 0)
            lim.fuel = n, i++;
        else if (strcmp(a, "--max-pages") == 0)
            lim.max_memory_pages = (uint32_t)n, i++;
        else if (strcmp(a, "--stack-depth") == 0)
            lim.max_call_depth = (uint32_t)n, i++;
        else if (strcmp(a, "--time-ms") == 0)
            time_ms = n, i++;
        else
            return usage();
    }
    if (i >= argc)
        return usage();
    prog_path = argv[i];
    wasm_error_t err = {0};
    if (validate) {
        const void *bytes;
        size_t len;
        wasm_module_t *m;
        if (mn_initrd_read(prog_path, &bytes, &len) != MN_ERR_OK) {
            mnw_errorf(&streams, "wasmrun: %s: no such file in the initrd\n", prog_path);
            return 1;
        }
        if (wasm_module_load(bytes, len, &m, &err) != WASM_OK) {
            mnw_errorf(&streams, "wasmrun: %s: %s\n", prog_path, err.msg);
            return 2;
        }
        wasm_module_delete(m);
        printf("%s: valid\n", prog_path);
        return 0;
    }
    if (time_ms && mn_thread_create(watchdog, (void *)(uintptr_t)time_ms, 0) < 0) {
        mnw_errorf(&streams, "wasmrun: cannot start the watchdog thread\n");
        return 1;
    }
    /* WASI argv: the program path and the arguments after it (none with --invoke: those are values). */
    struct mnw_run_args a = {
        .path = prog_path,
        .limits = lim,
        .argc = invoke_name ? 1 : argc - i,
        .argv = (const char *const *)&argv[i],
        .envc = nenv,
        .envp = envs,
        .streams = &streams,
        .imports = imports,
        .imports_user = NULL,
    };
    struct mnw_run run;
    int rc = mnw_start(&run, &a, &err);
    if (rc == WASM_OK) {
        if (invoke_name) {
            rc = invoke(&run, invoke_name, &argv[i + 1], argc - i - 1, &err);
            if (rc == INVOKE_USAGE) {
                mnw_end(&run);
                return 1;
            }
        } else {
            rc = mnw_call(&run, "_start", NULL, 0, NULL, 0, &err);
        }
    }
    if (rc == WASM_E_FUEL)
        mnw_errorf(&streams, "wasmrun: %s: stopped: %s (fuel budget %lu)\n", prog_path, err.msg,
                   (unsigned long)lim.fuel);
    else if (rc != WASM_OK && rc != WASM_E_EXIT)
        mnw_errorf(&streams, "wasmrun: %s: %s: %s\n", prog_path, mnw_outcome(rc), err.msg);
    int status = mnw_exit_code(rc, &err);
    mnw_end(&run);
    return status;
}
