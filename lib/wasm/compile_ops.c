/* compile_ops.c - the translation of each instruction (see compile.c for
 * the scheme): type checking by the spec's validation algorithm and
 * emission of internal code, one case per opcode.  The opcode switch is
 * kept as one function (hence the file's length) so that it can be read
 * side by side with the spec's validation appendix. */
#include "compile.h"

static const uint8_t vt_single[] = {WASM_I32, WASM_I64, WASM_F32, WASM_F64, WASM_FUNCREF, WASM_EXTERNREF};

static bool read_blocktype(comp_t *c, uint32_t *np, const uint8_t **p, uint32_t *nr, const uint8_t **rs)
{
    wasm_reader_t *r = c->r;
    int64_t x = 0;
    if (r->p >= r->end)
        return MALFORMED(r, "unexpected end");
    *np = 0, *p = NULL;
    if (*r->p == 0x40) {
        r->p++;
        *nr = 0, *rs = NULL;
        return true;
    }
    for (unsigned i = 0; i < sizeof vt_single; i++) {
        if (*r->p == vt_single[i]) {
            r->p++;
            *nr = 1, *rs = &vt_single[i];
            return true;
        }
    }
    if (*r->p == WASM_V128)
        return wasm_fail(r, WASM_E_UNSUPPORTED, "unsupported: SIMD");
    TRY(rd_sleb(r, 33, &x));
    if (x < 0)
        return MALFORMED(r, "malformed block type");
    if ((uint64_t)x >= c->m->ntypes)
        return INVALID(r, "unknown type %u", (unsigned)x);
    *np = c->m->types[x].nparams, *p = c->m->types[x].types;
    *nr = c->m->types[x].nresults, *rs = c->m->types[x].types + *np;
    return true;
}

static bool rd_valtype(wasm_reader_t *r, uint8_t *t)
{
    TRY(rd_u8(r, t));
    if (is_num(*t) || is_ref(*t))
        return true;
    if (*t == WASM_V128)
        return wasm_fail(r, WASM_E_UNSUPPORTED, "unsupported: SIMD");
    return MALFORMED(r, "malformed value type 0x%x", *t);
}

static bool read_memarg(comp_t *c, uint32_t max_align, uint32_t *offset)
{
    uint32_t align;
    TRY(rd_u32(c->r, &align));
    TRY(rd_u32(c->r, offset));
    if (align >= 32)
        return MALFORMED(c->r, "malformed memop flags");
    if (align > max_align)
        return INVALID(c->r, "alignment must not be larger than natural");
    if (c->m->nmems == 0)
        return INVALID(c->r, "unknown memory 0");
    return true;
}

static bool zero_byte(comp_t *c)
{
    uint8_t b;
    TRY(rd_u8(c->r, &b));
    if (b != 0)
        return MALFORMED(c->r, "zero byte expected");
    return true;
}

static bool need_mem(comp_t *c)
{
    if (c->m->nmems == 0)
        return INVALID(c->r, "unknown memory 0");
    return true;
}

static bool need_table(comp_t *c, uint32_t t)
{
    if (t >= c->m->ntables)
        return INVALID(c->r, "unknown table %u", t);
    return true;
}

static bool need_data(comp_t *c, uint32_t d)
{
    if (!c->m->has_datacount) {
        /* (the data section is decoded already: report a bad index first) */
        if (d >= c->m->ndatas)
            return INVALID(c->r, "unknown data segment %u", d);
        return MALFORMED(c->r, "data count section required");
    }
    if (d >= c->m->datacount)
        return INVALID(c->r, "unknown data segment %u", d);
    return true;
}

static bool need_elem(comp_t *c, uint32_t e)
{
    if (e >= c->m->nelems)
        return INVALID(c->r, "unknown elem segment %u", e);
    return true;
}

/* Signature of numeric opcodes 0x45..0xc4: operand 1, operand 2 (0 = unary), result. */
static void num_sig(uint8_t op, uint8_t *a, uint8_t *b, uint8_t *res)
{
    const uint8_t I = WASM_I32, L = WASM_I64, F = WASM_F32, D = WASM_F64;
    *b = 0;
    if (op == 0x45)
        *a = I, *res = I;
    else if (op <= 0x4f)
        *a = *b = I, *res = I;
    else if (op == 0x50)
        *a = L, *res = I;
    else if (op <= 0x5a)
        *a = *b = L, *res = I;
    else if (op <= 0x60)
        *a = *b = F, *res = I;
    else if (op <= 0x66)
        *a = *b = D, *res = I;
    else if (op <= 0x69)
        *a = I, *res = I;
    else if (op <= 0x78)
        *a = *b = I, *res = I;
    else if (op <= 0x7b)
        *a = L, *res = L;
    else if (op <= 0x8a)
        *a = *b = L, *res = L;
    else if (op <= 0x91)
        *a = F, *res = F;
    else if (op <= 0x98)
        *a = *b = F, *res = F;
    else if (op <= 0x9f)
        *a = D, *res = D;
    else if (op <= 0xa6)
        *a = *b = D, *res = D;
    else if (op == 0xa7)
        *a = L, *res = I;
    else if (op <= 0xa9)
        *a = F, *res = I;
    else if (op <= 0xab)
        *a = D, *res = I;
    else if (op <= 0xad)
        *a = I, *res = L;
    else if (op <= 0xaf)
        *a = F, *res = L;
    else if (op <= 0xb1)
        *a = D, *res = L;
    else if (op <= 0xb3)
        *a = I, *res = F;
    else if (op <= 0xb5)
        *a = L, *res = F;
    else if (op == 0xb6)
        *a = D, *res = F;
    else if (op <= 0xb8)
        *a = I, *res = D;
    else if (op <= 0xba)
        *a = L, *res = D;
    else if (op == 0xbb)
        *a = F, *res = D;
    else if (op == 0xbc)
        *a = F, *res = I;
    else if (op == 0xbd)
        *a = D, *res = L;
    else if (op == 0xbe)
        *a = I, *res = F;
    else if (op == 0xbf)
        *a = L, *res = D;
    else if (op <= 0xc1)
        *a = I, *res = I;
    else
        *a = L, *res = L;
}

static int imm_form(int op)
{
    switch (op - OP_NUM + 0x45) {
#define X(n, code) \
    case code: return OP_IMM_##n;
        WASM_IMM_OPS(X)
#undef X
    }
    return -1;
}

/* Emits an instruction with operands a (and b) producing one result; a
 * constant b becomes an immediate when the operator has that form. */
static bool op_simple(comp_t *c, int op, uint8_t ta, uint8_t tb, uint8_t tr)
{
    vent_t a, b = {0};
    bool emitting = live(c);
    int32_t bval;
    if (tb) {
        TRY(wasm_cp_pop_raw(c, tb, &b));
        if (b.is_const) {
            int imm = op < OP_SAT ? imm_form(op) : -1;
            int64_t k = tb == WASM_I64 ? (int64_t)b.k : (int64_t)(int32_t)b.k;
            if (imm >= 0 && k >= INT32_MIN && k <= INT32_MAX) {
                op = imm;
            } else {
                c->sp++; /* write it to its own slot */
                TRY(wasm_cp_pop(c, tb, &b));
            }
        }
    }
    bval = b.is_const ? (int32_t)b.k : (int32_t)b.slot;
    TRY(wasm_cp_pop(c, ta, &a));
    TRY(wasm_cp_push(c, tr));
    if (emitting) {
        uint32_t at = wasm_cp_emit(c, op, pos_slot(c, c->sp - 1), a.slot, bval);
        c->last_dst = (int32_t)at;
        c->last_op = op;
    }
    return true;
}

/* If cond (just popped) was computed by the last emitted instruction and
 * that is an i32 comparison or eqz, removes the instruction and returns the
 * branch opcode that jumps when cond is true (false if negate), with its
 * operands in *a and *b; else returns -1. */
static int take_compare(comp_t *c, const vent_t *cond, bool negate, uint32_t *a, int32_t *b)
{
    int op = c->last_op, idx;
    bool imm = false;
    if (!live(c) || c->last_dst < 0 || (uint32_t)c->last_dst != c->n - 1 || cond->is_const ||
        cond->slot != pos_slot(c, c->sp) || c->cells[c->last_dst].o.d != cond->slot)
        return -1;
    *a = c->cells[c->last_dst].o.a;
    *b = c->cells[c->last_dst].o.b;
    if (op == OP_NUM) { /* i32.eqz */
        c->n -= 2;
        c->last_dst = -1;
        return negate ? OP_BR_IF : OP_BR_UNLESS;
    }
    if (op >= OP_NUM + 1 && op <= OP_NUM + 10)
        idx = op - OP_NUM - 1;
    else if (op >= OP_IMM_I32_EQ && op <= OP_IMM_I32_GE_U)
        idx = op - OP_IMM_I32_EQ, imm = true;
    else
        return -1;
    if (negate) {
        static const int neg_idx[10] = {1, 0, 8, 9, 6, 7, 4, 5, 2, 3};
        idx = neg_idx[idx];
    }
    c->n -= 2;
    c->last_dst = -1;
    return OP_BRC_EQ + 2 * idx + (imm ? 1 : 0);
}

/* Emits a branch op from take_compare and links its jump to frame f (or,
 * if f is NULL, returns the jump cell for the caller to patch). */
static uint32_t emit_cond_branch(comp_t *c, int op, uint32_t a, int32_t b)
{
    if (op == OP_BR_IF || op == OP_BR_UNLESS)
        return wasm_cp_emit(c, op, 0, a, 0);
    wasm_cp_emit(c, op, 0, a, b);
    wasm_cp_emit_u64(c, 0);
    return c->n - 1;
}

static bool op_load(comp_t *c, int op, uint32_t max_align, uint8_t t)
{
    uint32_t off;
    TRY(read_memarg(c, max_align, &off));
    vent_t a;
    bool emitting = live(c);
    TRY(wasm_cp_pop(c, WASM_I32, &a));
    TRY(wasm_cp_push(c, t));
    if (emitting)
        c->last_dst = (int32_t)wasm_cp_emit(c, op, pos_slot(c, c->sp - 1), a.slot, (int32_t)off);
    return true;
}

static bool op_store(comp_t *c, int op, uint32_t max_align, uint8_t t)
{
    uint32_t off;
    vent_t a, v;
    bool emitting = live(c);
    TRY(read_memarg(c, max_align, &off));
    TRY(wasm_cp_pop(c, t, &v));
    TRY(wasm_cp_pop(c, WASM_I32, &a));
    if (emitting)
        wasm_cp_emit(c, op, v.slot, a.slot, (int32_t)off);
    return true;
}

/* Pops n operands (types) into their own slots, returning the first slot. */
static bool pop_args(comp_t *c, uint32_t n, const uint8_t *types, uint32_t *base)
{
    TRY(wasm_cp_pop_vals(c, n, types));
    /* the popped entries are still in c->st[sp .. sp+n) */
    for (uint32_t i = c->sp; i < c->sp + n; i++) {
        uint32_t s = pos_slot(c, i);
        if (i < c->st_cap && c->st[i].slot != s && live(c))
            wasm_cp_emit(c, OP_COPY, s, c->st[i].slot, 0);
    }
    *base = pos_slot(c, c->sp);
    return true;
}

/* Emits a return of n results found from slot src.  A single result
 * computed by the instruction just emitted is written straight to slot 0
 * (where the caller expects it) instead of being copied there. */
static void emit_return(comp_t *c, uint32_t n, uint32_t src)
{
    int32_t last = c->last_dst;
    if (n == 1 && last >= 0 && (uint32_t)last == c->n - 1 && c->cells[last].o.d == src) {
        c->cells[last].o.d = 0;
        src = 0;
    }
    wasm_cp_emit(c, OP_RETURN, n, src, 0);
}

static bool do_end(comp_t *c)
{
    ctrl_t *f = &c->cs[c->csp - 1];
    TRY(wasm_cp_pop_vals(c, f->nresults, f->results));
    if (c->sp != f->height)
        return INVALID(c->r, "type mismatch: values remaining on stack at end of block");
    if (f->kind == K_IF) {
        /* no else: the implicit else passes the params through */
        bool same = f->nparams == f->nresults;
        for (uint32_t i = 0; same && i < f->nparams; i++)
            same = f->params[i] == f->results[i];
        if (!same)
            return INVALID(c->r, "type mismatch: if without else must not change types");
    }
    if (live(c)) {
        c->sp = f->height + f->nresults; /* the popped results are still there */
        wasm_cp_materialize(c, f->height);
    }
    c->sp = f->height;
    return true;
}

/* Bulk memory and table instructions (0xfc 8..17). */
static bool compile_fc(comp_t *c, uint32_t sub)
{
    static const uint8_t I = WASM_I32;
    wasm_reader_t *r = c->r;
    wasm_module_t *m = c->m;
    uint32_t x = 0, y = 0, base;
    uint8_t types[3] = {I, I, I};
    bool emitting = live(c);
    vent_t a, v;
    switch (sub) {
    case 8: /* memory.init data 0 */
        TRY(rd_u32(r, &x));
        TRY(zero_byte(c));
        TRY(need_mem(c));
        TRY(need_data(c, x));
        TRY(pop_args(c, 3, types, &base));
        if (emitting)
            wasm_cp_emit(c, OP_MEMORY_INIT, 0, base, (int32_t)x);
        return true;
    case 9: /* data.drop */
        TRY(rd_u32(r, &x));
        TRY(need_data(c, x));
        if (emitting)
            wasm_cp_emit(c, OP_DATA_DROP, 0, 0, (int32_t)x);
        return true;
    case 10: /* memory.copy 0 0 */
        TRY(zero_byte(c));
        TRY(zero_byte(c));
        TRY(need_mem(c));
        TRY(pop_args(c, 3, types, &base));
        if (emitting)
            wasm_cp_emit(c, OP_MEMORY_COPY, 0, base, 0);
        return true;
    case 11: /* memory.fill 0 */
        TRY(zero_byte(c));
        TRY(need_mem(c));
        TRY(pop_args(c, 3, types, &base));
        if (emitting)
            wasm_cp_emit(c, OP_MEMORY_FILL, 0, base, 0);
        return true;
    case 12: /* table.init elem table */
        TRY(rd_u32(r, &y));
        TRY(rd_u32(r, &x));
        TRY(need_table(c, x));
        TRY(need_elem(c, y));
        if (m->tables[x].elemtype != m->elems[y].type)
            return INVALID(r, "type mismatch: table.init element type");
        TRY(pop_args(c, 3, types, &base));
        if (emitting) {
            wasm_cp_emit(c, OP_TABLE_INIT, 0, base, (int32_t)x);
            wasm_cp_emit_u64(c, y);
        }
        return true;
    case 13: /* elem.drop */
        TRY(rd_u32(r, &x));
        TRY(need_elem(c, x));
        if (emitting)
            wasm_cp_emit(c, OP_ELEM_DROP, 0, 0, (int32_t)x);
        return true;
    case 14: /* table.copy dst src */
        TRY(rd_u32(r, &x));
        TRY(rd_u32(r, &y));
        TRY(need_table(c, x));
        TRY(need_table(c, y));
        if (m->tables[x].elemtype != m->tables[y].elemtype)
            return INVALID(r, "type mismatch: table.copy element types differ");
        TRY(pop_args(c, 3, types, &base));
        if (emitting) {
            wasm_cp_emit(c, OP_TABLE_COPY, 0, base, (int32_t)x);
            wasm_cp_emit_u64(c, y);
        }
        return true;
    case 15: /* table.grow */
        TRY(rd_u32(r, &x));
        TRY(need_table(c, x));
        types[0] = m->tables[x].elemtype;
        TRY(pop_args(c, 2, types, &base));
        TRY(wasm_cp_push(c, I));
        if (emitting)
            wasm_cp_emit(c, OP_TABLE_GROW, pos_slot(c, c->sp - 1), base, (int32_t)x);
        return true;
    case 16: /* table.size */
        TRY(rd_u32(r, &x));
        TRY(need_table(c, x));
        TRY(wasm_cp_push(c, I));
        if (emitting)
            wasm_cp_emit(c, OP_TABLE_SIZE, pos_slot(c, c->sp - 1), 0, (int32_t)x);
        return true;
    case 17: /* table.fill */
        TRY(rd_u32(r, &x));
        TRY(need_table(c, x));
        types[1] = m->tables[x].elemtype;
        TRY(pop_args(c, 3, types, &base));
        if (emitting)
            wasm_cp_emit(c, OP_TABLE_FILL, 0, base, (int32_t)x);
        return true;
    }
    (void)a, (void)v;
    return MALFORMED(r, "illegal opcode 0xfc 0x%x", sub);
}

bool wasm_cp_compile_body(comp_t *c)
{
    wasm_reader_t *r = c->r;
    wasm_module_t *m = c->m;
    const wasm_functype_t *ft = &m->types[m->func_type[r->func]];
    vent_t a, b, v;

    TRY(wasm_cp_push_ctrl(c, K_FUNC, 0, NULL, ft->nresults, ft->types + ft->nparams));
    while (c->csp > 0) {
        uint8_t op;
        if (c->nomem)
            return wasm_fail(r, WASM_E_NOMEM, "out of memory");
        if (r->p >= r->end)
            return MALFORMED(r, "unexpected end of function body (END opcode expected)");
        op = *r->p++;
        switch (op) {
        case 0x00: /* unreachable */
            if (live(c))
                wasm_cp_emit(c, OP_UNREACHABLE, 0, 0, 0);
            wasm_cp_set_unreachable(c);
            break;
        case 0x01: /* nop */ break;
        case 0x02: /* block */
        case 0x03: /* loop */ {
            uint32_t np, nr;
            const uint8_t *p, *rs;
            TRY(read_blocktype(c, &np, &p, &nr, &rs));
            TRY(wasm_cp_pop_vals(c, np, p));
            if (live(c)) { /* (when not live, the popped entries may be synthetic) */
                c->sp += np;
                wasm_cp_materialize(c, 0);
                c->sp -= np;
            }
            TRY(wasm_cp_push_ctrl(c, op == 0x02 ? K_BLOCK : K_LOOP, np, p, nr, rs));
            break;
        }
        case 0x04: /* if */ {
            uint32_t np, nr, at = 0;
            const uint8_t *p, *rs;
            bool emitting = live(c);
            uint32_t fa = 0;
            int32_t fb = 0;
            int fused;
            TRY(read_blocktype(c, &np, &p, &nr, &rs));
            TRY(wasm_cp_pop(c, WASM_I32, &a));
            fused = take_compare(c, &a, true, &fa, &fb);
            TRY(wasm_cp_pop_vals(c, np, p));
            if (live(c)) { /* (when not live, the popped entries may be synthetic) */
                c->sp += np;
                wasm_cp_materialize(c, 0);
                c->sp -= np;
            }
            if (emitting)
                at = fused >= 0 ? emit_cond_branch(c, fused, fa, fb) : wasm_cp_emit(c, OP_BR_UNLESS, 0, a.slot, 0);
            TRY(wasm_cp_push_ctrl(c, K_IF, np, p, nr, rs));
            if (emitting)
                c->cs[c->csp - 1].else_patch = (int32_t)at + 1;
            break;
        }
        case 0x05: /* else */ {
            ctrl_t *f = &c->cs[c->csp - 1];
            if (f->kind != K_IF)
                return INVALID(r, "else without if");
            TRY(wasm_cp_pop_vals(c, f->nresults, f->results));
            if (c->sp != f->height)
                return INVALID(r, "type mismatch: values remaining on stack before else");
            if (live(c)) {
                uint32_t at;
                c->sp = f->height + f->nresults;
                wasm_cp_materialize(c, f->height);
                at = wasm_cp_emit(c, OP_BR, 0, 0, 0);
                wasm_cp_link_jump(c, f, at);
            }
            c->sp = f->height;
            if (f->else_patch)
                wasm_cp_patch(c, (uint32_t)(f->else_patch - 1), c->n);
            f->else_patch = 0;
            f->kind = K_ELSE;
            f->unreachable = false;
            c->last_dst = -1;
            TRY(wasm_cp_push_vals(c, f->nparams, f->params));
            break;
        }
        case 0x0b: /* end */ {
            ctrl_t f;
            TRY(do_end(c));
            f = c->cs[c->csp - 1];
            if (f.kind == K_FUNC) {
                if (!f.unreachable)
                    emit_return(c, f.nresults, pos_slot(c, 0));
                if (f.end_patches) {
                    /* branches to the function's end land here */
                    wasm_cp_patch_chain(c, f.end_patches, c->n);
                    wasm_cp_emit(c, OP_RETURN, f.nresults, pos_slot(c, 0), 0);
                }
                c->csp--;
                if (r->p != r->end)
                    return MALFORMED(r, "section size mismatch (code after END)");
                return true;
            }
            if (f.else_patch)
                wasm_cp_patch(c, (uint32_t)(f.else_patch - 1), c->n);
            wasm_cp_patch_chain(c, f.end_patches, c->n);
            c->csp--;
            c->last_dst = -1;
            TRY(wasm_cp_push_vals(c, f.nresults, f.results));
            break;
        }
        case 0x0c: /* br */
        case 0x0d: /* br_if */ {
            uint32_t l, n;
            const uint8_t *t;
            ctrl_t *f;
            TRY(rd_u32(r, &l));
            if (l >= c->csp)
                return INVALID(r, "unknown label %u", l);
            f = &c->cs[c->csp - 1 - l];
            wasm_cp_label_types(f, &n, &t);
            if (op == 0x0c) {
                TRY(wasm_cp_pop_vals(c, n, t));
                if (live(c)) {
                    c->sp += n;
                    wasm_cp_materialize(c, 0);
                    wasm_cp_emit_branch(c, f, n);
                }
                wasm_cp_set_unreachable(c);
            } else {
                bool emitting = live(c);
                uint32_t fa = 0;
                int32_t fb = 0;
                int fused;
                TRY(wasm_cp_pop(c, WASM_I32, &a));
                fused = take_compare(c, &a, false, &fa, &fb);
                TRY(wasm_cp_pop_vals(c, n, t));
                if (emitting)
                    c->sp += n; /* keep the entries (and their slots) */
                else
                    TRY(wasm_cp_push_vals(c, n, t));
                if (emitting) {
                    uint32_t src = pos_slot(c, c->sp - n), dst = pos_slot(c, f->height);
                    wasm_cp_materialize(c, 0);
                    if (n == 0 || src == dst) {
                        if (fused >= 0)
                            wasm_cp_link_jump(c, f, emit_cond_branch(c, fused, fa, fb));
                        else
                            wasm_cp_link_jump(c, f, wasm_cp_emit(c, OP_BR_IF, 0, a.slot, 0));
                    } else if (fused >= 0) {
                        int inv = -1;
                        /* fused compare with a move: branch around the move */
                        if (fused == OP_BR_IF || fused == OP_BR_UNLESS)
                            inv = fused == OP_BR_IF ? OP_BR_UNLESS : OP_BR_IF;
                        else {
                            static const int neg_idx[10] = {1, 0, 8, 9, 6, 7, 4, 5, 2, 3};
                            int idx = (fused - OP_BRC_EQ) / 2;
                            inv = OP_BRC_EQ + 2 * neg_idx[idx] + ((fused - OP_BRC_EQ) & 1);
                        }
                        uint32_t skip = emit_cond_branch(c, inv, fa, fb);
                        wasm_cp_emit_branch(c, f, n);
                        wasm_cp_patch(c, skip, c->n);
                    } else {
                        uint32_t skip = wasm_cp_emit(c, OP_BR_UNLESS, 0, a.slot, 0);
                        wasm_cp_emit_branch(c, f, n);
                        wasm_cp_patch(c, skip, c->n);
                    }
                }
            }
            break;
        }
        case 0x0e: /* br_table */ {
            uint32_t cnt, arity, def, at = 0;
            const uint8_t *t;
            uint32_t *labels;
            bool emitting = live(c);
            TRY(rd_u32(r, &cnt));
            if (cnt > (size_t)(r->end - r->p))
                return MALFORMED(r, "unexpected end");
            labels = wasm_platform_alloc(((size_t)cnt + 1) * sizeof *labels);
            if (!labels)
                return wasm_fail(r, WASM_E_NOMEM, "out of memory");
            for (uint32_t i = 0; i <= cnt; i++) {
                if (!rd_u32(r, &labels[i]) || (labels[i] >= c->csp && !INVALID(r, "unknown label %u", labels[i]))) {
                    wasm_platform_free(labels);
                    return false;
                }
            }
            def = labels[cnt];
            if (!wasm_cp_pop(c, WASM_I32, &a)) {
                wasm_platform_free(labels);
                return false;
            }
            wasm_cp_label_types(&c->cs[c->csp - 1 - def], &arity, &t);
            for (uint32_t i = 0; i < cnt; i++) {
                uint32_t n;
                const uint8_t *lt;
                wasm_cp_label_types(&c->cs[c->csp - 1 - labels[i]], &n, &lt);
                if (n != arity) {
                    wasm_platform_free(labels);
                    return INVALID(r, "type mismatch: br_table targets differ in arity");
                }
                if (!wasm_cp_repush(c, n, lt)) {
                    wasm_platform_free(labels);
                    return false;
                }
            }
            if (!wasm_cp_pop_vals(c, arity, t)) {
                wasm_platform_free(labels);
                return false;
            }
            if (emitting) {
                wasm_cell_t x;
                c->sp += arity;
                wasm_cp_materialize(c, 0);
                at = wasm_cp_emit(c, OP_BR_TABLE, arity, a.slot, (int32_t)cnt);
                x.u64 = pos_slot(c, c->sp - arity);
                wasm_cp_emit_cell(c, x);
                for (uint32_t i = 0; i <= cnt; i++) {
                    ctrl_t *f = &c->cs[c->csp - 1 - labels[i]];
                    uint32_t e;
                    x.u64 = 0;
                    x.o.d = (uint16_t)pos_slot(c, f->height);
                    e = wasm_cp_emit_cell(c, x);
                    wasm_cp_link_jump(c, f, e);
                }
            }
            (void)at;
            wasm_platform_free(labels);
            wasm_cp_set_unreachable(c);
            break;
        }
        case 0x0f: /* return */ {
            ctrl_t *f = &c->cs[0];
            TRY(wasm_cp_pop_vals(c, f->nresults, f->results));
            if (live(c)) {
                c->sp += f->nresults;
                wasm_cp_materialize(c, 0);
                emit_return(c, f->nresults, pos_slot(c, c->sp - f->nresults));
            }
            wasm_cp_set_unreachable(c);
            break;
        }
        case 0x10: /* call */ {
            uint32_t fi, base;
            const wasm_functype_t *t;
            bool emitting = live(c);
            TRY(rd_u32(r, &fi));
            if (fi >= m->nfuncs)
                return INVALID(r, "unknown function %u", fi);
            t = &m->types[m->func_type[fi]];
            TRY(pop_args(c, t->nparams, t->types, &base));
            if (emitting)
                wasm_cp_emit(c, OP_CALL, 0, base, (int32_t)fi);
            TRY(wasm_cp_push_vals(c, t->nresults, t->types + t->nparams));
            break;
        }
        case 0x11: /* call_indirect */ {
            uint32_t ti, tab, base;
            const wasm_functype_t *t;
            bool emitting = live(c);
            TRY(rd_u32(r, &ti));
            TRY(rd_u32(r, &tab));
            if (ti >= m->ntypes)
                return INVALID(r, "unknown type %u", ti);
            TRY(need_table(c, tab));
            if (m->tables[tab].elemtype != WASM_FUNCREF)
                return INVALID(r, "type mismatch: call_indirect on a table of externref");
            t = &m->types[ti];
            TRY(wasm_cp_pop(c, WASM_I32, &a));
            TRY(pop_args(c, t->nparams, t->types, &base));
            if (emitting) {
                wasm_cp_emit(c, OP_CALL_INDIRECT, a.slot, base, (int32_t)ti);
                wasm_cp_emit_u64(c, tab);
            }
            TRY(wasm_cp_push_vals(c, t->nresults, t->types + t->nparams));
            break;
        }
        case 0x1a: /* drop */ TRY(wasm_cp_pop(c, 0, &a)); break;
        case 0x1b: /* select */
        case 0x1c: /* select t */ {
            uint8_t t = 0;
            bool emitting = live(c);
            if (op == 0x1c) {
                uint32_t n;
                TRY(rd_u32(r, &n));
                if (n != 1)
                    return INVALID(r, "invalid result arity for select");
                TRY(rd_valtype(r, &t));
            }
            TRY(wasm_cp_pop(c, WASM_I32, &v));
            TRY(wasm_cp_pop(c, t, &b));
            TRY(wasm_cp_pop(c, t ? t : b.type, &a));
            if (!t) {
                t = a.type ? a.type : b.type;
                if ((a.type && !is_num(a.type)) || (b.type && !is_num(b.type)))
                    return INVALID(r, "type mismatch: select needs numeric operands");
            }
            TRY(wasm_cp_push(c, t));
            if (emitting) {
                wasm_cp_emit(c, OP_SELECT, pos_slot(c, c->sp - 1), v.slot, (int32_t)(a.slot | (b.slot << 16)));
                c->last_dst = (int32_t)c->n - 1;
            }
            break;
        }
        case 0x20: /* local.get */
        case 0x21: /* local.set */
        case 0x22: /* local.tee */ {
            uint32_t k;
            TRY(rd_u32(r, &k));
            if (k >= c->nlocals)
                return INVALID(r, "unknown local %u", k);
            if (op == 0x20) {
                TRY(wasm_cp_push(c, c->ltypes[k]));
                c->st[c->sp - 1].slot = k;
                break;
            }
            {
                bool emitting = live(c);
                int32_t last = c->last_dst;
                uint32_t n0 = c->n;
                TRY(wasm_cp_pop_raw(c, c->ltypes[k], &a));
                if (emitting) {
                    wasm_cp_materialize_local(c, k);
                    if (a.is_const) {
                        wasm_cp_emit_const(c, k, a.k);
                    } else if (a.slot == k) {
                        /* local.set k of local.get k: nothing to do */
                    } else if (last >= 0 && c->n == n0 && a.slot == pos_slot(c, c->sp) &&
                               c->cells[last].o.d == a.slot) {
                        c->cells[last].o.d = (uint16_t)k;
                    } else {
                        wasm_cp_emit(c, OP_COPY, k, a.slot, 0);
                    }
                }
                if (op == 0x22) {
                    TRY(wasm_cp_push(c, c->ltypes[k]));
                    c->st[c->sp - 1].slot = k;
                }
                c->last_dst = -1;
            }
            break;
        }
        case 0x23: /* global.get */
        case 0x24: /* global.set */ {
            uint32_t g;
            uint8_t t, mut;
            bool emitting = live(c);
            TRY(rd_u32(r, &g));
            if (g >= m->nglobals)
                return INVALID(r, "unknown global %u", g);
            t = m->globals[g].type;
            mut = m->globals[g].mut;
            if (op == 0x23) {
                TRY(wasm_cp_push(c, t));
                if (emitting)
                    c->last_dst = (int32_t)wasm_cp_emit(c, OP_GLOBAL_GET, pos_slot(c, c->sp - 1), 0, (int32_t)g);
            } else {
                if (!mut)
                    return INVALID(r, "global is immutable");
                TRY(wasm_cp_pop(c, t, &a));
                if (emitting)
                    wasm_cp_emit(c, OP_GLOBAL_SET, 0, a.slot, (int32_t)g);
            }
            break;
        }
        case 0x25: /* table.get */
        case 0x26: /* table.set */ {
            uint32_t tab;
            bool emitting = live(c);
            TRY(rd_u32(r, &tab));
            TRY(need_table(c, tab));
            if (op == 0x25) {
                TRY(wasm_cp_pop(c, WASM_I32, &a));
                TRY(wasm_cp_push(c, m->tables[tab].elemtype));
                if (emitting)
                    wasm_cp_emit(c, OP_TABLE_GET, pos_slot(c, c->sp - 1), a.slot, (int32_t)tab);
            } else {
                TRY(wasm_cp_pop(c, m->tables[tab].elemtype, &v));
                TRY(wasm_cp_pop(c, WASM_I32, &a));
                if (emitting)
                    wasm_cp_emit(c, OP_TABLE_SET, v.slot, a.slot, (int32_t)tab);
            }
            break;
        }
        case 0x28: TRY(op_load(c, OP_I32_LOAD, 2, WASM_I32)); break;
        case 0x29: TRY(op_load(c, OP_I64_LOAD, 3, WASM_I64)); break;
        case 0x2a: TRY(op_load(c, OP_F32_LOAD, 2, WASM_F32)); break;
        case 0x2b: TRY(op_load(c, OP_F64_LOAD, 3, WASM_F64)); break;
        case 0x2c: TRY(op_load(c, OP_I32_LOAD8_S, 0, WASM_I32)); break;
        case 0x2d: TRY(op_load(c, OP_I32_LOAD8_U, 0, WASM_I32)); break;
        case 0x2e: TRY(op_load(c, OP_I32_LOAD16_S, 1, WASM_I32)); break;
        case 0x2f: TRY(op_load(c, OP_I32_LOAD16_U, 1, WASM_I32)); break;
        case 0x30: TRY(op_load(c, OP_I64_LOAD8_S, 0, WASM_I64)); break;
        case 0x31: TRY(op_load(c, OP_I64_LOAD8_U, 0, WASM_I64)); break;
        case 0x32: TRY(op_load(c, OP_I64_LOAD16_S, 1, WASM_I64)); break;
        case 0x33: TRY(op_load(c, OP_I64_LOAD16_U, 1, WASM_I64)); break;
        case 0x34: TRY(op_load(c, OP_I64_LOAD32_S, 2, WASM_I64)); break;
        case 0x35: TRY(op_load(c, OP_I64_LOAD32_U, 2, WASM_I64)); break;
        case 0x36: TRY(op_store(c, OP_I32_STORE, 2, WASM_I32)); break;
        case 0x37: TRY(op_store(c, OP_I64_STORE, 3, WASM_I64)); break;
        case 0x38: TRY(op_store(c, OP_F32_STORE, 2, WASM_F32)); break;
        case 0x39: TRY(op_store(c, OP_F64_STORE, 3, WASM_F64)); break;
        case 0x3a: TRY(op_store(c, OP_I32_STORE8, 0, WASM_I32)); break;
        case 0x3b: TRY(op_store(c, OP_I32_STORE16, 1, WASM_I32)); break;
        case 0x3c: TRY(op_store(c, OP_I64_STORE8, 0, WASM_I64)); break;
        case 0x3d: TRY(op_store(c, OP_I64_STORE16, 1, WASM_I64)); break;
        case 0x3e: TRY(op_store(c, OP_I64_STORE32, 2, WASM_I64)); break;
        case 0x3f: /* memory.size */ {
            bool emitting = live(c);
            TRY(zero_byte(c));
            TRY(need_mem(c));
            TRY(wasm_cp_push(c, WASM_I32));
            if (emitting)
                wasm_cp_emit(c, OP_MEMORY_SIZE, pos_slot(c, c->sp - 1), 0, 0);
            break;
        }
        case 0x40: /* memory.grow */ {
            bool emitting = live(c);
            TRY(zero_byte(c));
            TRY(need_mem(c));
            TRY(wasm_cp_pop(c, WASM_I32, &a));
            TRY(wasm_cp_push(c, WASM_I32));
            if (emitting)
                wasm_cp_emit(c, OP_MEMORY_GROW, pos_slot(c, c->sp - 1), a.slot, 0);
            break;
        }
        case 0x41:
        case 0x42:
        case 0x43:
        case 0x44: /* constants */ {
            uint64_t bits = 0;
            uint8_t t;
            bool emitting = live(c);
            if (op == 0x41) {
                int32_t x;
                TRY(rd_s32(r, &x));
                bits = (uint32_t)x;
                t = WASM_I32;
            } else if (op == 0x42) {
                int64_t x;
                TRY(rd_s64(r, &x));
                bits = (uint64_t)x;
                t = WASM_I64;
            } else {
                const uint8_t *p;
                TRY(rd_bytes(r, op == 0x43 ? 4 : 8, &p));
                wasm_memcpy(&bits, p, op == 0x43 ? 4 : 8);
                t = op == 0x43 ? WASM_F32 : WASM_F64;
            }
            TRY(wasm_cp_push(c, t));
            c->st[c->sp - 1].is_const = true;
            c->st[c->sp - 1].k = bits;
            (void)emitting;
            break;
        }
        case 0xd0: /* ref.null */ {
            uint8_t t;
            bool emitting = live(c);
            TRY(rd_u8(r, &t));
            if (!is_ref(t))
                return MALFORMED(r, "malformed reference type");
            TRY(wasm_cp_push(c, t));
            if (emitting) {
                wasm_cp_emit(c, OP_CONST, pos_slot(c, c->sp - 1), 0, 0);
                wasm_cp_emit_u64(c, 0);
            }
            break;
        }
        case 0xd1: /* ref.is_null */ {
            bool emitting = live(c);
            TRY(wasm_cp_pop(c, 0, &a));
            if (a.type && !is_ref(a.type))
                return INVALID(r, "type mismatch: ref.is_null needs a reference");
            TRY(wasm_cp_push(c, WASM_I32));
            if (emitting)
                wasm_cp_emit(c, OP_REF_IS_NULL, pos_slot(c, c->sp - 1), a.slot, 0);
            break;
        }
        case 0xd2: /* ref.func */ {
            uint32_t fi;
            bool emitting = live(c);
            TRY(rd_u32(r, &fi));
            if (fi >= m->nfuncs)
                return INVALID(r, "unknown function %u", fi);
            if (!m->func_declared[fi])
                return INVALID(r, "undeclared function reference %u", fi);
            TRY(wasm_cp_push(c, WASM_FUNCREF));
            if (emitting)
                wasm_cp_emit(c, OP_REF_FUNC, pos_slot(c, c->sp - 1), 0, (int32_t)fi);
            break;
        }
        case 0xfc: {
            uint32_t sub;
            TRY(rd_u32(r, &sub));
            if (sub <= 7) {
                static const uint8_t from[8] = {WASM_F32, WASM_F32, WASM_F64, WASM_F64,
                                                WASM_F32, WASM_F32, WASM_F64, WASM_F64};
                TRY(op_simple(c, OP_SAT + (int)sub, from[sub], 0, sub < 4 ? WASM_I32 : WASM_I64));
                break;
            }
            TRY(compile_fc(c, sub));
            break;
        }
        case 0xfd: return wasm_fail(r, WASM_E_UNSUPPORTED, "unsupported: SIMD");
        default:
            if (op >= 0x45 && op <= 0xc4) {
                uint8_t ta, tb, tr;
                num_sig(op, &ta, &tb, &tr);
                TRY(op_simple(c, OP_NUM + (op - 0x45), ta, tb, tr));
                break;
            }
            r->p--;
            return MALFORMED(r, "illegal opcode 0x%x", op);
        }
    }
    return true;
}
