/* mnwasm.c - the host command-line runner of the MinimalOS Wasm engine.
 * See usage() for the interface. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../../lib/wasm/wasi.h"
#include "../../../lib/wasm/wasm.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: mnwasm [options] prog.wasm [args...]\n"
               "       mnwasm [options] --invoke NAME [values...] mod.wasm [values...]\n"
               "\n"
               "Runs a WASI (preview 1) program: calls its _start export with args as\n"
               "its command line; the exit status is the program's exit code.\n"
               "With --invoke, calls export NAME with the values (parsed by parameter\n"
               "type: integers in decimal or 0x hex, floats as C literals, \"null\")\n"
               "and prints each result on its own line (i32/i64 in signed decimal).\n"
               "WASI imports are available in both modes.\n"
               "\n"
               "options:\n"
               "  --invoke NAME    call export NAME instead of _start\n"
               "  --fuel N         stop after N units of work (calls + loop iterations)\n"
               "  --max-pages N    ceiling for linear memory, in 64 KiB pages\n"
               "  --stack-depth N  maximum wasm call depth (default 20000)\n"
               "  --env NAME=VAL   add an environment variable for the program\n"
               "  --validate       only decode and validate the module\n"
               "  -h, --help       show this help\n"
               "\n"
               "exit status: the program's exit code (WASI), 0 after --invoke;\n"
               "  1 bad usage or unreadable file, 2 module malformed/invalid/unsupported,\n"
               "  3 link error, 4 trap, 5 fuel exhausted.\n");
}

static long io_write(void *user, int fd, const void *buf, size_t len)
{
    (void)user;
    fflush(stdout);
    return (long)write(fd, buf, len);
}

static long io_read(void *user, void *buf, size_t len)
{
    ssize_t r;
    (void)user;
    do
        r = read(0, buf, len);
    while (r < 0 && errno == EINTR);
    return (long)r;
}

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t cap = 0, n = 0, r;
    if (!f)
        return NULL;
    do {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            buf = realloc(buf, cap);
        }
        r = fread(buf + n, 1, cap - n, f);
        n += r;
    } while (r > 0);
    fclose(f);
    *len = n;
    return buf;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

static bool parse_value(const char *s, wasm_valtype_t t, wasm_val_t *v)
{
    char *end;
    v->type = t;
    v->of.u64 = 0;
    errno = 0;
    switch (t) {
    case WASM_I32: v->of.i32 = (int32_t)strtoll(s, &end, 0); break;
    case WASM_I64: v->of.i64 = s[0] == '-' ? strtoll(s, &end, 0) : (int64_t)strtoull(s, &end, 0); break;
    case WASM_F32: v->of.f32 = strtof(s, &end); break;
    case WASM_F64: v->of.f64 = strtod(s, &end); break;
    default:
        if (!strcmp(s, "null"))
            return true;
        return false;
    }
    return *s && !*end && !errno;
}

static void print_value(const wasm_val_t *v)
{
    switch (v->type) {
    case WASM_I32: printf("%" PRId32 "\n", v->of.i32); break;
    case WASM_I64: printf("%" PRId64 "\n", v->of.i64); break;
    case WASM_F32: printf("%.9g\n", (double)v->of.f32); break;
    case WASM_F64: printf("%.17g\n", v->of.f64); break;
    default: printf(v->of.ref ? "ref\n" : "null\n"); break;
    }
}

int main(int argc, char **argv)
{
    const char *invoke = NULL, *path = NULL;
    const char *envs[256];
    const char **pos = calloc((size_t)argc + 1, sizeof *pos);
    int nenv = 0, npos = 0, ipath = -1, rc;
    bool validate_only = false;
    wasm_limits_t lim = {0};
    wasm_error_t err = {0};
    unsigned char *bytes;
    size_t len;
    wasm_module_t *mod;
    wasm_store_t *store;
    wasm_instance_t *inst;
    wasm_wasi_t *wasi;
    wasm_extern_t *imports, ex;
    wasm_wasi_io_t io = {NULL, io_write, io_read, NULL};

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (npos == 0 || invoke) {
            bool more = i + 1 < argc;
            if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
                usage(stdout);
                return 0;
            } else if (!strcmp(a, "--invoke") && more) {
                invoke = argv[++i];
                continue;
            } else if (!strcmp(a, "--fuel") && more) {
                lim.fuel = strtoull(argv[++i], NULL, 0);
                continue;
            } else if (!strcmp(a, "--max-pages") && more) {
                lim.max_memory_pages = (uint32_t)strtoul(argv[++i], NULL, 0);
                continue;
            } else if (!strcmp(a, "--stack-depth") && more) {
                lim.max_call_depth = (uint32_t)strtoul(argv[++i], NULL, 0);
                continue;
            } else if (!strcmp(a, "--env") && more) {
                if (nenv < 256)
                    envs[nenv++] = argv[++i];
                continue;
            } else if (!strcmp(a, "--validate")) {
                validate_only = true;
                continue;
            } else if (a[0] == '-' && a[1] == '-') {
                fprintf(stderr, "mnwasm: unknown option %s (see --help)\n", a);
                return 1;
            }
        }
        pos[npos++] = a;
    }
    if (npos == 0) {
        usage(stderr);
        return 1;
    }
    ipath = 0;
    if (invoke)
        for (int i = 0; i < npos; i++)
            if (ends_with(pos[i], ".wasm")) {
                ipath = i;
                break;
            }
    path = pos[ipath];
    bytes = read_file(path, &len);
    if (!bytes) {
        fprintf(stderr, "mnwasm: cannot read %s: %s\n", path, strerror(errno));
        return 1;
    }
    rc = wasm_module_load(bytes, len, &mod, &err);
    free(bytes);
    if (rc) {
        fprintf(stderr, "mnwasm: %s: %s\n", path, err.msg);
        return 2;
    }
    if (validate_only) {
        printf("%s: valid\n", path);
        return 0;
    }
    store = wasm_store_new(&lim);
    if (!store) {
        fprintf(stderr, "mnwasm: out of memory\n");
        return 1;
    }
    {
        /* WASI argv: the program path, then the remaining arguments */
        const char **wargv = calloc((size_t)npos + 1, sizeof *wargv);
        int wargc = 0;
        wargv[wargc++] = path;
        if (!invoke)
            for (int i = ipath + 1; i < npos; i++)
                wargv[wargc++] = pos[i];
        wasi = wasm_wasi_new(store, &io, wargc, wargv, nenv, envs);
        free(wargv);
    }
    imports = calloc(wasm_module_import_count(mod) + 1, sizeof *imports);
    for (uint32_t i = 0; i < wasm_module_import_count(mod); i++) {
        const char *mn, *fn;
        size_t ml, fl;
        wasm_extern_kind_t k;
        if (wasm_wasi_resolve(wasi, mod, i, &imports[i]))
            continue;
        wasm_module_import(mod, i, &mn, &ml, &fn, &fl, &k);
        fprintf(stderr, "mnwasm: %s: unknown import \"%.*s\" \"%.*s\"\n", path, (int)ml, mn, (int)fl, fn);
        return 3;
    }
    rc = wasm_instance_new(store, mod, imports, wasm_module_import_count(mod), &inst, &err);
    if (rc == WASM_E_EXIT)
        return err.exit_status;
    if (rc) {
        fprintf(stderr, "mnwasm: %s: %s: %s\n", path,
                rc == WASM_E_LINK   ? "link error"
                : rc == WASM_E_TRAP ? "trap"
                                    : "error",
                err.msg);
        return rc == WASM_E_LINK ? 3 : rc == WASM_E_FUEL ? 5 : 4;
    }
    const char *fname = invoke ? invoke : "_start";
    if (!wasm_instance_export(inst, fname, strlen(fname), &ex) || ex.kind != WASM_EXTERN_FUNC) {
        fprintf(stderr, "mnwasm: %s: no exported function \"%s\"\n", path, fname);
        return 1;
    }
    {
        uint32_t np = wasm_func_param_count(ex.of.func), nr = wasm_func_result_count(ex.of.func);
        wasm_val_t *args = calloc(np + 1, sizeof *args), *res = calloc(nr + 1, sizeof *res);
        uint32_t na = 0;
        if (invoke) {
            for (int i = 0; i < npos; i++) {
                if (i == ipath)
                    continue;
                if (na >= np || !parse_value(pos[i], wasm_func_param_type(ex.of.func, na), &args[na])) {
                    fprintf(stderr, "mnwasm: bad argument \"%s\" for %s\n", pos[i], fname);
                    return 1;
                }
                na++;
            }
        }
        if (na != np) {
            fprintf(stderr, "mnwasm: %s takes %u arguments, got %u\n", fname, np, na);
            return 1;
        }
        rc = wasm_func_call(store, ex.of.func, args, na, res, nr, &err);
        fflush(stdout);
        if (rc == WASM_E_EXIT)
            return err.exit_status;
        if (rc) {
            fprintf(stderr, "mnwasm: %s: %s: %s\n", path, rc == WASM_E_FUEL ? "stopped" : "trap", err.msg);
            return rc == WASM_E_FUEL ? 5 : 4;
        }
        if (invoke)
            for (uint32_t i = 0; i < nr; i++)
                print_value(&res[i]);
        free(args);
        free(res);
    }
    free(imports);
    free(pos);
    wasm_store_delete(store);
    wasm_module_delete(mod);
    return 0;
}
