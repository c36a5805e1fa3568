/* api.c - the rest of the public API (wasm.h): module loading, typed calls,
 * the host-function context, and small freestanding helpers (formatting,
 * comparisons) used by every phase. */
#include "internal.h"

void *wasm_alloc_zero(size_t n)
{
    void *p = wasm_platform_alloc(n);
    if (p)
        wasm_memset(p, 0, n);
    return p;
}

bool wasm_names_eq(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen != blen)
        return false;
    for (size_t i = 0; i < alen; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

bool wasm_functype_eq(const wasm_functype_t *a, const wasm_functype_t *b)
{
    if (a == b)
        return true;
    if (a->nparams != b->nparams || a->nresults != b->nresults)
        return false;
    for (uint32_t i = 0; i < a->nparams + a->nresults; i++)
        if (a->types[i] != b->types[i])
            return false;
    return true;
}

const char *wasm_valtype_name(wasm_valtype_t t)
{
    switch (t) {
    case WASM_I32: return "i32";
    case WASM_I64: return "i64";
    case WASM_F32: return "f32";
    case WASM_F64: return "f64";
    case WASM_V128: return "v128";
    case WASM_FUNCREF: return "funcref";
    case WASM_EXTERNREF: return "externref";
    }
    return "?";
}

/* ---- a tiny vsnprintf: %s %.*s %d %u %x %c %ld %lu %lld %llu %llx %zu %% ---- */

typedef struct fmt_out {
    char *buf;
    size_t n, len;
} fmt_out_t;

static void put(fmt_out_t *o, char c)
{
    if (o->len + 1 < o->n)
        o->buf[o->len] = c;
    o->len++;
}

static void put_uint(fmt_out_t *o, uint64_t v, unsigned base, bool neg)
{
    char tmp[24];
    int i = 0;
    if (neg)
        put(o, '-');
    do {
        tmp[i++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    while (i)
        put(o, tmp[--i]);
}

int wasm_vformat(char *buf, size_t n, const char *fmt, va_list ap)
{
    fmt_out_t o = {buf, n, 0};
    for (const char *p = fmt; *p; p++) {
        int longs = 0, prec = -1;
        if (*p != '%') {
            put(&o, *p);
            continue;
        }
        p++;
        if (*p == '.' && p[1] == '*') {
            prec = va_arg(ap, int);
            p += 2;
        }
        while (*p == 'l' || *p == 'z') {
            longs += *p == 'z' ? 2 : 1;
            p++;
        }
        switch (*p) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            for (int i = 0; s[i] && (prec < 0 || i < prec); i++)
                put(&o, s[i]);
            break;
        }
        case 'c': put(&o, (char)va_arg(ap, int)); break;
        case 'd': {
            int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
            put_uint(&o, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, 10, v < 0);
            break;
        }
        case 'u':
        case 'x': {
            uint64_t v = longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
            put_uint(&o, v, *p == 'x' ? 16 : 10, false);
            break;
        }
        case '%': put(&o, '%'); break;
        case 0: p--; break;
        default:
            put(&o, '%');
            put(&o, *p);
            break;
        }
    }
    if (n)
        buf[o.len < n ? o.len : n - 1] = 0;
    return (int)o.len;
}

int wasm_format(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    int r;
    va_start(ap, fmt);
    r = wasm_vformat(buf, n, fmt, ap);
    va_end(ap);
    return r;
}

/* ---- modules ---- */

int wasm_module_load(const uint8_t *bytes, size_t len, wasm_module_t **out, wasm_error_t *err)
{
    wasm_module_t *m;
    int rc;
    if (err) {
        err->code = 0;
        err->msg[0] = 0;
    }
    *out = NULL;
    m = wasm_alloc_zero(sizeof *m);
    if (!m)
        return WASM_E_NOMEM;
    m->bytes = wasm_platform_alloc(len + 1);
    if (!m->bytes) {
        wasm_platform_free(m);
        return WASM_E_NOMEM;
    }
    if (len)
        wasm_memcpy(m->bytes, bytes, len);
    m->len = len;
    rc = wasm_decode_module(m, err);
    if (rc == 0)
        rc = wasm_compile_module(m, err);
    if (rc) {
        wasm_module_delete(m);
        return rc;
    }
    *out = m;
    return 0;
}

uint32_t wasm_module_import_count(const wasm_module_t *m)
{
    return m->nimports;
}

void wasm_module_import(const wasm_module_t *m, uint32_t i, const char **module, size_t *module_len, const char **name,
                        size_t *name_len, wasm_extern_kind_t *kind)
{
    const wasm_import_t *im = &m->imports[i];
    *module = im->module.p;
    *module_len = im->module.len;
    *name = im->name.p;
    *name_len = im->name.len;
    *kind = (wasm_extern_kind_t)im->kind;
}

uint32_t wasm_module_export_count(const wasm_module_t *m)
{
    return m->nexports;
}

void wasm_module_export(const wasm_module_t *m, uint32_t i, const char **name, size_t *name_len,
                        wasm_extern_kind_t *kind)
{
    *name = m->exports[i].name.p;
    *name_len = m->exports[i].name.len;
    *kind = (wasm_extern_kind_t)m->exports[i].kind;
}

/* ---- calls ---- */

int wasm_func_call(wasm_store_t *s, wasm_func_t *f, const wasm_val_t *args, uint32_t nargs, wasm_val_t *results,
                   uint32_t nresults, wasm_error_t *err)
{
    const wasm_functype_t *t = f->type;
    wasm_value_t small[16], *vals = small;
    uint32_t n = t->nparams > t->nresults ? t->nparams : t->nresults;
    int rc;
    if (err) {
        err->code = 0;
        err->msg[0] = 0;
    }
    if (nargs != t->nparams || nresults < t->nresults) {
        if (err) {
            err->code = WASM_E_ARG;
            wasm_format(err->msg, sizeof err->msg, "expected %u arguments and %u results", t->nparams, t->nresults);
        }
        return WASM_E_ARG;
    }
    for (uint32_t i = 0; i < nargs; i++) {
        if ((uint8_t)args[i].type != t->types[i]) {
            if (err) {
                err->code = WASM_E_ARG;
                wasm_format(err->msg, sizeof err->msg, "argument %u: expected %s", i,
                            wasm_valtype_name((wasm_valtype_t)t->types[i]));
            }
            return WASM_E_ARG;
        }
    }
    if (n > 16) {
        vals = wasm_platform_alloc(n * sizeof *vals);
        if (!vals)
            return WASM_E_NOMEM;
    }
    for (uint32_t i = 0; i < nargs; i++)
        vals[i] = args[i].of;
    s->trap_code = 0;
    s->host_msg[0] = 0;
    rc = wasm_exec_call(s, f, vals);
    if (rc == 0) {
        for (uint32_t i = 0; i < t->nresults; i++) {
            results[i].type = (wasm_valtype_t)t->types[t->nparams + i];
            results[i].of = vals[i];
        }
    } else if (err) {
        err->code = rc;
        err->exit_status = s->exit_status;
        wasm_format(err->msg, sizeof err->msg, "%s",
                    s->trap_code == TRAP_HOST && s->host_msg[0] ? s->host_msg : wasm_trap_messages[s->trap_code]);
    }
    if (vals != small)
        wasm_platform_free(vals);
    return rc;
}

/* ---- inside host functions ---- */

void *wasm_host_memory(wasm_host_ctx_t *ctx, uint64_t offset, uint64_t len)
{
    wasm_memory_t *mem = ctx->inst ? ctx->inst->mem : NULL;
    if (!mem || offset > mem->size || len > mem->size - offset)
        return NULL;
    return mem->data + offset;
}

uint64_t wasm_host_memory_size(wasm_host_ctx_t *ctx)
{
    return ctx->inst && ctx->inst->mem ? ctx->inst->mem->size : 0;
}

int wasm_host_trap(wasm_host_ctx_t *ctx, const char *msg)
{
    ctx->store->trap_code = TRAP_HOST;
    wasm_format(ctx->store->host_msg, sizeof ctx->store->host_msg, "%s", msg);
    return 1;
}

int wasm_host_exit(wasm_host_ctx_t *ctx, int status)
{
    ctx->store->trap_code = TRAP_EXIT;
    ctx->store->exit_status = status;
    return 1;
}

bool wasm_module_import_sig(const wasm_module_t *m, uint32_t i, char *buf, size_t n)
{
    const wasm_functype_t *t;
    size_t k = 0;
    if (i >= m->nimports || m->imports[i].kind != WASM_EXTERN_FUNC)
        return false;
    t = &m->types[m->imports[i].index];
    if ((size_t)t->nparams + t->nresults + 2 > n)
        return false;
    for (uint32_t j = 0; j < t->nparams + t->nresults; j++) {
        char ch;
        if (j == t->nparams)
            buf[k++] = ':';
        switch (t->types[j]) {
        case WASM_I32: ch = 'i'; break;
        case WASM_I64: ch = 'I'; break;
        case WASM_F32: ch = 'f'; break;
        case WASM_F64: ch = 'F'; break;
        case WASM_EXTERNREF: ch = 'r'; break;
        default: ch = 'R'; break;
        }
        buf[k++] = ch;
    }
    if (t->nresults == 0)
        buf[k++] = ':';
    buf[k] = 0;
    return true;
}
