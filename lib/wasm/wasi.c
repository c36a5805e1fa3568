/* wasi.c - WASI preview 1 host functions (see wasi.h). */
#include "internal.h"
#include "wasi.h"

enum {
    E_SUCCESS = 0,
    E_BADF = 8,
    E_FAULT = 21,
    E_INVAL = 28,
    E_IO = 29,
    E_NOSYS = 52,
    E_SPIPE = 70,
};

struct wasm_wasi {
    wasm_store_t *store;
    wasm_wasi_io_t io;
    int argc, envc;
    char **argv, **envp;
    uint32_t argv_size, env_size;
    bool closed[3];
    uint64_t rng;
};

static size_t slen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

static char **copy_strings(wasm_store_t *s, int n, const char *const *v, uint32_t *size)
{
    char **out = wasm_store_alloc(s, ((size_t)n + 1) * sizeof(char *));
    *size = 0;
    if (!out)
        return NULL;
    for (int i = 0; i < n; i++) {
        size_t len = slen(v[i]);
        out[i] = wasm_store_alloc(s, len + 1);
        if (!out[i])
            return NULL;
        wasm_memcpy(out[i], v[i], len + 1);
        *size += (uint32_t)len + 1;
    }
    return out;
}

wasm_wasi_t *wasm_wasi_new(wasm_store_t *s, const wasm_wasi_io_t *io, int argc, const char *const *argv, int envc,
                           const char *const *envp)
{
    wasm_wasi_t *w = wasm_store_alloc(s, sizeof *w);
    if (!w)
        return NULL;
    w->store = s;
    w->io = *io;
    w->argc = argc;
    w->envc = envc;
    w->argv = copy_strings(s, argc, argv, &w->argv_size);
    w->envp = copy_strings(s, envc, envp, &w->env_size);
    w->rng = wasm_platform_clock_ns(1) ^ 0x9e3779b97f4a7c15ull;
    if (!w->argv || !w->envp)
        return NULL;
    return w;
}

#define MEM(ptr, len) wasm_host_memory(ctx, (uint32_t)(ptr), (len))

static void put32(uint8_t *p, uint32_t v)
{
    wasm_memcpy(p, &v, 4);
}
static void put64(uint8_t *p, uint64_t v)
{
    wasm_memcpy(p, &v, 8);
}
static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    wasm_memcpy(&v, p, 4);
    return v;
}

/* Shared by args_get and environ_get: writes pointers and strings. */
static int32_t strings_get(wasm_host_ctx_t *ctx, char **v, int n, uint32_t ptrs, uint32_t buf, uint32_t size)
{
    uint8_t *pp = MEM(ptrs, (uint64_t)n * 4), *bp = MEM(buf, size);
    if (!pp || !bp)
        return E_FAULT;
    for (int i = 0; i < n; i++) {
        size_t len = slen(v[i]) + 1;
        put32(pp + 4 * i, buf);
        wasm_memcpy(bp, v[i], len);
        bp += len;
        buf += (uint32_t)len;
    }
    return E_SUCCESS;
}

static int32_t sizes_get(wasm_host_ctx_t *ctx, int n, uint32_t size, uint32_t p1, uint32_t p2)
{
    uint8_t *a = MEM(p1, 4), *b = MEM(p2, 4);
    if (!a || !b)
        return E_FAULT;
    put32(a, (uint32_t)n);
    put32(b, size);
    return E_SUCCESS;
}

static int w_args_get(wasm_host_ctx_t *ctx, wasm_value_t *v, void *u)
{
    wasm_wasi_t *w = u;
    v[0].i32 = strings_get(ctx, w->argv, w->argc, v[0].u32, v[1].u32, w->argv_size);
    return 0;
}
static int w_args_sizes_get(wasm_host_ctx_t *ctx, wasm_value_t *v, void *u)
{
    wasm_wasi_t *w = u;
    v[0].i32 = sizes_get(ctx, w->argc, w->argv_size, v[0].u32, v[1].u32);
    return 0;
}
static int w_environ_get(wasm_host_ctx_t *ctx, wasm_value_t *v, void *u)
{
    wasm_wasi_t *w = u;
    v[0].i32 = strings_get(ctx, w->envp, w->envc, v[0].u32, v[1].u32, w->env_size);
    return 0;
}
static int w_environ_sizes_get(wasm_host_ctx_t *ctx, wasm_value_t *v, void *u)
{
    wasm_wasi_t *w = u;
    v[0].i32 = sizes_get(ctx, w->envc, w->env_size, v[0].u32, v[1].u32);
    return 0;
}

static int w_clock_time_get(wasm_host_ctx_t *ctx, wasm_value_t *v, void *u)
{
    uint8_t *p = MEM(v[2].u32, 8);
    uint32_t id = v[0].u32;
    (void)u;
    if (id > 3)
        v[0].i32 = E_INVAL;
    else if (!p)
        v[0].i32 = E_FAULT;
    else {
        put64(p, wasm_platform_clock_ns(id == 0 ? 0 : 1));
        v[0].i32 = E_SUCCESS;
    }
    return 0;
}
static int w_clock_res_get(wasm_host_ctx_t *ctx, wasm_value_t *v, void *u)
{
    uint8_t *p = MEM(v[1].u32, 8);
    (void)u;
    if (v[0].u32 > 3)
        v[0].i32 = E_INVAL;
    else if (!p)
        v[0].i32 = E_FAULT;
    else {
        put64(p, 1000);
        v[0].i32 = E_SUCCESS;
    }
    return 0;
}

static int w_fd_write(wasm_host_ctx_t *ctx, wasm_value_t *v, void *u)
{
    wasm_wasi_t *w = u;
    int fd = v[0].i32;
    uint32_t iovs = v[1].u32, n = v[2].u32, total = 0;
    uint8_t *out = MEM(v[3].u32, 4), *iov = MEM(iovs, (uint64_t)n * 8);
    if (fd < 1 || fd > 2 || w->closed[fd]) {
        v[0].i32 = E_BADF;
        return 0;
    }
    if (!out || !iov) {
        v[0].i32 = E_FAULT;
        return 0;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t ptr = get32(iov + 8 * i), len = get32(iov + 8 * i + 4);
        uint8_t *buf = MEM(ptr, len);
        long r;
        if (!buf) {
            v[0].i32 = E_FAULT;
            return 0;
        }
        if (!len)
            continue;
        r = w->io.write ? w->io.write(w->io.user, fd, buf, len) : (long)len;
        if (r < 0) {
            v[0].i32 = E_IO;
            return 0;
        }
        total += (uint32_t)r;
        if ((uint32_t)r < len)
            break;
    }
    put32(out, total);
    v[0].i32 = E_SUCCESS;
    return 0;
}

static int w_fd_read(wasm_host_ctx_t *ctx, wasm_value_t *v, void *u)
{
    wasm_wasi_t *w = u;
    uint32_t iovs = v[1].u32, n = v[2].u32, total = 0;
    uint8_t *out = MEM(v[3].u32, 4), *iov = MEM(iovs, (uint64_t)n * 8);
    if (v[0].i32 != 0 || w->closed[0]) {
        v[0].i32 = E_BADF;
        return 0;
    }
    if (!out || !iov) {
        v[0].i32 = E_FAULT;
        return 0;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t ptr = get32(iov + 8 * i), len = get32(iov + 8 * i + 4);
        uint8_t *buf = MEM(ptr, len);
        long r;
        if (!buf) {
            v[0].i32 = E_FAULT;
            return 0;
        }
        if (!len)
            continue;
        r = w->io.read ? w->io.read(w->io.user, buf, len) : 0;
        if (r < 0) {
            v[0].i32 = E_IO;
            return 0;
        }
        total += (uint32_t)r;
        if ((uint32_t)r < len)
            break;
    }
    put32(out, total);
    v[0].i32 = E_SUCCESS;
    return 0;
}

static int w_fd_close(wasm_host_ctx_t *ctx, wasm_value_t *v, void *u)
{
    wasm_wasi_t *w = u;
    (void)ctx;
    if (v[0].i32 < 0 || v[0].i32 > 2 || w->closed[v[0].i32]) {
        v[0].i32 = E_BADF;
    } else {
        w->closed[v[0].i32] = true;
        v[0].i32 = E_SUCCESS;
    }
    return 0;
}

static int w_fd_seek(wasm_host_ctx_t *ctx, wasm_value_t *v, void *u)
{
    wasm_wasi_t *w = u;
    (void)ctx;
    v[0].i32 = v[0].i32 >= 0 && v[0].i32 <= 2 && !w->closed[v[0].i32] ? E_SPIPE : E_BADF;
    return 0;
}

static int w_fd_fdstat_get(wasm_host_ctx_t *ctx, wasm_value_t *v, void *u)
{
    wasm_wasi_t *w = u;
    uint8_t *p = MEM(v[1].u32, 24);
    int fd = v[0].i32;
    if (fd < 0 || fd > 2 || w->closed[fd]) {
        v[0].i32 = E_BADF;
        return 0;
    }
    if (!p) {
        v[0].i32 = E_FAULT;
        return 0;
    }
    wasm_memset(p, 0, 24);
    p[0] = 2; /* character device */
    /* rights: fd_read (bit 1) for stdin, fd_write (bit 6) for stdout/stderr */
    put64(p + 8, fd == 0 ? (1u << 1) : (1u << 6));
    v[0].i32 = E_SUCCESS;
    return 0;
}

static int w_badf(wasm_host_ctx_t *ctx, wasm_value_t *v, void *u)
{
    (void)ctx, (void)u;
    v[0].i32 = E_BADF;
    return 0;
}

static int w_proc_exit(wasm_host_ctx_t *ctx, wasm_value_t *v, void *u)
{
    (void)u;
    return wasm_host_exit(ctx, v[0].i32);
}

static int w_sched_yield(wasm_host_ctx_t *ctx, wasm_value_t *v, void *u)
{
    (void)ctx, (void)u;
    v[0].i32 = E_SUCCESS;
    return 0;
}

static int w_random_get(wasm_host_ctx_t *ctx, wasm_value_t *v, void *u)
{
    wasm_wasi_t *w = u;
    uint32_t len = v[1].u32;
    uint8_t *p = MEM(v[0].u32, len);
    if (!p) {
        v[0].i32 = E_FAULT;
        return 0;
    }
    if (w->io.random) {
        v[0].i32 = w->io.random(w->io.user, p, len) < 0 ? E_IO : E_SUCCESS;
        return 0;
    }
    for (uint32_t i = 0; i < len; i++) {
        /* xorshift64*: not for cryptography */
        w->rng ^= w->rng >> 12;
        w->rng ^= w->rng << 25;
        w->rng ^= w->rng >> 27;
        p[i] = (uint8_t)((w->rng * 2685821657736338717ull) >> 56);
    }
    v[0].i32 = E_SUCCESS;
    return 0;
}

static int w_nosys(wasm_host_ctx_t *ctx, wasm_value_t *v, void *u)
{
    (void)ctx, (void)u;
    v[0].i32 = E_NOSYS;
    return 0;
}

static int w_nosys_void(wasm_host_ctx_t *ctx, wasm_value_t *v, void *u)
{
    (void)ctx, (void)v, (void)u;
    return 0;
}

static const struct {
    const char *name, *sig;
    wasm_host_fn_t fn;
} wasi_funcs[] = {
    {"args_get", "ii:i", w_args_get},
    {"args_sizes_get", "ii:i", w_args_sizes_get},
    {"environ_get", "ii:i", w_environ_get},
    {"environ_sizes_get", "ii:i", w_environ_sizes_get},
    {"clock_time_get", "iIi:i", w_clock_time_get},
    {"clock_res_get", "ii:i", w_clock_res_get},
    {"fd_write", "iiii:i", w_fd_write},
    {"fd_read", "iiii:i", w_fd_read},
    {"fd_close", "i:i", w_fd_close},
    {"fd_seek", "iIii:i", w_fd_seek},
    {"fd_fdstat_get", "ii:i", w_fd_fdstat_get},
    {"fd_prestat_get", "ii:i", w_badf},
    {"fd_prestat_dir_name", "iii:i", w_badf},
    {"proc_exit", "i:", w_proc_exit},
    {"sched_yield", ":i", w_sched_yield},
    {"random_get", "ii:i", w_random_get},
};

static bool streq(const char *a, size_t alen, const char *b)
{
    return wasm_names_eq(a, alen, b, slen(b));
}

bool wasm_wasi_resolve(wasm_wasi_t *w, const wasm_module_t *m, uint32_t i, wasm_extern_t *out)
{
    const char *mod, *name;
    size_t ml, nl;
    wasm_extern_kind_t kind;
    char sig[64];
    wasm_module_import(m, i, &mod, &ml, &name, &nl, &kind);
    if (kind != WASM_EXTERN_FUNC || !streq(mod, ml, "wasi_snapshot_preview1"))
        return false;
    if (!wasm_module_import_sig(m, i, sig, sizeof sig))
        return false;
    out->kind = WASM_EXTERN_FUNC;
    for (size_t k = 0; k < sizeof wasi_funcs / sizeof wasi_funcs[0]; k++) {
        if (streq(name, nl, wasi_funcs[k].name)) {
            /* a wrong signature links to the declared one and fails at link time */
            out->of.func = wasm_func_new_host(w->store, wasi_funcs[k].sig, wasi_funcs[k].fn, w);
            return out->of.func != NULL;
        }
    }
    /* unsupported: a stub of the imported type returning ENOSYS */
    {
        size_t k = 0;
        while (sig[k] && sig[k] != ':')
            k++;
        bool returns_i32 = sig[k] == ':' && sig[k + 1] == 'i' && sig[k + 2] == 0;
        out->of.func = wasm_func_new_host(w->store, sig, returns_i32 ? w_nosys : w_nosys_void, w);
    }
    return out->of.func != NULL;
}
