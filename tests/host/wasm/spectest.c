/* spectest.c - runs the WebAssembly spec suite (wast2json output) against
 * the engine.
 *
 *   spectest [-v] [-s] [--skip REASON] file.json ...
 *
 * -s (strict) also requires assert_malformed modules to be rejected as
 * malformed and assert_invalid ones as invalid.
 *
 * For every file prints "PASS spec/<name>" or "FAIL spec/<name>: <reason>"
 * (with --skip: "SKIP spec/<name>: REASON", counting every command as
 * skipped), and at the end "spec total: N passed, N failed, N skipped".
 * Text-format assert_malformed commands count as skipped.  Exit status 1 if
 * any command failed. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../lib/wasm/wasm.h"
#include "json.h"

typedef struct named {
    char *name;
    wasm_instance_t *inst;
    wasm_module_t *mod;
    struct named *next;
} named_t;

static wasm_store_t *store;
static named_t *registry; /* register "as" names */
static named_t *modules; /* $names and all loaded modules */
static wasm_instance_t *current;
static const char *dir;
static int verbose;
static int strict; /* -s: malformed vs invalid must match the assertion */
static long n_pass, n_fail, n_skip;
static char first_fail[300];
static int file_fail;

/* spectest module */
static wasm_extern_t st_print[7];
static const char *const st_print_names[7] = {"print",     "print_i32",     "print_i64",    "print_f32",
                                              "print_f64", "print_i32_f32", "print_f64_f64"};
static wasm_global_t *st_g[4];
static wasm_table_t *st_table;
static wasm_memory_t *st_mem;

static int host_print(wasm_host_ctx_t *ctx, wasm_value_t *v, void *user)
{
    (void)ctx, (void)v, (void)user;
    return 0;
}

static void setup_store(void)
{
    static const char *const sigs[7] = {"", "i", "I", "f", "F", "if", "FF"};
    wasm_val_t v;
    if (store)
        wasm_store_delete(store);
    store = wasm_store_new(&(wasm_limits_t){.max_call_depth = 10000, .stack_slots = 1u << 20});
    for (int i = 0; i < 7; i++) {
        st_print[i].kind = WASM_EXTERN_FUNC;
        st_print[i].of.func = wasm_func_new_host(store, sigs[i], host_print, NULL);
    }
    v.type = WASM_I32, v.of.i32 = 666;
    st_g[0] = wasm_global_new(store, v, false);
    v.type = WASM_I64, v.of.i64 = 666;
    st_g[1] = wasm_global_new(store, v, false);
    v.type = WASM_F32, v.of.f32 = 666.6f;
    st_g[2] = wasm_global_new(store, v, false);
    v.type = WASM_F64, v.of.f64 = 666.6;
    st_g[3] = wasm_global_new(store, v, false);
    st_table = wasm_table_new(store, WASM_FUNCREF, 10, 20, true);
    st_mem = wasm_memory_new(store, 1, 2, true);
}

static void free_list(named_t **l)
{
    while (*l) {
        named_t *n = *l;
        *l = n->next;
        free(n->name);
        free(n);
    }
}

static wasm_instance_t *find(named_t *l, const char *name)
{
    for (; l; l = l->next)
        if (l->name && !strcmp(l->name, name))
            return l->inst;
    return NULL;
}

static bool resolve(const char *mod, size_t ml, const char *name, size_t nl, wasm_extern_t *out)
{
    char m[256];
    snprintf(m, sizeof m, "%.*s", (int)ml, mod);
    if (!strcmp(m, "spectest")) {
        char n[64];
        snprintf(n, sizeof n, "%.*s", (int)nl, name);
        for (int i = 0; i < 7; i++)
            if (!strcmp(n, st_print_names[i])) {
                *out = st_print[i];
                return true;
            }
        static const char *const gn[4] = {"global_i32", "global_i64", "global_f32", "global_f64"};
        for (int i = 0; i < 4; i++)
            if (!strcmp(n, gn[i])) {
                out->kind = WASM_EXTERN_GLOBAL;
                out->of.global = st_g[i];
                return true;
            }
        if (!strcmp(n, "table")) {
            out->kind = WASM_EXTERN_TABLE;
            out->of.table = st_table;
            return true;
        }
        if (!strcmp(n, "memory")) {
            out->kind = WASM_EXTERN_MEMORY;
            out->of.memory = st_mem;
            return true;
        }
        return false;
    }
    wasm_instance_t *inst = find(registry, m);
    return inst && wasm_instance_export(inst, name, nl, out);
}

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long n;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    buf[n] = 0;
    *len = (size_t)n;
    return buf;
}

enum { R_OK, R_LOADFAIL, R_LINKFAIL, R_TRAP };

/* Every loaded module, freed after the store at the end of each file. */
static wasm_module_t **all_mods;
static size_t n_mods, cap_mods;

static void track_module(wasm_module_t *m)
{
    if (n_mods == cap_mods) {
        cap_mods = cap_mods ? cap_mods * 2 : 64;
        all_mods = realloc(all_mods, cap_mods * sizeof *all_mods);
    }
    all_mods[n_mods++] = m;
}

static void free_modules(void)
{
    if (store)
        wasm_store_delete(store);
    store = NULL;
    for (size_t i = 0; i < n_mods; i++)
        wasm_module_delete(all_mods[i]);
    n_mods = 0;
}

/* Loads and instantiates filename; returns R_* and fills err. */
static int load(const char *filename, wasm_module_t **mod, wasm_instance_t **inst, wasm_error_t *err)
{
    char path[1024];
    size_t len;
    unsigned char *bytes;
    int rc;
    snprintf(path, sizeof path, "%s/%s", dir, filename);
    bytes = read_file(path, &len);
    if (!bytes) {
        snprintf(err->msg, sizeof err->msg, "cannot read %.200s", path);
        return R_LOADFAIL;
    }
    rc = wasm_module_load(bytes, len, mod, err);
    free(bytes);
    if (rc)
        return R_LOADFAIL;
    track_module(*mod);
    uint32_t n = wasm_module_import_count(*mod);
    wasm_extern_t *ims = calloc(n + 1, sizeof *ims);
    for (uint32_t i = 0; i < n; i++) {
        const char *mn, *fn;
        size_t ml, fl;
        wasm_extern_kind_t k;
        wasm_module_import(*mod, i, &mn, &ml, &fn, &fl, &k);
        if (!resolve(mn, ml, fn, fl, &ims[i])) {
            snprintf(err->msg, sizeof err->msg, "unknown import %.*s.%.*s", (int)ml, mn, (int)fl, fn);
            free(ims);
            return R_LINKFAIL;
        }
    }
    rc = wasm_instance_new(store, *mod, ims, n, inst, err);
    free(ims);
    if (rc == WASM_E_LINK)
        return R_LINKFAIL;
    if (rc)
        return R_TRAP;
    return R_OK;
}

static bool parse_val(const json_t *j, wasm_val_t *v)
{
    const char *t = json_str(j, "type"), *s = json_str(j, "value");
    if (!t)
        return false;
    if (!strcmp(t, "i32"))
        v->type = WASM_I32, v->of.u32 = (uint32_t)strtoull(s, NULL, 10);
    else if (!strcmp(t, "i64"))
        v->type = WASM_I64, v->of.u64 = strtoull(s, NULL, 10);
    else if (!strcmp(t, "f32"))
        v->type = WASM_F32, v->of.u64 = 0, v->of.u32 = (uint32_t)strtoull(s, NULL, 10);
    else if (!strcmp(t, "f64"))
        v->type = WASM_F64, v->of.u64 = strtoull(s, NULL, 10);
    else if (!strcmp(t, "externref")) {
        v->type = WASM_EXTERNREF;
        v->of.ref = !s || !strcmp(s, "null") ? NULL : (void *)(uintptr_t)(strtoull(s, NULL, 10) + 1);
    } else if (!strcmp(t, "funcref")) {
        v->type = WASM_FUNCREF;
        v->of.ref = NULL;
    } else
        return false;
    return true;
}

static bool match_val(const json_t *exp, const wasm_val_t *got, char *why, size_t n)
{
    const char *t = json_str(exp, "type"), *s = json_str(exp, "value");
    if (!strcmp(t, "f32") || !strcmp(t, "f64")) {
        bool is32 = t[1] == '3';
        uint64_t bits = is32 ? got->of.u32 : got->of.u64;
        if (got->type != (is32 ? WASM_F32 : WASM_F64))
            goto bad;
        if (!strcmp(s, "nan:canonical")) {
            if (is32 ? (bits & 0x7fffffff) == 0x7fc00000 : (bits & ~(1ull << 63)) == 0x7ff8000000000000ull)
                return true;
            goto bad;
        }
        if (!strcmp(s, "nan:arithmetic")) {
            if (is32 ? (bits & 0x7fc00000) == 0x7fc00000 : (bits & 0x7ff8000000000000ull) == 0x7ff8000000000000ull)
                return true;
            goto bad;
        }
        if (bits == strtoull(s, NULL, 10))
            return true;
        goto bad;
    }
    if (!strcmp(t, "i32")) {
        if (got->type == WASM_I32 && got->of.u32 == (uint32_t)strtoull(s, NULL, 10))
            return true;
        goto bad;
    }
    if (!strcmp(t, "i64")) {
        if (got->type == WASM_I64 && got->of.u64 == strtoull(s, NULL, 10))
            return true;
        goto bad;
    }
    if (!strcmp(t, "externref") || !strcmp(t, "funcref")) {
        wasm_valtype_t want = t[0] == 'e' ? WASM_EXTERNREF : WASM_FUNCREF;
        if (got->type != want)
            goto bad;
        if (!s                   ? got->of.ref != NULL
            : !strcmp(s, "null") ? got->of.ref == NULL
                                 : got->of.ref == (void *)(uintptr_t)(strtoull(s, NULL, 10) + 1))
            return true;
    }
bad:
    snprintf(why, n, "expected %s:%s, got %s:0x%" PRIx64, t, s ? s : "", wasm_valtype_name(got->type), got->of.u64);
    return false;
}

/* Runs an action; returns 0, or the engine's error code with err filled. */
static int do_action(const json_t *a, wasm_val_t *res, uint32_t *nres, wasm_error_t *err)
{
    const char *type = json_str(a, "type"), *mod = json_str(a, "module"), *field = json_str(a, "field");
    wasm_instance_t *inst = mod ? find(modules, mod) : current;
    wasm_extern_t ex;
    json_t *fl = json_get(a, "field");
    size_t flen = fl ? fl->len : 0;
    err->code = 0;
    err->msg[0] = 0;
    if (!inst) {
        snprintf(err->msg, sizeof err->msg, "no module");
        return WASM_E_ARG;
    }
    if (!wasm_instance_export(inst, field, flen, &ex)) {
        snprintf(err->msg, sizeof err->msg, "no export %s", field);
        return WASM_E_ARG;
    }
    if (!strcmp(type, "get")) {
        if (ex.kind != WASM_EXTERN_GLOBAL)
            return WASM_E_ARG;
        res[0] = wasm_global_get(ex.of.global);
        *nres = 1;
        return 0;
    }
    wasm_val_t args[64];
    uint32_t n = 0;
    for (json_t *j = json_get(a, "args")->child; j && n < 64; j = j->next)
        if (!parse_val(j, &args[n++]))
            return WASM_E_ARG;
    if (ex.kind != WASM_EXTERN_FUNC)
        return WASM_E_ARG;
    *nres = wasm_func_result_count(ex.of.func);
    return wasm_func_call(store, ex.of.func, args, n, res, 64, err);
}

static void fail(int line, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    n_fail++;
    file_fail++;
    if (!first_fail[0])
        snprintf(first_fail, sizeof first_fail, "line %d: %s", line, buf);
    if (verbose)
        fprintf(stderr, "  line %d: %s\n", line, buf);
}

static void add_module(const char *name, wasm_module_t *mod, wasm_instance_t *inst)
{
    named_t *n = calloc(1, sizeof *n);
    n->name = name ? strdup(name) : NULL;
    n->inst = inst;
    n->mod = mod;
    n->next = modules;
    modules = n;
}

static void run_command(const json_t *c)
{
    const char *type = json_str(c, "type");
    json_t *lj = json_get(c, "line");
    int line = lj ? atoi(lj->str) : 0;
    wasm_error_t err = {0};
    wasm_module_t *mod = NULL;
    wasm_instance_t *inst = NULL;
    wasm_val_t res[64];
    uint32_t nres = 0;
    int rc;

    if (!strcmp(type, "module")) {
        rc = load(json_str(c, "filename"), &mod, &inst, &err);
        add_module(json_str(c, "name"), mod, rc == R_OK ? inst : NULL);
        if (rc != R_OK) {
            current = NULL;
            fail(line, "module failed: %s", err.msg);
            return;
        }
        current = inst;
        n_pass++;
    } else if (!strcmp(type, "register")) {
        const char *name = json_str(c, "name");
        wasm_instance_t *i = name ? find(modules, name) : current;
        named_t *n = calloc(1, sizeof *n);
        n->name = strdup(json_str(c, "as"));
        n->inst = i;
        n->next = registry;
        registry = n;
        if (!i)
            fail(line, "register: no module");
        else
            n_pass++;
    } else if (!strcmp(type, "action") || !strcmp(type, "assert_return")) {
        json_t *exp = json_get(c, "expected");
        rc = do_action(json_get(c, "action"), res, &nres, &err);
        if (rc) {
            fail(line, "%s: error: %s", json_str(json_get(c, "action"), "field"), err.msg);
            return;
        }
        if (exp && !strcmp(type, "assert_return")) {
            uint32_t i = 0;
            char why[200];
            for (json_t *e = exp->child; e; e = e->next, i++) {
                if (i >= nres || !match_val(e, &res[i], why, sizeof why)) {
                    if (i >= nres)
                        snprintf(why, sizeof why, "missing result");
                    fail(line, "%s: result %u: %s", json_str(json_get(c, "action"), "field"), i, why);
                    return;
                }
            }
        }
        n_pass++;
    } else if (!strcmp(type, "assert_trap") || !strcmp(type, "assert_exhaustion")) {
        const char *text = json_str(c, "text");
        rc = do_action(json_get(c, "action"), res, &nres, &err);
        if (rc != WASM_E_TRAP) {
            fail(line, "expected trap \"%s\", got %s", text, rc ? err.msg : "success");
            return;
        }
        if (text && strncmp(err.msg, text, strlen(text)) && strncmp(err.msg, text, strlen(err.msg))) {
            fail(line, "expected trap \"%s\", got \"%s\"", text, err.msg);
            return;
        }
        n_pass++;
    } else if (!strcmp(type, "assert_invalid") || !strcmp(type, "assert_malformed")) {
        const char *mt = json_str(c, "module_type");
        char path[1024];
        size_t len;
        unsigned char *bytes;
        if (mt && !strcmp(mt, "text")) {
            n_skip++;
            return;
        }
        snprintf(path, sizeof path, "%s/%s", dir, json_str(c, "filename"));
        bytes = read_file(path, &len);
        if (!bytes) {
            fail(line, "cannot read %s", path);
            return;
        }
        rc = wasm_module_load(bytes, len, &mod, &err);
        free(bytes);
        if (rc == 0) {
            wasm_module_delete(mod);
            fail(line, "module should be %s (\"%s\") but loaded", type + 7, json_str(c, "text"));
            return;
        }
        if (strict && rc != (type[7] == 'm' ? WASM_E_MALFORMED : WASM_E_INVALID) && rc != WASM_E_UNSUPPORTED) {
            fail(line, "%s module rejected as %s: %s (expected \"%s\")", type + 7,
                 rc == WASM_E_MALFORMED ? "malformed" : "invalid", err.msg, json_str(c, "text"));
            return;
        }
        if (verbose > 1)
            fprintf(stderr, "  line %d: ok: %s (expected \"%s\")\n", line, err.msg, json_str(c, "text"));
        n_pass++;
    } else if (!strcmp(type, "assert_unlinkable") || !strcmp(type, "assert_uninstantiable")) {
        bool unlink = type[7] == 'u' && type[9] == 'l';
        rc = load(json_str(c, "filename"), &mod, &inst, &err);
        if (rc == R_OK || rc == R_LOADFAIL || (unlink && rc != R_LINKFAIL) || (!unlink && rc != R_TRAP)) {
            fail(line, "%s: got %s", type, rc == R_OK ? "success" : err.msg);
            return;
        }
        n_pass++;
    } else {
        fail(line, "unknown command %s", type);
    }
}

static void count_skipped(const json_t *root)
{
    for (json_t *c = json_get(root, "commands")->child; c; c = c->next)
        n_skip++;
}

int main(int argc, char **argv)
{
    const char *skip_reason = NULL;
    long tp = 0, tf = 0, ts = 0;
    int any_fail = 0;
    for (int i = 1; i < argc; i++) {
        char *text, *name, *slash;
        size_t len;
        json_t *root;
        if (!strcmp(argv[i], "-v")) {
            verbose++;
            continue;
        }
        if (!strcmp(argv[i], "-s")) {
            strict = 1;
            continue;
        }
        if (!strcmp(argv[i], "--skip") && i + 1 < argc) {
            skip_reason = argv[++i];
            continue;
        }
        name = strdup(argv[i]);
        slash = strrchr(name, '/');
        dir = slash ? (*slash = 0, name) : ".";
        {
            char *base = strdup(slash ? slash + 1 : name);
            char *dot = strrchr(base, '.');
            if (dot)
                *dot = 0;
            text = (char *)read_file(argv[i], &len);
            root = text ? json_parse(text) : NULL;
            n_pass = n_fail = n_skip = 0;
            file_fail = 0;
            first_fail[0] = 0;
            if (!root) {
                printf("FAIL spec/%s: cannot read or parse %s\n", base, argv[i]);
                any_fail = 1;
                tf++;
            } else if (skip_reason) {
                count_skipped(root);
                printf("SKIP spec/%s: %s (%ld commands)\n", base, skip_reason, n_skip);
            } else {
                setup_store();
                current = NULL;
                for (json_t *c = json_get(root, "commands")->child; c; c = c->next)
                    run_command(c);
                if (n_fail) {
                    printf("FAIL spec/%s: %ld of %ld commands failed; first: %s\n", base, n_fail, n_pass + n_fail,
                           first_fail);
                    any_fail = 1;
                } else {
                    printf("PASS spec/%s (%ld passed, %ld skipped)\n", base, n_pass, n_skip);
                }
                free_list(&registry);
                free_list(&modules);
                free_modules();
            }
            fflush(stdout);
            tp += n_pass, tf += n_fail, ts += n_skip;
            json_free(root);
            free(text);
            free(base);
        }
        free(name);
        skip_reason = NULL;
    }
    printf("spec total: %ld passed, %ld failed, %ld skipped\n", tp, tf, ts);
    free(all_mods);
    fflush(stdout);
    return any_fail;
}
