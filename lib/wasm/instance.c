/* instance.c - stores, run-time objects, linking and instantiation.
 *
 * Instantiation follows the spec's order: check imports (types, limits),
 * allocate tables, memories and globals, then run active element segments
 * and data segments in order (a trap leaves earlier writes in place, which
 * other instances sharing an imported table or memory can observe), drop
 * them, and finally run the start function. */
#include "internal.h"

static void *store_obj(wasm_store_t *s, size_t n)
{
    wasm_obj_t *o = wasm_store_alloc(s, n);
    return o;
}

/* Every store object is an allocation with a wasm_obj_t link in front. */
typedef struct store_block {
    struct store_block *next;
    void (*fini)(void *);
    uint64_t pad;
} store_block_t;

void *wasm_store_alloc(wasm_store_t *s, size_t n)
{
    store_block_t *b = wasm_platform_alloc(sizeof *b + n);
    if (!b)
        return NULL;
    wasm_memset(b, 0, sizeof *b + n);
    b->next = (store_block_t *)s->objs;
    s->objs = (wasm_obj_t *)b;
    return b + 1;
}

static void free_table(void *p)
{
    wasm_platform_free(((wasm_table_t *)p)->elems);
}
static void free_memory(void *p)
{
    wasm_platform_free(((wasm_memory_t *)p)->data);
}

static void set_fini(void *obj, void (*fini)(void *))
{
    ((store_block_t *)obj - 1)->fini = fini;
}

wasm_store_t *wasm_store_new(const wasm_limits_t *limits)
{
    wasm_store_t *s = wasm_alloc_zero(sizeof *s);
    if (!s)
        return NULL;
    if (limits)
        s->lim = *limits;
    if (!s->lim.max_memory_pages || s->lim.max_memory_pages > 65536)
        s->lim.max_memory_pages = s->lim.max_memory_pages ? 65536 : WASM_DEFAULT_MAX_PAGES;
    if (!s->lim.max_table_elems)
        s->lim.max_table_elems = WASM_MAX_TABLE_ELEMS;
    if (!s->lim.stack_slots)
        s->lim.stack_slots = WASM_DEFAULT_STACK_SLOTS;
    if (!s->lim.max_call_depth)
        s->lim.max_call_depth = WASM_DEFAULT_CALL_DEPTH;
    s->fuel = s->lim.fuel ? s->lim.fuel : UINT64_MAX;
    s->stack = wasm_platform_alloc((size_t)s->lim.stack_slots * sizeof(wasm_value_t));
    s->frames = wasm_platform_alloc(((size_t)s->lim.max_call_depth + 1) * sizeof(wasm_frame_t));
    if (!s->stack || !s->frames) {
        wasm_store_delete(s);
        return NULL;
    }
    s->sp_base = s->stack;
    return s;
}

void wasm_store_delete(wasm_store_t *s)
{
    store_block_t *b;
    if (!s)
        return;
    b = (store_block_t *)s->objs;
    while (b) {
        store_block_t *next = b->next;
        if (b->fini)
            b->fini(b + 1);
        wasm_platform_free(b);
        b = next;
    }
    wasm_platform_free(s->stack);
    wasm_platform_free(s->frames);
    wasm_platform_free(s);
}

void wasm_store_set_fuel(wasm_store_t *s, uint64_t fuel)
{
    s->fuel = fuel ? fuel : UINT64_MAX;
}
uint64_t wasm_store_fuel(const wasm_store_t *s)
{
    return s->fuel == UINT64_MAX ? 0 : s->fuel;
}

wasm_memory_t *wasm_memory_new(wasm_store_t *s, uint32_t min, uint32_t max, bool has_max)
{
    wasm_memory_t *m = store_obj(s, sizeof *m);
    if (!m)
        return NULL;
    set_fini(m, free_memory);
    m->max = max;
    m->has_max = has_max;
    if (min > s->lim.max_memory_pages)
        return NULL;
    if (min && wasm_memory_grow(NULL, m, min) < 0)
        return NULL;
    return m;
}

uint8_t *wasm_memory_data(wasm_memory_t *mem)
{
    return mem->data;
}
uint64_t wasm_memory_size(const wasm_memory_t *mem)
{
    return mem->size;
}

wasm_table_t *wasm_table_new(wasm_store_t *s, wasm_valtype_t elem, uint32_t min, uint32_t max, bool has_max)
{
    wasm_table_t *t = store_obj(s, sizeof *t);
    if (!t)
        return NULL;
    set_fini(t, free_table);
    t->elemtype = (uint8_t)elem;
    t->max = max;
    t->has_max = has_max;
    if (min > s->lim.max_table_elems)
        return NULL;
    if (min && wasm_table_grow(NULL, t, min, NULL) < 0)
        return NULL;
    return t;
}

wasm_global_t *wasm_global_new(wasm_store_t *s, wasm_val_t value, bool mutable_)
{
    wasm_global_t *g = store_obj(s, sizeof *g);
    if (!g)
        return NULL;
    g->type = (uint8_t)value.type;
    g->mut = mutable_;
    g->v = value.of;
    return g;
}

wasm_val_t wasm_global_get(const wasm_global_t *g)
{
    wasm_val_t v;
    v.type = (wasm_valtype_t)g->type;
    v.of = g->v;
    return v;
}

static int sig_char(char c)
{
    switch (c) {
    case 'i': return WASM_I32;
    case 'I': return WASM_I64;
    case 'f': return WASM_F32;
    case 'F': return WASM_F64;
    case 'r': return WASM_EXTERNREF;
    case 'R': return WASM_FUNCREF;
    }
    return 0;
}

wasm_func_t *wasm_func_new_host(wasm_store_t *s, const char *sig, wasm_host_fn_t fn, void *user)
{
    uint32_t np = 0, nr = 0, n = 0;
    const char *p = sig;
    wasm_func_t *f;
    wasm_functype_t *t;
    uint8_t *types;
    while (*p && *p != ':')
        np++, p++;
    if (*p == ':')
        for (p++; *p; p++)
            nr++;
    f = store_obj(s, sizeof *f + sizeof *t + np + nr + 1);
    if (!f)
        return NULL;
    t = (wasm_functype_t *)(f + 1);
    types = (uint8_t *)(t + 1);
    for (p = sig; *p; p++) {
        if (*p == ':')
            continue;
        if (!(types[n++] = (uint8_t)sig_char(*p)))
            return NULL;
    }
    t->nparams = np;
    t->nresults = nr;
    t->types = types;
    f->type = t;
    f->host = fn;
    f->user = user;
    return f;
}

uint32_t wasm_func_param_count(const wasm_func_t *f)
{
    return f->type->nparams;
}
uint32_t wasm_func_result_count(const wasm_func_t *f)
{
    return f->type->nresults;
}
wasm_valtype_t wasm_func_param_type(const wasm_func_t *f, uint32_t i)
{
    return (wasm_valtype_t)f->type->types[i];
}
wasm_valtype_t wasm_func_result_type(const wasm_func_t *f, uint32_t i)
{
    return (wasm_valtype_t)f->type->types[f->type->nparams + i];
}

static bool limits_match(uint32_t min, uint32_t max, bool has_max, const wasm_limits_desc_t *want)
{
    if (min < want->min)
        return false;
    if (want->has_max && (!has_max || max > want->max))
        return false;
    return true;
}

static int link_fail(wasm_error_t *err, uint32_t i, const wasm_import_t *im, const char *why)
{
    if (err) {
        err->code = WASM_E_LINK;
        wasm_format(err->msg, sizeof err->msg, "import %u (\"%.*s\" \"%.*s\"): %s", i, (int)im->module.len,
                    im->module.p, (int)im->name.len, im->name.p, why);
    }
    return WASM_E_LINK;
}

static int trap_fail(wasm_store_t *s, wasm_error_t *err, int rc, const char *where)
{
    if (err) {
        err->code = rc;
        err->exit_status = s->exit_status;
        wasm_format(err->msg, sizeof err->msg, "%s: %s", where,
                    s->trap_code == TRAP_HOST && s->host_msg[0] ? s->host_msg : wasm_trap_messages[s->trap_code]);
    }
    return rc;
}

static wasm_value_t eval_const(wasm_instance_t *inst, const wasm_constexpr_t *ce)
{
    wasm_value_t v = ce->v;
    if (ce->kind == CE_GLOBAL)
        v = inst->globals[ce->idx]->v;
    else if (ce->kind == CE_REF_FUNC)
        v.ref = inst->funcs[ce->idx];
    else if (ce->kind == CE_REF_NULL)
        v.ref = NULL;
    return v;
}

int wasm_instance_new(wasm_store_t *s, wasm_module_t *m, const wasm_extern_t *imports, uint32_t nimports,
                      wasm_instance_t **out, wasm_error_t *err)
{
    wasm_instance_t *inst;
    uint32_t nf = 0, nt = 0, ng = 0;
    if (nimports != m->nimports) {
        if (err) {
            err->code = WASM_E_LINK;
            wasm_format(err->msg, sizeof err->msg, "expected %u imports, got %u", m->nimports, nimports);
        }
        return WASM_E_LINK;
    }
    inst = store_obj(s, sizeof *inst);
    if (!inst)
        return WASM_E_NOMEM;
    inst->store = s;
    inst->module = m;
    inst->funcs = wasm_store_alloc(s, (m->nfuncs + 1) * sizeof(void *));
    inst->tables = wasm_store_alloc(s, (m->ntables + 1) * sizeof(void *));
    inst->globals = wasm_store_alloc(s, (m->nglobals + 1) * sizeof(void *));
    inst->elem_dropped = wasm_store_alloc(s, m->nelems + 1);
    inst->data_dropped = wasm_store_alloc(s, m->ndatas + 1);
    if (!inst->funcs || !inst->tables || !inst->globals || !inst->elem_dropped || !inst->data_dropped)
        return WASM_E_NOMEM;

    for (uint32_t i = 0; i < m->nimports; i++) {
        const wasm_import_t *im = &m->imports[i];
        const wasm_extern_t *ex = &imports[i];
        if (ex->kind != im->kind)
            return link_fail(err, i, im, "incompatible import type");
        switch (im->kind) {
        case WASM_EXTERN_FUNC:
            if (!ex->of.func || !wasm_functype_eq(ex->of.func->type, &m->types[im->index]))
                return link_fail(err, i, im, "incompatible import type (function signature)");
            inst->funcs[nf++] = ex->of.func;
            break;
        case WASM_EXTERN_TABLE: {
            wasm_table_t *t = ex->of.table;
            if (!t || t->elemtype != im->valtype || !limits_match(t->size, t->max, t->has_max, &im->lim))
                return link_fail(err, i, im, "incompatible import type (table)");
            inst->tables[nt++] = t;
            break;
        }
        case WASM_EXTERN_MEMORY: {
            wasm_memory_t *mem = ex->of.memory;
            if (!mem || !limits_match(mem->pages, mem->max, mem->has_max, &im->lim))
                return link_fail(err, i, im, "incompatible import type (memory)");
            inst->mem = mem;
            break;
        }
        case WASM_EXTERN_GLOBAL: {
            wasm_global_t *g = ex->of.global;
            if (!g || g->type != im->valtype || g->mut != im->mut)
                return link_fail(err, i, im, "incompatible import type (global)");
            inst->globals[ng++] = g;
            break;
        }
        }
    }
    for (uint32_t i = m->nfunc_imports; i < m->nfuncs; i++) {
        wasm_func_t *f = store_obj(s, sizeof *f);
        if (!f)
            return WASM_E_NOMEM;
        f->type = &m->types[m->func_type[i]];
        f->inst = inst;
        f->code = &m->codes[i - m->nfunc_imports];
        inst->funcs[i] = f;
    }
    for (uint32_t i = m->ntable_imports; i < m->ntables; i++) {
        const wasm_table_desc_t *d = &m->tables[i];
        inst->tables[i] = wasm_table_new(s, (wasm_valtype_t)d->elemtype, d->lim.min, d->lim.max, d->lim.has_max);
        if (!inst->tables[i]) {
            if (err) {
                err->code = WASM_E_NOMEM;
                wasm_format(err->msg, sizeof err->msg, "table %u: cannot allocate %u elements", i, d->lim.min);
            }
            return WASM_E_NOMEM;
        }
    }
    if (m->nmems > m->nmem_imports) {
        const wasm_limits_desc_t *d = &m->mems[0];
        inst->mem = wasm_memory_new(s, d->min, d->max, d->has_max);
        if (!inst->mem) {
            if (err) {
                err->code = WASM_E_NOMEM;
                wasm_format(err->msg, sizeof err->msg, "memory: cannot allocate %u pages", d->min);
            }
            return WASM_E_NOMEM;
        }
    }
    for (uint32_t i = m->nglobal_imports; i < m->nglobals; i++) {
        wasm_global_t *g = store_obj(s, sizeof *g);
        if (!g)
            return WASM_E_NOMEM;
        g->type = m->globals[i].type;
        g->mut = m->globals[i].mut;
        inst->globals[i] = g;
        g->v = eval_const(inst, &m->globals[i].init);
    }
    /* element segments, then data segments, in order */
    for (uint32_t i = 0; i < m->nelems; i++) {
        const wasm_elem_t *e = &m->elems[i];
        if (e->mode == SEG_ACTIVE) {
            uint32_t off = eval_const(inst, &e->offset).u32;
            int t = wasm_table_init(inst, e->table, i, off, 0, e->count);
            if (t) {
                s->trap_code = t;
                return trap_fail(s, err, WASM_E_TRAP, "element segment");
            }
        }
        if (e->mode != SEG_PASSIVE)
            inst->elem_dropped[i] = true;
    }
    for (uint32_t i = 0; i < m->ndatas; i++) {
        const wasm_data_t *d = &m->datas[i];
        if (d->mode == SEG_ACTIVE) {
            uint32_t off = eval_const(inst, &d->offset).u32;
            int t = wasm_memory_init(inst, i, off, 0, d->len);
            if (t) {
                s->trap_code = t;
                return trap_fail(s, err, WASM_E_TRAP, "data segment");
            }
            inst->data_dropped[i] = true;
        }
    }
    *out = inst;
    if (m->has_start) {
        wasm_value_t dummy[1];
        int rc = wasm_exec_call(s, inst->funcs[m->start], dummy);
        if (rc)
            return trap_fail(s, err, rc, "start function");
    }
    return 0;
}

bool wasm_instance_export(const wasm_instance_t *inst, const char *name, size_t len, wasm_extern_t *out)
{
    const wasm_module_t *m = inst->module;
    for (uint32_t i = 0; i < m->nexports; i++) {
        const wasm_export_t *e = &m->exports[i];
        if (!wasm_names_eq(e->name.p, e->name.len, name, len))
            continue;
        out->kind = (wasm_extern_kind_t)e->kind;
        switch (e->kind) {
        case WASM_EXTERN_FUNC: out->of.func = inst->funcs[e->index]; break;
        case WASM_EXTERN_TABLE: out->of.table = inst->tables[e->index]; break;
        case WASM_EXTERN_MEMORY: out->of.memory = inst->mem; break;
        default: out->of.global = inst->globals[e->index]; break;
        }
        return true;
    }
    return false;
}

wasm_memory_t *wasm_instance_memory(const wasm_instance_t *inst)
{
    return inst->mem;
}
