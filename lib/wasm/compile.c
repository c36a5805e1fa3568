/* compile.c - validates function bodies and translates them to internal code
 * (this half: operand and control stacks, code emission, the driver; the
 * per-instruction translation is in compile_ops.c).
 *
 * One pass per function implements the type-checking algorithm of the spec's
 * validation appendix (operand stack of types with the polymorphic
 * "unreachable" rule, a stack of control frames, multi-value block types)
 * and at the same time emits register-style internal code (internal.h):
 * every operand-stack entry lives in a fixed frame slot.  local.get emits
 * nothing: the entry just names the local's slot until something could
 * change that local or needs the value in place (control flow, calls), when
 * it is "materialized" by a COPY.  A local.set right after the instruction
 * computing its value retargets that instruction's destination instead of
 * copying.  Constants are deferred the same way, become immediates of the
 * binary operators that have an immediate form (WASM_IMM_OPS), and an i32
 * comparison feeding br_if/if becomes one compare-and-branch
 * (WASM_BRC_OPS).  Code in unreachable regions is validated but not
 * emitted. */
#include "compile.h"

uint32_t wasm_cp_emit_cell(comp_t *c, wasm_cell_t v)
{
    if (c->n == c->cap) {
        uint32_t ncap = c->cap ? c->cap * 2 : 256;
        wasm_cell_t *p;
        if (ncap > WASM_MAX_CODE_CELLS) {
            c->nomem = true;
            return 0;
        }
        p = wasm_platform_realloc(c->cells, ncap * sizeof *p);
        if (!p) {
            c->nomem = true;
            return 0;
        }
        c->cells = p;
        c->cap = ncap;
    }
    if (c->nomem)
        return 0;
    c->cells[c->n] = v;
    return c->n++;
}

/* Emits handler + operand cell; returns the operand cell's index. */
uint32_t wasm_cp_emit(comp_t *c, int op, uint32_t d, uint32_t a, int32_t b)
{
    wasm_cell_t h, o;
    uint32_t at;
    h.u64 = 0;
    h.h = c->h[op];
    o.u64 = 0;
    o.o.d = (uint16_t)d;
    o.o.a = (uint16_t)a;
    o.o.b = b;
    wasm_cp_emit_cell(c, h);
    at = wasm_cp_emit_cell(c, o);
    c->last_dst = -1;
    c->last_op = -1;
    return at;
}

void wasm_cp_emit_u64(comp_t *c, uint64_t v)
{
    wasm_cell_t x;
    x.u64 = v;
    wasm_cp_emit_cell(c, x);
}

void wasm_cp_emit_const(comp_t *c, uint32_t d, uint64_t v)
{
    wasm_cp_emit(c, OP_CONST, d, 0, 0);
    wasm_cp_emit_u64(c, v);
}

/* Makes entries [from, sp) hold their values in their own slots. */
void wasm_cp_materialize(comp_t *c, uint32_t from)
{
    for (uint32_t i = from; i < c->sp; i++) {
        uint32_t s = pos_slot(c, i);
        if (c->st[i].is_const) {
            if (live(c))
                wasm_cp_emit_const(c, s, c->st[i].k);
            c->st[i].is_const = false;
            c->st[i].slot = s;
        } else if (c->st[i].slot != s) {
            if (live(c))
                wasm_cp_emit(c, OP_COPY, s, c->st[i].slot, 0);
            c->st[i].slot = s;
        }
    }
}

void wasm_cp_materialize_local(comp_t *c, uint32_t k)
{
    for (uint32_t i = 0; i < c->sp; i++) {
        if (!c->st[i].is_const && c->st[i].slot == k) {
            uint32_t s = pos_slot(c, i);
            if (live(c))
                wasm_cp_emit(c, OP_COPY, s, k, 0);
            c->st[i].slot = s;
        }
    }
}

/* ---- operand stack ---- */

bool wasm_cp_push(comp_t *c, uint8_t t)
{
    if (c->sp == c->st_cap) {
        uint32_t ncap = c->st_cap * 2;
        vent_t *p = wasm_platform_realloc(c->st, ncap * sizeof *p);
        if (!p)
            return wasm_fail(c->r, WASM_E_NOMEM, "out of memory");
        c->st = p;
        c->st_cap = ncap;
    }
    c->st[c->sp].type = t;
    c->st[c->sp].is_const = false;
    c->st[c->sp].slot = pos_slot(c, c->sp);
    c->sp++;
    if (c->sp > c->max_sp) {
        c->max_sp = c->sp;
        if (c->nlocals + c->max_sp + 2 >= WASM_MAX_FRAME_SLOTS)
            return wasm_fail(c->r, WASM_E_UNSUPPORTED, "limit: operand stack too deep");
    }
    return true;
}

/* Pops an entry of type want (0 = any); a constant stays deferred. */
bool wasm_cp_pop_raw(comp_t *c, uint8_t want, vent_t *out)
{
    ctrl_t *f = &c->cs[c->csp - 1];
    if (c->sp == f->height) {
        if (f->unreachable) {
            out->type = 0;
            out->is_const = false;
            out->slot = pos_slot(c, c->sp);
            return true;
        }
        return INVALID(c->r, "type mismatch: expected %s, but stack is empty", tname(want));
    }
    *out = c->st[--c->sp];
    if (want && out->type && out->type != want)
        return INVALID(c->r, "type mismatch: expected %s, got %s", tname(want), tname(out->type));
    return true;
}

/* Pops an entry; a deferred constant is written to its own slot first. */
bool wasm_cp_pop(comp_t *c, uint8_t want, vent_t *out)
{
    if (!wasm_cp_pop_raw(c, want, out))
        return false;
    if (out->is_const) {
        uint32_t s = pos_slot(c, c->sp);
        if (live(c))
            wasm_cp_emit_const(c, s, out->k);
        out->is_const = false;
        out->slot = s;
        c->st[c->sp] = *out;
    }
    return true;
}

bool wasm_cp_pop_vals(comp_t *c, uint32_t n, const uint8_t *types)
{
    vent_t e;
    for (uint32_t i = n; i-- > 0;)
        TRY(wasm_cp_pop(c, types[i], &e));
    return true;
}

bool wasm_cp_push_vals(comp_t *c, uint32_t n, const uint8_t *types)
{
    for (uint32_t i = 0; i < n; i++)
        TRY(wasm_cp_push(c, types[i]));
    return true;
}

/* Pops n values of the given types and pushes back what was popped (the
 * spec's wasm_cp_push_vals(wasm_cp_pop_vals(t*)), keeping unknown types and slots). */
bool wasm_cp_repush(comp_t *c, uint32_t n, const uint8_t *types)
{
    vent_t tmp[16], *e = n <= 16 ? tmp : wasm_platform_alloc(n * sizeof *e);
    bool ok = true;
    if (!e)
        return wasm_fail(c->r, WASM_E_NOMEM, "out of memory");
    for (uint32_t i = n; ok && i-- > 0;)
        ok = wasm_cp_pop(c, types[i], &e[i]);
    for (uint32_t i = 0; ok && i < n; i++) {
        ok = wasm_cp_push(c, e[i].type);
        if (ok)
            c->st[c->sp - 1] = e[i];
    }
    if (e != tmp)
        wasm_platform_free(e);
    return ok;
}

/* ---- control frames ---- */

bool wasm_cp_push_ctrl(comp_t *c, uint8_t kind, uint32_t np, const uint8_t *p, uint32_t nr, const uint8_t *rs)
{
    ctrl_t *f;
    bool dead = c->csp ? !live(c) : false;
    if (c->csp == c->cs_cap) {
        uint32_t ncap = c->cs_cap * 2;
        ctrl_t *q = wasm_platform_realloc(c->cs, ncap * sizeof *q);
        if (!q)
            return wasm_fail(c->r, WASM_E_NOMEM, "out of memory");
        c->cs = q;
        c->cs_cap = ncap;
    }
    f = &c->cs[c->csp++];
    f->kind = kind;
    f->unreachable = false;
    f->dead = dead;
    f->nparams = np, f->params = p;
    f->nresults = nr, f->results = rs;
    f->height = c->sp;
    f->start = c->n;
    f->end_patches = 0;
    f->else_patch = 0;
    c->last_dst = -1;
    return wasm_cp_push_vals(c, np, p);
}

void wasm_cp_label_types(const ctrl_t *f, uint32_t *n, const uint8_t **t)
{
    if (f->kind == K_LOOP)
        *n = f->nparams, *t = f->params;
    else
        *n = f->nresults, *t = f->results;
}

void wasm_cp_set_unreachable(comp_t *c)
{
    ctrl_t *f = &c->cs[c->csp - 1];
    c->sp = f->height;
    f->unreachable = true;
}

/* Points the jump in operand cell `at` (relative to that cell) to `target`. */
void wasm_cp_patch(comp_t *c, uint32_t at, uint32_t target)
{
    if (!c->nomem)
        c->cells[at].o.b = (int32_t)target - (int32_t)at;
}

void wasm_cp_patch_chain(comp_t *c, int32_t head, uint32_t target)
{
    while (head && !c->nomem) {
        uint32_t at = (uint32_t)(head - 1);
        head = c->cells[at].o.b;
        wasm_cp_patch(c, at, target);
    }
}

/* Records that operand cell `at` jumps to the label of frame f. */
void wasm_cp_link_jump(comp_t *c, ctrl_t *f, uint32_t at)
{
    if (c->nomem)
        return;
    if (f->kind == K_LOOP) {
        wasm_cp_patch(c, at, f->start);
    } else {
        c->cells[at].o.b = f->end_patches;
        f->end_patches = (int32_t)at + 1;
    }
}

/* Emits an unconditional branch to frame f, moving the top `arity` values. */
void wasm_cp_emit_branch(comp_t *c, ctrl_t *f, uint32_t arity)
{
    uint32_t src = pos_slot(c, c->sp - arity), dst = pos_slot(c, f->height);
    uint32_t at;
    if (src == dst || arity == 0) {
        at = wasm_cp_emit(c, OP_BR, 0, 0, 0);
    } else {
        at = wasm_cp_emit(c, OP_BR_MOVE, dst, src, 0);
        wasm_cp_emit_u64(c, arity);
    }
    wasm_cp_link_jump(c, f, at);
}

int wasm_compile_module(wasm_module_t *m, wasm_error_t *err)
{
    const void *const *h = wasm_exec_handlers();
    for (uint32_t i = 0; i < m->nfuncs - m->nfunc_imports; i++) {
        wasm_code_t *code = &m->codes[i];
        wasm_reader_t rd = {
            m->bytes, code->body, code->body + code->body_len, err, "code section", m->nfunc_imports + i, false, 0};
        comp_t c;
        uint8_t *lt;
        bool ok;
        wasm_memset(&c, 0, sizeof c);
        c.m = m, c.r = &rd, c.code = code, c.h = h;
        c.nlocals = code->nlocals;
        lt = wasm_module_arena(m, code->nlocals + 1);
        if (!lt)
            return wasm_fail(&rd, WASM_E_NOMEM, "out of memory"), WASM_E_NOMEM;
        {
            const wasm_functype_t *t = &m->types[m->func_type[m->nfunc_imports + i]];
            wasm_memcpy(lt, t->types, t->nparams);
            wasm_memcpy(lt + t->nparams, code->local_types, code->nlocals - t->nparams);
        }
        c.ltypes = lt;
        c.st_cap = 64;
        c.st = wasm_platform_alloc(c.st_cap * sizeof *c.st);
        c.cs_cap = 16;
        c.cs = wasm_platform_alloc(c.cs_cap * sizeof *c.cs);
        c.last_dst = -1;
        ok = c.st && c.cs && wasm_cp_compile_body(&c);
        if (ok && c.nomem)
            ok = wasm_fail(&rd, WASM_E_NOMEM, "out of memory (code too large)");
        if (ok) {
            code->cells = wasm_module_arena(m, (size_t)c.n * sizeof(wasm_cell_t));
            if (code->cells) {
                wasm_memcpy(code->cells, c.cells, (size_t)c.n * sizeof(wasm_cell_t));
                code->ncells = c.n;
                code->frame_slots = c.nlocals + c.max_sp + 4;
            } else {
                ok = wasm_fail(&rd, WASM_E_NOMEM, "out of memory");
            }
        }
        wasm_platform_free(c.st);
        wasm_platform_free(c.cs);
        wasm_platform_free(c.cells);
        if (!ok)
            return rd.code ? rd.code : WASM_E_INVALID;
    }
    return 0;
}
