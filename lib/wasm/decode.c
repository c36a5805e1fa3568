/* decode.c - decodes the sections of a binary module into a wasm_module.
 *
 * Checks everything about the module except function bodies (compile.c):
 * section order and sizes, LEB128 limits, UTF-8 names, index ranges, limits,
 * constant expressions, export name uniqueness.  Arrays come from the
 * module's arena; counts are bounded by the bytes left, so a hostile module
 * cannot make the decoder allocate more than a small multiple of its size. */
#include "leb.h"

typedef struct wasm_arena_chunk {
    struct wasm_arena_chunk *next;
    uint64_t pad;
} wasm_arena_chunk_t;

void *wasm_module_arena(wasm_module_t *m, size_t n)
{
    wasm_arena_chunk_t *c;
    if (n > ((size_t)1 << 40))
        return NULL;
    c = wasm_platform_alloc(sizeof(*c) + n + 1);
    if (!c)
        return NULL;
    c->next = m->chunks;
    m->chunks = c;
    wasm_memset(c + 1, 0, n + 1);
    return c + 1;
}

void wasm_module_delete(wasm_module_t *m)
{
    if (!m)
        return;
    while (m->chunks) {
        wasm_arena_chunk_t *c = m->chunks;
        m->chunks = c->next;
        wasm_platform_free(c);
    }
    wasm_platform_free(m->bytes);
    wasm_platform_free(m);
}

bool wasm_fail(wasm_reader_t *r, int code, const char *fmt, ...)
{
    char msg[160];
    va_list ap;
    if (r->failed)
        return false;
    r->failed = true;
    r->code = code;
    if (!r->err)
        return false;
    va_start(ap, fmt);
    wasm_vformat(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->err->code = code;
    if (r->func >= 0)
        wasm_format(r->err->msg, sizeof r->err->msg, "%s, function %u, offset 0x%x: %s", r->section, (unsigned)r->func,
                    rd_offset(r), msg);
    else
        wasm_format(r->err->msg, sizeof r->err->msg, "%s, offset 0x%x: %s", r->section, rd_offset(r), msg);
    return false;
}

#define TRY(x) \
    do { \
        if (!(x)) \
            return false; \
    } while (0)

static void *arena_array(wasm_module_t *m, wasm_reader_t *r, uint32_t n, size_t size)
{
    void *p = wasm_module_arena(m, (size_t)n * size);
    if (!p)
        wasm_fail(r, WASM_E_NOMEM, "out of memory");
    return p;
}

/* Reads a vector count, bounded by the bytes left (each item needs >= 1 byte). */
static bool rd_count(wasm_reader_t *r, uint32_t *n)
{
    TRY(rd_u32(r, n));
    if (*n > WASM_MAX_MODULE_ITEMS)
        return wasm_fail(r, WASM_E_UNSUPPORTED, "limit: %u items", *n);
    if (*n > (size_t)(r->end - r->p))
        return MALFORMED(r, "unexpected end (count %u too large)", *n);
    return true;
}

static bool utf8_valid(const uint8_t *s, uint32_t n)
{
    uint32_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        uint32_t need, cp, min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            need = 1, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            need = 2, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            need = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (n - i - 1 < need)
            return false;
        for (uint32_t k = 1; k <= need; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += need + 1;
    }
    return true;
}

static bool rd_name(wasm_reader_t *r, wasm_name_t *name)
{
    uint32_t n;
    const uint8_t *p;
    TRY(rd_u32(r, &n));
    TRY(rd_bytes(r, n, &p));
    if (!utf8_valid(p, n))
        return MALFORMED(r, "malformed UTF-8 encoding");
    name->p = (const char *)p;
    name->len = n;
    return true;
}

static bool rd_valtype(wasm_reader_t *r, uint8_t *t)
{
    TRY(rd_u8(r, t));
    switch (*t) {
    case WASM_I32:
    case WASM_I64:
    case WASM_F32:
    case WASM_F64:
    case WASM_FUNCREF:
    case WASM_EXTERNREF: return true;
    case WASM_V128: return wasm_fail(r, WASM_E_UNSUPPORTED, "unsupported: SIMD");
    }
    return MALFORMED(r, "malformed value type 0x%x", *t);
}

static bool rd_reftype(wasm_reader_t *r, uint8_t *t)
{
    TRY(rd_u8(r, t));
    if (*t != WASM_FUNCREF && *t != WASM_EXTERNREF)
        return MALFORMED(r, "malformed reference type 0x%x", *t);
    return true;
}

static bool rd_limits(wasm_reader_t *r, wasm_limits_desc_t *l, uint32_t bound, const char *what)
{
    uint8_t flag;
    TRY(rd_u8(r, &flag));
    if (flag > 1)
        return MALFORMED(r, "integer too large (limits flag 0x%x)", flag);
    TRY(rd_u32(r, &l->min));
    l->has_max = flag;
    l->max = 0;
    if (flag)
        TRY(rd_u32(r, &l->max));
    if (l->min > bound)
        return INVALID(r, "%s size must be at most %u", what, bound);
    if (flag && l->max > bound)
        return INVALID(r, "%s size must be at most %u", what, bound);
    if (flag && l->min > l->max)
        return INVALID(r, "size minimum must not be greater than maximum");
    return true;
}

static bool rd_table_desc(wasm_reader_t *r, wasm_table_desc_t *t)
{
    TRY(rd_reftype(r, &t->elemtype));
    return rd_limits(r, &t->lim, 0xffffffffu, "table");
}

static bool rd_global_type(wasm_reader_t *r, uint8_t *type, uint8_t *mut)
{
    TRY(rd_valtype(r, type));
    TRY(rd_u8(r, mut));
    if (*mut > 1)
        return MALFORMED(r, "malformed mutability");
    return true;
}

static uint8_t global_type(const wasm_module_t *m, uint32_t i, uint8_t *mut)
{
    if (i < m->nglobal_imports) {
        for (uint32_t k = 0, g = 0; k < m->nimports; k++) {
            if (m->imports[k].kind != WASM_EXTERN_GLOBAL)
                continue;
            if (g++ == i) {
                *mut = m->imports[k].mut;
                return m->imports[k].valtype;
            }
        }
    }
    *mut = m->globals[i].mut;
    return m->globals[i].type;
}

/* Reads a constant expression of type want; nglobals limits global.get. */
static bool rd_constexpr(wasm_module_t *m, wasm_reader_t *r, uint8_t want, uint32_t nglobals, wasm_constexpr_t *ce)
{
    uint8_t op, end;
    TRY(rd_u8(r, &op));
    switch (op) {
    case 0x41:
        ce->kind = CE_I32, ce->type = WASM_I32;
        TRY(rd_s32(r, &ce->v.i32));
        break;
    case 0x42:
        ce->kind = CE_I64, ce->type = WASM_I64;
        TRY(rd_s64(r, &ce->v.i64));
        break;
    case 0x43: {
        const uint8_t *p;
        ce->kind = CE_F32, ce->type = WASM_F32;
        TRY(rd_bytes(r, 4, &p));
        wasm_memcpy(&ce->v.u32, p, 4);
        break;
    }
    case 0x44: {
        const uint8_t *p;
        ce->kind = CE_F64, ce->type = WASM_F64;
        TRY(rd_bytes(r, 8, &p));
        wasm_memcpy(&ce->v.u64, p, 8);
        break;
    }
    case 0xd0:
        ce->kind = CE_REF_NULL;
        TRY(rd_reftype(r, &ce->type));
        break;
    case 0xd2:
        ce->kind = CE_REF_FUNC, ce->type = WASM_FUNCREF;
        TRY(rd_u32(r, &ce->idx));
        if (ce->idx >= m->nfuncs)
            return INVALID(r, "unknown function %u", ce->idx);
        m->func_declared[ce->idx] = true;
        break;
    case 0x23: {
        uint8_t mut;
        ce->kind = CE_GLOBAL;
        TRY(rd_u32(r, &ce->idx));
        if (ce->idx >= nglobals)
            return INVALID(r, "unknown global %u", ce->idx);
        ce->type = global_type(m, ce->idx, &mut);
        if (mut)
            return INVALID(r, "constant expression required");
        break;
    }
    case 0x0b: return INVALID(r, "type mismatch: empty constant expression");
    default:
        /* an instruction, but not a constant one; or no instruction at all */
        if (op <= 0x11 || (op >= 0x1a && op <= 0x1c) || (op >= 0x20 && op <= 0x26) || (op >= 0x28 && op <= 0xc4) ||
            (op >= 0xd0 && op <= 0xd2) || op == 0xfc)
            return INVALID(r, "constant expression required (opcode 0x%x)", op);
        return MALFORMED(r, "illegal opcode 0x%x", op);
    }
    TRY(rd_u8(r, &end));
    if (end != 0x0b)
        return INVALID(r, "constant expression required");
    if (ce->type != want)
        return INVALID(r, "type mismatch in constant expression: expected %s, got %s", wasm_valtype_name(want),
                       wasm_valtype_name(ce->type));
    return true;
}

/* Creates the index-space arrays holding just the imports; the function,
 * table, memory and global sections then extend them. */
static bool ensure_spaces(wasm_module_t *m, wasm_reader_t *r)
{
    m->nfuncs = m->nfunc_imports;
    m->ntables = m->ntable_imports;
    m->nmems = m->nmem_imports;
    m->nglobals = m->nglobal_imports;
    m->func_type = arena_array(m, r, m->nfuncs + 1, sizeof(uint32_t));
    m->func_declared = arena_array(m, r, m->nfuncs + 1, sizeof(bool));
    m->tables = arena_array(m, r, m->ntables + 1, sizeof *m->tables);
    m->mems = arena_array(m, r, m->nmems + 1, sizeof *m->mems);
    m->globals = arena_array(m, r, m->nglobals + 1, sizeof *m->globals);
    if (!m->func_type || !m->func_declared || !m->tables || !m->mems || !m->globals)
        return false;
    for (uint32_t i = 0, f = 0; i < m->nimports; i++) {
        wasm_import_t *im = &m->imports[i];
        if (im->kind == WASM_EXTERN_FUNC) {
            m->func_type[f++] = im->index;
        } else if (im->kind == WASM_EXTERN_TABLE) {
            m->tables[im->index].elemtype = im->valtype;
            m->tables[im->index].lim = im->lim;
        } else if (im->kind == WASM_EXTERN_MEMORY) {
            m->mems[im->index] = im->lim;
        } else {
            m->globals[im->index].type = im->valtype;
            m->globals[im->index].mut = im->mut;
        }
    }
    return true;
}

/* Grows an index-space array from the imports-only prefix to n entries. */
static void *extend(wasm_module_t *m, wasm_reader_t *r, const void *old, uint32_t nold, uint32_t n, size_t size)
{
    void *p = arena_array(m, r, n + 1, size);
    if (p)
        wasm_memcpy(p, old, (size_t)nold * size);
    return p;
}

static bool sec_types(wasm_module_t *m, wasm_reader_t *r)
{
    TRY(rd_count(r, &m->ntypes));
    m->types = arena_array(m, r, m->ntypes, sizeof *m->types);
    TRY(m->types);
    for (uint32_t i = 0; i < m->ntypes; i++) {
        uint8_t form, *types;
        uint32_t np, nr;
        TRY(rd_u8(r, &form));
        if (form != 0x60)
            return MALFORMED(r, "integer representation too long (type form 0x%x)", form);
        TRY(rd_count(r, &np));
        types = arena_array(m, r, np + 1000, 1);
        TRY(types);
        for (uint32_t k = 0; k < np; k++)
            TRY(rd_valtype(r, &types[k]));
        TRY(rd_count(r, &nr));
        if (np > WASM_MAX_FUNC_PARAMS || nr > WASM_MAX_FUNC_PARAMS)
            return wasm_fail(r, WASM_E_UNSUPPORTED, "limit: too many params/results");
        for (uint32_t k = 0; k < nr; k++)
            TRY(rd_valtype(r, &types[np + k]));
        m->types[i].nparams = np;
        m->types[i].nresults = nr;
        m->types[i].types = types;
    }
    return true;
}

static bool sec_imports(wasm_module_t *m, wasm_reader_t *r)
{
    TRY(rd_count(r, &m->nimports));
    m->imports = arena_array(m, r, m->nimports, sizeof *m->imports);
    TRY(m->imports);
    for (uint32_t i = 0; i < m->nimports; i++) {
        wasm_import_t *im = &m->imports[i];
        TRY(rd_name(r, &im->module));
        TRY(rd_name(r, &im->name));
        TRY(rd_u8(r, &im->kind));
        switch (im->kind) {
        case WASM_EXTERN_FUNC:
            TRY(rd_u32(r, &im->index));
            if (im->index >= m->ntypes)
                return INVALID(r, "unknown type %u", im->index);
            m->nfunc_imports++;
            break;
        case WASM_EXTERN_TABLE: {
            wasm_table_desc_t t;
            TRY(rd_table_desc(r, &t));
            im->valtype = t.elemtype;
            im->lim = t.lim;
            im->index = m->ntable_imports++;
            break;
        }
        case WASM_EXTERN_MEMORY:
            TRY(rd_limits(r, &im->lim, 65536, "memory"));
            im->index = m->nmem_imports++;
            if (m->nmem_imports > 1)
                return INVALID(r, "multiple memories");
            break;
        case WASM_EXTERN_GLOBAL:
            TRY(rd_global_type(r, &im->valtype, &im->mut));
            im->index = m->nglobal_imports++;
            break;
        default: return MALFORMED(r, "malformed import kind %u", im->kind);
        }
    }
    return true;
}

static bool sec_functions(wasm_module_t *m, wasm_reader_t *r, uint32_t *n)
{
    TRY(rd_count(r, n));
    m->nfuncs = m->nfunc_imports + *n;
    m->func_type = extend(m, r, m->func_type, m->nfunc_imports, m->nfuncs, sizeof(uint32_t));
    m->func_declared = arena_array(m, r, m->nfuncs + 1, sizeof(bool));
    TRY(m->func_type && m->func_declared);
    for (uint32_t i = 0; i < *n; i++) {
        uint32_t t;
        TRY(rd_u32(r, &t));
        if (t >= m->ntypes)
            return INVALID(r, "unknown type %u", t);
        m->func_type[m->nfunc_imports + i] = t;
    }
    return true;
}

static bool sec_tables(wasm_module_t *m, wasm_reader_t *r)
{
    uint32_t n;
    TRY(rd_count(r, &n));
    m->ntables = m->ntable_imports + n;
    m->tables = extend(m, r, m->tables, m->ntable_imports, m->ntables, sizeof *m->tables);
    TRY(m->tables);
    for (uint32_t i = 0; i < n; i++)
        TRY(rd_table_desc(r, &m->tables[m->ntable_imports + i]));
    return true;
}

static bool sec_memories(wasm_module_t *m, wasm_reader_t *r)
{
    uint32_t n;
    TRY(rd_count(r, &n));
    m->nmems = m->nmem_imports + n;
    if (m->nmems > 1)
        return INVALID(r, "multiple memories");
    m->mems = extend(m, r, m->mems, m->nmem_imports, m->nmems, sizeof *m->mems);
    TRY(m->mems);
    for (uint32_t i = 0; i < n; i++)
        TRY(rd_limits(r, &m->mems[m->nmem_imports + i], 65536, "memory"));
    return true;
}

static bool sec_globals(wasm_module_t *m, wasm_reader_t *r)
{
    uint32_t n;
    TRY(rd_count(r, &n));
    m->nglobals = m->nglobal_imports + n;
    m->globals = extend(m, r, m->globals, m->nglobal_imports, m->nglobals, sizeof *m->globals);
    TRY(m->globals);
    for (uint32_t i = 0; i < n; i++) {
        wasm_global_desc_t *g = &m->globals[m->nglobal_imports + i];
        TRY(rd_global_type(r, &g->type, &g->mut));
        TRY(rd_constexpr(m, r, g->type, m->nglobal_imports, &g->init));
    }
    return true;
}

static bool sec_exports(wasm_module_t *m, wasm_reader_t *r)
{
    TRY(rd_count(r, &m->nexports));
    m->exports = arena_array(m, r, m->nexports, sizeof *m->exports);
    TRY(m->exports);
    for (uint32_t i = 0; i < m->nexports; i++) {
        wasm_export_t *e = &m->exports[i];
        uint32_t limit = 0;
        TRY(rd_name(r, &e->name));
        TRY(rd_u8(r, &e->kind));
        TRY(rd_u32(r, &e->index));
        switch (e->kind) {
        case WASM_EXTERN_FUNC: limit = m->nfuncs; break;
        case WASM_EXTERN_TABLE: limit = m->ntables; break;
        case WASM_EXTERN_MEMORY: limit = m->nmems; break;
        case WASM_EXTERN_GLOBAL: limit = m->nglobals; break;
        default: return MALFORMED(r, "malformed export kind %u", e->kind);
        }
        if (e->index >= limit)
            return INVALID(r, "unknown export index %u", e->index);
        if (e->kind == WASM_EXTERN_FUNC)
            m->func_declared[e->index] = true;
        for (uint32_t k = 0; k < i; k++)
            if (wasm_names_eq(m->exports[k].name.p, m->exports[k].name.len, e->name.p, e->name.len))
                return INVALID(r, "duplicate export name");
    }
    return true;
}

static bool sec_start(wasm_module_t *m, wasm_reader_t *r)
{
    const wasm_functype_t *t;
    TRY(rd_u32(r, &m->start));
    if (m->start >= m->nfuncs)
        return INVALID(r, "unknown function %u", m->start);
    t = &m->types[m->func_type[m->start]];
    if (t->nparams || t->nresults)
        return INVALID(r, "start function must have type [] -> []");
    m->has_start = true;
    return true;
}

static bool sec_elems(wasm_module_t *m, wasm_reader_t *r)
{
    TRY(rd_count(r, &m->nelems));
    m->elems = arena_array(m, r, m->nelems, sizeof *m->elems);
    TRY(m->elems);
    for (uint32_t i = 0; i < m->nelems; i++) {
        wasm_elem_t *e = &m->elems[i];
        uint32_t flags;
        bool exprs;
        TRY(rd_u32(r, &flags));
        if (flags > 7)
            return MALFORMED(r, "malformed elements segment kind %u", flags);
        exprs = flags & 4;
        e->type = WASM_FUNCREF;
        if (flags & 1)
            e->mode = (flags & 2) ? SEG_DECLARATIVE : SEG_PASSIVE;
        else {
            e->mode = SEG_ACTIVE;
            if (flags & 2)
                TRY(rd_u32(r, &e->table));
            if (e->table >= m->ntables)
                return INVALID(r, "unknown table %u", e->table);
            TRY(rd_constexpr(m, r, WASM_I32, m->nglobal_imports, &e->offset));
        }
        if (flags & 3) {
            if (exprs)
                TRY(rd_reftype(r, &e->type));
            else {
                uint8_t kind;
                TRY(rd_u8(r, &kind));
                if (kind != 0)
                    return MALFORMED(r, "malformed element kind %u", kind);
            }
        }
        if (e->mode == SEG_ACTIVE && m->tables[e->table].elemtype != e->type)
            return INVALID(r, "type mismatch: element segment does not match table");
        TRY(rd_count(r, &e->count));
        e->items = arena_array(m, r, e->count, sizeof *e->items);
        TRY(e->items);
        for (uint32_t k = 0; k < e->count; k++) {
            if (exprs) {
                TRY(rd_constexpr(m, r, e->type, m->nglobal_imports, &e->items[k]));
            } else {
                uint32_t f;
                TRY(rd_u32(r, &f));
                if (f >= m->nfuncs)
                    return INVALID(r, "unknown function %u", f);
                m->func_declared[f] = true;
                e->items[k].kind = CE_REF_FUNC;
                e->items[k].type = WASM_FUNCREF;
                e->items[k].idx = f;
            }
        }
    }
    return true;
}

static bool sec_code(wasm_module_t *m, wasm_reader_t *r, uint32_t ndefined)
{
    uint32_t n;
    TRY(rd_count(r, &n));
    if (n != ndefined)
        return MALFORMED(r, "function and code section have inconsistent lengths");
    m->codes = arena_array(m, r, n, sizeof *m->codes);
    TRY(m->codes);
    for (uint32_t i = 0; i < n; i++) {
        wasm_code_t *c = &m->codes[i];
        const wasm_functype_t *t = &m->types[m->func_type[m->nfunc_imports + i]];
        uint32_t size, ngroups;
        uint64_t total = 0;
        const uint8_t *end, *groups;
        wasm_reader_t lr;
        uint8_t *lt;
        r->func = m->nfunc_imports + i;
        TRY(rd_u32(r, &size));
        if (size > (size_t)(r->end - r->p))
            return MALFORMED(r, "unexpected end of function body");
        end = r->p + size;
        lr = *r;
        lr.end = end;
        if (!rd_count(&lr, &ngroups)) {
            r->failed = true, r->code = lr.code; /* (recorded through lr) */
            return false;
        }
        groups = lr.p;
        for (uint32_t g = 0; g < ngroups; g++) {
            uint32_t cnt;
            uint8_t ty;
            if (!rd_u32(&lr, &cnt) || !rd_valtype(&lr, &ty)) {
                r->failed = true, r->code = lr.code;
                return false;
            }
            total += cnt;
            if (total > WASM_MAX_FUNC_LOCALS) {
                r->p = lr.p;
                return MALFORMED(r, "too many locals");
            }
        }
        c->nparams = t->nparams;
        c->nresults = t->nresults;
        c->nlocals = t->nparams + (uint32_t)total;
        if (c->nlocals > WASM_MAX_FUNC_LOCALS)
            return MALFORMED(r, "too many locals");
        lt = arena_array(m, r, (uint32_t)total, 1);
        TRY(lt);
        lr.p = groups;
        for (uint32_t g = 0, k = 0; g < ngroups; g++) {
            uint32_t cnt;
            uint8_t ty;
            rd_u32(&lr, &cnt);
            rd_valtype(&lr, &ty);
            while (cnt--)
                lt[k++] = ty;
        }
        c->local_types = lt;
        c->body = lr.p;
        c->body_len = (uint32_t)(end - lr.p);
        c->body_offset = (uint32_t)(lr.p - r->start);
        r->p = end;
    }
    r->func = -1;
    return true;
}

static bool sec_data(wasm_module_t *m, wasm_reader_t *r)
{
    uint32_t n;
    TRY(rd_count(r, &n));
    if (m->has_datacount && n != m->datacount)
        return MALFORMED(r, "data count and data section have inconsistent lengths");
    m->ndatas = n;
    m->datas = arena_array(m, r, n, sizeof *m->datas);
    TRY(m->datas);
    for (uint32_t i = 0; i < n; i++) {
        wasm_data_t *d = &m->datas[i];
        uint32_t flags;
        TRY(rd_u32(r, &flags));
        if (flags > 2)
            return MALFORMED(r, "malformed data segment kind %u", flags);
        d->mode = flags == 1 ? SEG_PASSIVE : SEG_ACTIVE;
        if (flags == 2)
            TRY(rd_u32(r, &d->mem));
        if (d->mode == SEG_ACTIVE) {
            if (d->mem >= m->nmems)
                return INVALID(r, "unknown memory %u", d->mem);
            TRY(rd_constexpr(m, r, WASM_I32, m->nglobal_imports, &d->offset));
        }
        TRY(rd_u32(r, &d->len));
        TRY(rd_bytes(r, d->len, &d->bytes));
    }
    return true;
}

static const char *const section_names[] = {
    "custom section", "type section",   "import section",     "function section", "table section",
    "memory section", "global section", "export section",     "start section",    "element section",
    "code section",   "data section",   "data count section",
};

/* Position of each section id in the required order. */
static const uint8_t section_rank[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10};

int wasm_decode_module(wasm_module_t *m, wasm_error_t *err)
{
    wasm_reader_t rd = {m->bytes, m->bytes, m->bytes + m->len, err, "module header", -1, false, 0};
    wasm_reader_t *r = &rd;
    const uint8_t *p;
    uint32_t ndefined = 0, last_rank = 0;
    bool seen_code = false, spaces = false;

    if (!rd_bytes(r, 4, &p) || p[0] != 0 || p[1] != 'a' || p[2] != 's' || p[3] != 'm') {
        rd.failed = false;
        MALFORMED(r, "magic header not detected");
        goto fail;
    }
    if (!rd_bytes(r, 4, &p) || p[0] != 1 || p[1] || p[2] || p[3]) {
        rd.failed = false;
        MALFORMED(r, "unknown binary version");
        goto fail;
    }
    while (r->p < r->end) {
        uint8_t id;
        uint32_t size;
        const uint8_t *end;
        bool ok = true;
        rd.section = "module";
        if (!rd_u8(r, &id))
            goto fail;
        if (id > 12) {
            MALFORMED(r, "malformed section id %u", id);
            goto fail;
        }
        rd.section = section_names[id];
        if (!rd_u32(r, &size))
            goto fail;
        if (size > (size_t)(r->end - r->p)) {
            MALFORMED(r, "unexpected end: section size %u", size);
            goto fail;
        }
        end = r->p + size;
        if (id != 0) {
            if (section_rank[id] <= last_rank) {
                MALFORMED(r, "unexpected content after last section (section %u out of order)", id);
                goto fail;
            }
            last_rank = section_rank[id];
        }
        {
            wasm_reader_t sr = *r;
            sr.end = end;
            if (id >= 3 && !spaces && !(spaces = ensure_spaces(m, &sr))) {
                *r = sr;
                goto fail;
            }
            switch (id) {
            case 0: {
                wasm_name_t name;
                ok = rd_name(&sr, &name);
                sr.p = end;
                break;
            }
            case 1: ok = sec_types(m, &sr); break;
            case 2: ok = sec_imports(m, &sr); break;
            case 3: ok = sec_functions(m, &sr, &ndefined); break;
            case 4: ok = sec_tables(m, &sr); break;
            case 5: ok = sec_memories(m, &sr); break;
            case 6: ok = sec_globals(m, &sr); break;
            case 7: ok = sec_exports(m, &sr); break;
            case 8: ok = sec_start(m, &sr); break;
            case 9: ok = sec_elems(m, &sr); break;
            case 10:
                ok = sec_code(m, &sr, ndefined);
                seen_code = true;
                break;
            case 11: ok = sec_data(m, &sr); break;
            case 12:
                ok = rd_u32(&sr, &m->datacount);
                m->has_datacount = true;
                break;
            }
            if (!ok) {
                *r = sr;
                goto fail;
            }
            if (sr.p != end) {
                *r = sr;
                MALFORMED(r, "section size mismatch");
                goto fail;
            }
        }
        r->p = end;
    }
    if (!spaces && !ensure_spaces(m, r))
        goto fail;
    if (m->has_datacount && !m->datas && m->datacount != 0) {
        rd.section = "module";
        MALFORMED(r, "data count and data section have inconsistent lengths");
        goto fail;
    }
    if (ndefined && !seen_code) {
        rd.section = "module";
        MALFORMED(r, "function and code section have inconsistent lengths");
        goto fail;
    }
    return 0;
fail:
    return rd.code ? rd.code : WASM_E_MALFORMED;
}
