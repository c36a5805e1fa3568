/*
 * wasmbench_core.c - the benchmark loop shared by MinimalOS's wasmbench and
 * its Linux twin (see wasmbench.h). Portable: the engine's API, snprintf
 * and string functions (libmnos's or glibc's), RDTSC.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../../lib/wasm/wasi.h"
#include "../../../lib/wasm/wasm.h"
#include "wasmbench.h"

#define INSTANTIATE_RUNS 7
#define BIG_MODULE "wasm/tests/hello_rust.wasm"

static const char *const programs[] = {"coremark_like", "sha256", "nbody", "sieve", "fib", "interp"};

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return ((uint64_t)hi << 32) | lo;
}

/* A figure: "PREFIX: wasm.NAME[SUFFIX] VALUE insns". */
static void figure(const struct wb_env *env, const char *name, const char *suffix, uint64_t value)
{
    char line[200];
    snprintf(line, sizeof line, "%s: wasm.%s%s %lu insns\n", env->prefix, name, suffix, (unsigned long)value);
    env->print(line);
}

static void note(const struct wb_env *env, const char *what, const char *name, const char *msg)
{
    char line[320];
    snprintf(line, sizeof line, "wasmbench: %s: %s: %s\n", name, what, msg);
    env->print(line);
}

static bool selected(const char *sel, const char *name)
{
    if (strcmp(sel, "all") == 0)
        return true;
    size_t n = strlen(name);
    for (const char *p = sel; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0)
            return true;
        p += len + (e ? 1 : 0);
    }
    return false;
}

/* One benchmark program: instantiate, then time one call of run. */
static int bench_program(const struct wb_env *env, const char *name)
{
    char path[64];
    const void *bytes;
    size_t len;
    wasm_error_t err;
    wasm_module_t *m;
    wasm_instance_t *inst;
    wasm_extern_t ex;
    snprintf(path, sizeof path, "wasm/bench/%s.wasm", name);
    if (env->read_file(path, &bytes, &len) != 0) {
        note(env, "missing", name, path);
        return 1;
    }
    if (wasm_module_load(bytes, len, &m, &err) != WASM_OK) {
        note(env, "invalid", name, err.msg);
        return 1;
    }
    wasm_store_t *s = wasm_store_new(NULL);
    int failed = 1;
    if (!s)
        note(env, "error", name, "no memory for a store");
    else if (wasm_instance_new(s, m, NULL, 0, &inst, &err) != WASM_OK)
        note(env, "instantiate", name, err.msg);
    else if (!wasm_instance_export(inst, "run", 3, &ex) || ex.kind != WASM_EXTERN_FUNC)
        note(env, "error", name, "no run export");
    else {
        wasm_val_t res[1];
        uint64_t t0 = rdtsc();
        int rc = wasm_func_call(s, ex.of.func, NULL, 0, res, 1, &err);
        uint64_t t = rdtsc() - t0;
        if (rc != WASM_OK) {
            note(env, "run", name, err.msg);
        } else {
            char line[160];
            figure(env, name, env->suffix, t);
            snprintf(line, sizeof line, "wasmbench: %s checksum %d, module %lu bytes\n", name, res[0].of.i32,
                     (unsigned long)len);
            env->print(line);
            failed = 0;
        }
    }
    wasm_store_delete(s);
    wasm_module_delete(m);
    return failed;
}

/* Load + validate + instantiate (WASI linked, no call) of a ~100 KiB module, the median of INSTANTIATE_RUNS. */
static int bench_instantiate(const struct wb_env *env)
{
    const void *bytes;
    size_t len;
    uint64_t t[INSTANTIATE_RUNS];
    if (env->read_file(BIG_MODULE, &bytes, &len) != 0) {
        note(env, "missing", "instantiate_100k", BIG_MODULE);
        return 1;
    }
    for (int r = 0; r < INSTANTIATE_RUNS; r++) {
        wasm_error_t err;
        wasm_module_t *m;
        wasm_instance_t *inst;
        wasm_extern_t imports[64];
        const char *argv[1] = {BIG_MODULE};
        static const wasm_wasi_io_t io = {0};
        uint64_t t0 = rdtsc();
        if (wasm_module_load(bytes, len, &m, &err) != WASM_OK) {
            note(env, "invalid", "instantiate_100k", err.msg);
            return 1;
        }
        wasm_store_t *s = wasm_store_new(&(wasm_limits_t){.stack_slots = 65536, .max_call_depth = 1000});
        wasm_wasi_t *w = s ? wasm_wasi_new(s, &io, 1, argv, 0, NULL) : NULL;
        uint32_t n = wasm_module_import_count(m);
        bool linked = w && n <= 64;
        for (uint32_t i = 0; linked && i < n; i++)
            linked = wasm_wasi_resolve(w, m, i, &imports[i]);
        int rc = linked ? wasm_instance_new(s, m, imports, n, &inst, &err) : WASM_E_LINK;
        t[r] = rdtsc() - t0;
        wasm_store_delete(s);
        wasm_module_delete(m);
        if (rc != WASM_OK) {
            note(env, "instantiate", "instantiate_100k", linked ? err.msg : "cannot link its WASI imports");
            return 1;
        }
    }
    for (int i = 1; i < INSTANTIATE_RUNS; i++)
        for (int j = i; j > 0 && t[j - 1] > t[j]; j--) {
            uint64_t x = t[j];
            t[j] = t[j - 1];
            t[j - 1] = x;
        }
    char line[160];
    figure(env, "instantiate_100k", "", t[INSTANTIATE_RUNS / 2]);
    snprintf(line, sizeof line, "wasmbench: instantiate_100k: %s, %lu bytes, median of %u runs\n", BIG_MODULE,
             (unsigned long)len, (unsigned)INSTANTIATE_RUNS);
    env->print(line);
    return 0;
}

int wb_main(const struct wb_env *env, const char *selection)
{
    int failures = 0;
    for (size_t i = 0; i < sizeof programs / sizeof programs[0]; i++)
        if (selected(selection, programs[i]))
            failures += bench_program(env, programs[i]);
    if (selected(selection, "instantiate_100k"))
        failures += bench_instantiate(env);
    env->print("wasmbench: done\n");
    return failures;
}
