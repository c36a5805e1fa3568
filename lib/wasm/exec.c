/* exec.c - the interpreter: runs internal code (internal.h) with threaded
 * dispatch (GNU C computed goto).
 *
 * Wasm calls never recurse natively: a call pushes a wasm_frame_t on the
 * store's frame array and continues in the same loop, so stack exhaustion is
 * a clean trap at a configurable depth.  This file is longer than the style
 * target because the whole interpreter must be one function for computed
 * goto; the per-op bodies are macros kept one line each where possible. */
#include "internal.h"
#include "numeric.h"

const char *const wasm_trap_messages[] = {
    [TRAP_NONE] = "no trap",
    [TRAP_UNREACHABLE] = "unreachable",
    [TRAP_MEM_OOB] = "out of bounds memory access",
    [TRAP_DIV_ZERO] = "integer divide by zero",
    [TRAP_INT_OVERFLOW] = "integer overflow",
    [TRAP_INVALID_CONV] = "invalid conversion to integer",
    [TRAP_UNDEF_ELEM] = "undefined element",
    [TRAP_UNINIT_ELEM] = "uninitialized element",
    [TRAP_SIG_MISMATCH] = "indirect call type mismatch",
    [TRAP_TABLE_OOB] = "out of bounds table access",
    [TRAP_STACK] = "call stack exhausted",
    [TRAP_FUEL] = "fuel exhausted",
    [TRAP_HOST] = "host function trapped",
    [TRAP_EXIT] = "exit",
    [TRAP_NOMEM] = "out of memory",
};

#define NUM_OPS(X)                                                                       \
    X(I32_EQZ) X(I32_EQ) X(I32_NE) X(I32_LT_S) X(I32_LT_U) X(I32_GT_S) X(I32_GT_U)     \
    X(I32_LE_S) X(I32_LE_U) X(I32_GE_S) X(I32_GE_U)                                      \
    X(I64_EQZ) X(I64_EQ) X(I64_NE) X(I64_LT_S) X(I64_LT_U) X(I64_GT_S) X(I64_GT_U)     \
    X(I64_LE_S) X(I64_LE_U) X(I64_GE_S) X(I64_GE_U)                                      \
    X(F32_EQ) X(F32_NE) X(F32_LT) X(F32_GT) X(F32_LE) X(F32_GE)                          \
    X(F64_EQ) X(F64_NE) X(F64_LT) X(F64_GT) X(F64_LE) X(F64_GE)                          \
    X(I32_CLZ) X(I32_CTZ) X(I32_POPCNT) X(I32_ADD) X(I32_SUB) X(I32_MUL) X(I32_DIV_S)  \
    X(I32_DIV_U) X(I32_REM_S) X(I32_REM_U) X(I32_AND) X(I32_OR) X(I32_XOR) X(I32_SHL)   \
    X(I32_SHR_S) X(I32_SHR_U) X(I32_ROTL) X(I32_ROTR)                                    \
    X(I64_CLZ) X(I64_CTZ) X(I64_POPCNT) X(I64_ADD) X(I64_SUB) X(I64_MUL) X(I64_DIV_S)  \
    X(I64_DIV_U) X(I64_REM_S) X(I64_REM_U) X(I64_AND) X(I64_OR) X(I64_XOR) X(I64_SHL)   \
    X(I64_SHR_S) X(I64_SHR_U) X(I64_ROTL) X(I64_ROTR)                                    \
    X(F32_ABS) X(F32_NEG) X(F32_CEIL) X(F32_FLOOR) X(F32_TRUNC) X(F32_NEAREST)          \
    X(F32_SQRT) X(F32_ADD) X(F32_SUB) X(F32_MUL) X(F32_DIV) X(F32_MIN) X(F32_MAX)       \
    X(F32_COPYSIGN)                                                                      \
    X(F64_ABS) X(F64_NEG) X(F64_CEIL) X(F64_FLOOR) X(F64_TRUNC) X(F64_NEAREST)          \
    X(F64_SQRT) X(F64_ADD) X(F64_SUB) X(F64_MUL) X(F64_DIV) X(F64_MIN) X(F64_MAX)       \
    X(F64_COPYSIGN)                                                                      \
    X(I32_WRAP_I64) X(I32_TRUNC_F32_S) X(I32_TRUNC_F32_U) X(I32_TRUNC_F64_S)            \
    X(I32_TRUNC_F64_U) X(I64_EXTEND_I32_S) X(I64_EXTEND_I32_U) X(I64_TRUNC_F32_S)       \
    X(I64_TRUNC_F32_U) X(I64_TRUNC_F64_S) X(I64_TRUNC_F64_U) X(F32_CONVERT_I32_S)       \
    X(F32_CONVERT_I32_U) X(F32_CONVERT_I64_S) X(F32_CONVERT_I64_U) X(F32_DEMOTE_F64)    \
    X(F64_CONVERT_I32_S) X(F64_CONVERT_I32_U) X(F64_CONVERT_I64_S) X(F64_CONVERT_I64_U) \
    X(F64_PROMOTE_F32) X(I32_REINTERPRET_F32) X(I64_REINTERPRET_F64)                    \
    X(F32_REINTERPRET_I32) X(F64_REINTERPRET_I64) X(I32_EXTEND8_S) X(I32_EXTEND16_S)    \
    X(I64_EXTEND8_S) X(I64_EXTEND16_S) X(I64_EXTEND32_S)                                 \
    X(I32_TRUNC_SAT_F32_S) X(I32_TRUNC_SAT_F32_U) X(I32_TRUNC_SAT_F64_S)                \
    X(I32_TRUNC_SAT_F64_U) X(I64_TRUNC_SAT_F32_S) X(I64_TRUNC_SAT_F32_U)                \
    X(I64_TRUNC_SAT_F64_S) X(I64_TRUNC_SAT_F64_U)

static int run(wasm_store_t *s, wasm_func_t *f, wasm_value_t *fp, const void *const **labels);

const void *const *wasm_exec_handlers(void) {
    const void *const *labels;
    run(NULL, NULL, NULL, &labels);
    return labels;
}

/* ---- helpers used by the interpreter and by instantiation ---- */

int32_t wasm_memory_grow(wasm_store_t *st, wasm_memory_t *mem, uint32_t delta) {
    uint32_t old = mem->pages;
    uint64_t n = (uint64_t)old + delta;
    uint32_t cap = mem->has_max ? mem->max : 65536;
    uint8_t *p;
    if (st && st->lim.max_memory_pages < cap)
        cap = st->lim.max_memory_pages;
    if (n > cap)
        return -1;
    if (delta == 0)
        return (int32_t)old;
    p = wasm_platform_realloc(mem->data, (size_t)(n * 65536));
    if (!p)
        return -1;
    wasm_memset(p + mem->size, 0, (size_t)(delta * 65536ull));
    mem->data = p;
    mem->pages = (uint32_t)n;
    mem->size = n * 65536;
    return (int32_t)old;
}

int32_t wasm_table_grow(wasm_store_t *st, wasm_table_t *t, uint32_t delta, void *init) {
    uint32_t old = t->size;
    uint64_t n = (uint64_t)old + delta;
    uint32_t cap = t->has_max ? t->max : 0xffffffffu;
    void **p;
    if (st && st->lim.max_table_elems < cap)
        cap = st->lim.max_table_elems;
    if (n > cap)
        return -1;
    if (delta == 0)
        return (int32_t)old;
    p = wasm_platform_realloc(t->elems, (size_t)n * sizeof(void *));
    if (!p)
        return -1;
    for (uint64_t i = old; i < n; i++)
        p[i] = init;
    t->elems = p;
    t->size = (uint32_t)n;
    return (int32_t)old;
}

static void *elem_value(wasm_instance_t *inst, const wasm_constexpr_t *ce) {
    switch (ce->kind) {
    case CE_REF_FUNC: return inst->funcs[ce->idx];
    case CE_GLOBAL: return inst->globals[ce->idx]->v.ref;
    default: return NULL;
    }
}

int wasm_table_init(wasm_instance_t *inst, uint32_t table, uint32_t elem, uint32_t d,
                    uint32_t s, uint32_t n) {
    wasm_table_t *t = inst->tables[table];
    const wasm_elem_t *e = &inst->module->elems[elem];
    uint32_t len = inst->elem_dropped[elem] ? 0 : e->count;
    if ((uint64_t)s + n > len || (uint64_t)d + n > t->size)
        return TRAP_TABLE_OOB;
    for (uint32_t i = 0; i < n; i++)
        t->elems[d + i] = elem_value(inst, &e->items[s + i]);
    return 0;
}

int wasm_memory_init(wasm_instance_t *inst, uint32_t data, uint32_t d, uint32_t s, uint32_t n) {
    const wasm_data_t *seg = &inst->module->datas[data];
    uint32_t len = inst->data_dropped[data] ? 0 : seg->len;
    wasm_memory_t *mem = inst->mem;
    if ((uint64_t)s + n > len || (uint64_t)d + n > mem->size)
        return TRAP_MEM_OOB;
    if (n)
        wasm_memcpy(mem->data + d, seg->bytes + s, n);
    return 0;
}

static bool functype_matches(const wasm_functype_t *a, const wasm_functype_t *b) {
    return a == b || wasm_functype_eq(a, b);
}

int wasm_exec_call(wasm_store_t *s, wasm_func_t *f, wasm_value_t *vals) {
    wasm_value_t *fp = s->sp_base;
    uint32_t np = f->type->nparams, nr = f->type->nresults;
    int rc;
    if (!f->code) {
        wasm_host_ctx_t ctx = {s, NULL};
        s->trap_code = 0;
        rc = f->host(&ctx, vals, f->user);
        if (rc) {
            if (!s->trap_code)
                s->trap_code = TRAP_HOST;
            return s->trap_code == TRAP_EXIT ? WASM_E_EXIT : WASM_E_TRAP;
        }
        return 0;
    }
    /* Each host -> wasm re-entry is a native recursion of run(): bounded. */
    if (fp + f->code->frame_slots > s->stack + s->lim.stack_slots ||
        s->depth >= s->lim.max_call_depth || s->nesting >= WASM_MAX_NESTING) {
        s->trap_code = TRAP_STACK;
        return WASM_E_TRAP;
    }
    for (uint32_t i = 0; i < np; i++)
        fp[i] = vals[i];
    s->nesting++;
    rc = run(s, f, fp, NULL);
    s->nesting--;
    if (rc == 0)
        for (uint32_t i = 0; i < nr; i++)
            vals[i] = fp[i];
    return rc;
}

/* Operand cell of the current instruction. */
#define O (pc[1].o)
#define NEXT(n)                                                                          \
    do {                                                                                 \
        pc += (n);                                                                       \
        goto *pc->h;                                                                     \
    } while (0)
#define TRAP(code)                                                                       \
    do {                                                                                 \
        trap = (code);                                                                   \
        goto trapped;                                                                    \
    } while (0)
#define FUEL()                                                                           \
    do {                                                                                 \
        if (__builtin_expect(--fuel == 0, 0))                                            \
            TRAP(TRAP_FUEL);                                                             \
    } while (0)
#define RELOAD_MEM()                                                                     \
    do {                                                                                 \
        mem = inst->mem ? inst->mem->data : NULL;                                        \
        memsize = inst->mem ? inst->mem->size : 0;                                       \
    } while (0)

#define BINOP(name, T, expr)                                                             \
    L_##name : {                                                                         \
        __typeof__(fp->T) x = fp[O.a].T, y = fp[O.b].T;                                  \
        (void)x, (void)y;                                                                \
        fp[O.d].T = (expr);                                                              \
        NEXT(2);                                                                         \
    }
#define CMPOP(name, T, expr)                                                             \
    L_##name : {                                                                         \
        __typeof__(fp->T) x = fp[O.a].T, y = fp[O.b].T;                                  \
        fp[O.d].u32 = (expr);                                                            \
        NEXT(2);                                                                         \
    }
#define UNOP(name, TI, TO, expr)                                                         \
    L_##name : {                                                                         \
        __typeof__(fp->TI) x = fp[O.a].TI;                                               \
        fp[O.d].TO = (expr);                                                             \
        NEXT(2);                                                                         \
    }
#define LOAD(name, N, CT, TO, conv)                                                      \
    L_##name : {                                                                         \
        uint64_t ea = (uint64_t)fp[O.a].u32 + (uint32_t)O.b;                             \
        CT v;                                                                            \
        if (__builtin_expect(ea + N > memsize, 0))                                       \
            TRAP(TRAP_MEM_OOB);                                                          \
        __builtin_memcpy(&v, mem + ea, N);                                               \
        fp[O.d].TO = conv v;                                                             \
        NEXT(2);                                                                         \
    }
#define STORE(name, N, CT, TI)                                                           \
    L_##name : {                                                                         \
        uint64_t ea = (uint64_t)fp[O.a].u32 + (uint32_t)O.b;                             \
        CT v = (CT)fp[O.d].TI;                                                           \
        if (__builtin_expect(ea + N > memsize, 0))                                       \
            TRAP(TRAP_MEM_OOB);                                                          \
        __builtin_memcpy(mem + ea, &v, N);                                               \
        NEXT(2);                                                                         \
    }
/* Float-to-int truncation: trap on NaN or when x is outside (lo, hi). */
#define TRUNC(name, TI, TO, CT, lo, hi)                                                  \
    L_##name : {                                                                         \
        __typeof__(fp->TI) x = fp[O.a].TI;                                               \
        if (x != x)                                                                      \
            TRAP(TRAP_INVALID_CONV);                                                     \
        if (!(x > lo && x < hi))                                                         \
            TRAP(TRAP_INT_OVERFLOW);                                                     \
        fp[O.d].TO = (CT)x;                                                              \
        NEXT(2);                                                                         \
    }
#define TRUNC_SAT(name, TI, TO, CT, lo, hi, minv, maxv)                                  \
    L_##name : {                                                                         \
        __typeof__(fp->TI) x = fp[O.a].TI;                                               \
        CT r;                                                                            \
        if (x != x)                                                                      \
            r = 0;                                                                       \
        else if (!(x > lo))                                                              \
            r = minv;                                                                    \
        else if (!(x < hi))                                                              \
            r = maxv;                                                                    \
        else                                                                             \
            r = (CT)x;                                                                   \
        fp[O.d].TO = r;                                                                  \
        NEXT(2);                                                                         \
    }

/* Binary operator with an immediate right operand (sign-extended O.b). */
#define BINOP_IMM(name, T, expr)                                                         \
    L_IMM_##name : {                                                                     \
        __typeof__(fp->T) x = fp[O.a].T, y = (__typeof__(fp->T))(int64_t)O.b;             \
        fp[O.d].T = (expr);                                                              \
        NEXT(2);                                                                         \
    }
#define CMPOP_IMM(name, T, expr)                                                         \
    L_IMM_##name : {                                                                     \
        __typeof__(fp->T) x = fp[O.a].T, y = (__typeof__(fp->T))(int64_t)O.b;             \
        fp[O.d].u32 = (expr);                                                            \
        NEXT(2);                                                                         \
    }
/* Compare and branch: operand cell {a, b}, then a cell whose b is the jump
 * (relative to that cell). */
#define BRC(name, T, cmp)                                                                \
    L_BRC_##name : {                                                                     \
        __typeof__(fp->T) x = fp[O.a].T, y = fp[O.b].T;                                  \
        if (x cmp y) {                                                                   \
            FUEL();                                                                      \
            pc = pc + 2 + pc[2].o.b;                                                     \
            NEXT(0);                                                                     \
        }                                                                                \
        NEXT(3);                                                                         \
    }                                                                                    \
    L_BRCI_##name : {                                                                    \
        __typeof__(fp->T) x = fp[O.a].T, y = (__typeof__(fp->T))O.b;                     \
        if (x cmp y) {                                                                   \
            FUEL();                                                                      \
            pc = pc + 2 + pc[2].o.b;                                                     \
            NEXT(0);                                                                     \
        }                                                                                \
        NEXT(3);                                                                         \
    }

static int run(wasm_store_t *s, wasm_func_t *f, wasm_value_t *fp, const void *const **labels) {
    static const void *const handlers[OP_COUNT] = {
#define X(n) [OP_##n] = &&L_##n,
        WASM_CONTROL_OPS(X)
#undef X
#define X(n) &&L_##n,
        NUM_OPS(X)
#undef X
#define X(n, code) [OP_IMM_##n] = &&L_IMM_##n,
        WASM_IMM_OPS(X)
#undef X
#define X(n, code, neg) [OP_BRC_##n] = &&L_BRC_##n, [OP_BRCI_##n] = &&L_BRCI_##n,
        WASM_BRC_OPS(X)
#undef X
    };
    const wasm_cell_t *pc;
    wasm_instance_t *inst;
    uint8_t *mem;
    uint64_t memsize, fuel;
    wasm_frame_t *frames;
    uint32_t depth, base_depth, max_depth;
    wasm_value_t *stack_end;
    int trap = 0;

    if (labels) {
        *labels = handlers;
        return 0;
    }
    inst = f->inst;
    pc = f->code->cells;
    frames = s->frames;
    depth = base_depth = s->depth;
    max_depth = s->lim.max_call_depth;
    stack_end = s->stack + s->lim.stack_slots;
    fuel = s->fuel;
    for (uint32_t i = f->code->nparams; i < f->code->nlocals; i++)
        fp[i].u64 = 0;
    RELOAD_MEM();
    NEXT(0);

L_UNREACHABLE:
L_ENTRY:
    TRAP(TRAP_UNREACHABLE);
L_BR:
    FUEL();
    pc = pc + 1 + O.b;
    NEXT(0);
L_BR_MOVE : {
    uint64_t n = pc[2].u64;
    wasm_value_t *dst = fp + O.d, *src = fp + O.a;
    FUEL();
    for (uint64_t i = 0; i < n; i++)
        dst[i] = src[i];
    pc = pc + 1 + O.b;
    NEXT(0);
}
L_BR_IF:
    if (fp[O.a].u32) {
        FUEL();
        pc = pc + 1 + O.b;
        NEXT(0);
    }
    NEXT(2);
L_BR_UNLESS:
    if (!fp[O.a].u32) {
        pc = pc + 1 + O.b;
        NEXT(0);
    }
    NEXT(2);
L_BR_TABLE : {
    uint32_t i = fp[O.a].u32, n = (uint32_t)O.b, arity = O.d;
    const wasm_cell_t *e;
    wasm_value_t *src = fp + pc[2].u64;
    if (i > n)
        i = n;
    e = pc + 3 + i;
    FUEL();
    if (arity && fp + e->o.d != src)
        for (uint32_t k = 0; k < arity; k++)
            fp[e->o.d + k] = src[k];
    pc = e + e->o.b;
    NEXT(0);
}
L_RETURN : {
    uint32_t n = O.d;
    wasm_value_t *src = fp + O.a;
    if (src != fp) {
        if (n == 1)
            fp[0] = src[0];
        else
            for (uint32_t i = 0; i < n; i++)
                fp[i] = src[i];
    }
    if (depth == base_depth)
        goto done;
    depth--;
    pc = frames[depth].ret_pc;
    fp = frames[depth].fp;
    if (frames[depth].inst != inst) {
        /* (within one instance mem/memsize are current: memory.grow and
         * host calls reload them) */
        inst = frames[depth].inst;
        RELOAD_MEM();
    }
    NEXT(0);
}
L_CALL : {
    wasm_func_t *callee = inst->funcs[O.b];
    wasm_value_t *args = fp + O.a;
    pc += 2;
    goto do_call;
L_CALL_INDIRECT : {
    wasm_table_t *t = inst->tables[pc[2].u64];
    uint32_t i = fp[O.d].u32;
    const wasm_functype_t *want = &inst->module->types[O.b];
    args = fp + O.a;
    if (i >= t->size)
        TRAP(TRAP_UNDEF_ELEM);
    callee = t->elems[i];
    if (!callee)
        TRAP(TRAP_UNINIT_ELEM);
    if (!functype_matches(callee->type, want))
        TRAP(TRAP_SIG_MISMATCH);
    pc += 3;
}
do_call:
    FUEL();
    if (callee->code) {
        const wasm_code_t *cd = callee->code;
        if (depth >= max_depth || args + cd->frame_slots > stack_end)
            TRAP(TRAP_STACK);
        frames[depth].ret_pc = pc;
        frames[depth].fp = fp;
        frames[depth].inst = inst;
        depth++;
        fp = args;
        for (uint32_t i = cd->nparams; i < cd->nlocals; i++)
            fp[i].u64 = 0;
        if (callee->inst != inst) {
            inst = callee->inst;
            RELOAD_MEM();
        }
        pc = cd->cells;
        NEXT(0);
    } else {
        wasm_host_ctx_t ctx = {s, inst};
        uint32_t np = callee->type->nparams, nr = callee->type->nresults;
        wasm_value_t *save_base = s->sp_base;
        uint32_t save_depth = s->depth;
        int rc;
        if (args + (np > nr ? np : nr) + 1 > stack_end)
            TRAP(TRAP_STACK);
        s->sp_base = args + (np > nr ? np : nr) + 1;
        s->depth = depth;
        s->fuel = fuel;
        s->trap_code = 0;
        rc = callee->host(&ctx, args, callee->user);
        fuel = s->fuel;
        s->sp_base = save_base;
        s->depth = save_depth;
        if (rc)
            TRAP(s->trap_code ? s->trap_code : TRAP_HOST);
        RELOAD_MEM();
        NEXT(0);
    }
}
L_SELECT : {
    int32_t b = O.b;
    fp[O.d] = fp[O.a].u32 ? fp[b & 0xffff] : fp[(uint32_t)b >> 16];
    NEXT(2);
}
L_COPY:
    fp[O.d] = fp[O.a];
    NEXT(2);
L_CONST:
    fp[O.d].u64 = pc[2].u64;
    NEXT(3);
L_GLOBAL_GET:
    fp[O.d] = inst->globals[O.b]->v;
    NEXT(2);
L_GLOBAL_SET:
    inst->globals[O.b]->v = fp[O.a];
    NEXT(2);

    LOAD(I32_LOAD, 4, uint32_t, u32, )
    LOAD(I64_LOAD, 8, uint64_t, u64, )
    LOAD(F32_LOAD, 4, uint32_t, u32, )
    LOAD(F64_LOAD, 8, uint64_t, u64, )
    LOAD(I32_LOAD8_S, 1, int8_t, i32, (int32_t))
    LOAD(I32_LOAD8_U, 1, uint8_t, u32, (uint32_t))
    LOAD(I32_LOAD16_S, 2, int16_t, i32, (int32_t))
    LOAD(I32_LOAD16_U, 2, uint16_t, u32, (uint32_t))
    LOAD(I64_LOAD8_S, 1, int8_t, i64, (int64_t))
    LOAD(I64_LOAD8_U, 1, uint8_t, u64, (uint64_t))
    LOAD(I64_LOAD16_S, 2, int16_t, i64, (int64_t))
    LOAD(I64_LOAD16_U, 2, uint16_t, u64, (uint64_t))
    LOAD(I64_LOAD32_S, 4, int32_t, i64, (int64_t))
    LOAD(I64_LOAD32_U, 4, uint32_t, u64, (uint64_t))
    STORE(I32_STORE, 4, uint32_t, u32)
    STORE(I64_STORE, 8, uint64_t, u64)
    STORE(F32_STORE, 4, uint32_t, u32)
    STORE(F64_STORE, 8, uint64_t, u64)
    STORE(I32_STORE8, 1, uint8_t, u32)
    STORE(I32_STORE16, 2, uint16_t, u32)
    STORE(I64_STORE8, 1, uint8_t, u64)
    STORE(I64_STORE16, 2, uint16_t, u64)
    STORE(I64_STORE32, 4, uint32_t, u64)

L_MEMORY_SIZE:
    fp[O.d].u32 = inst->mem->pages;
    NEXT(2);
L_MEMORY_GROW:
    fp[O.d].i32 = wasm_memory_grow(s, inst->mem, fp[O.a].u32);
    RELOAD_MEM();
    NEXT(2);
L_MEMORY_INIT : {
    wasm_value_t *a = fp + O.a;
    int t = wasm_memory_init(inst, (uint32_t)O.b, a[0].u32, a[1].u32, a[2].u32);
    if (t)
        TRAP(t);
    NEXT(2);
}
L_DATA_DROP:
    inst->data_dropped[O.b] = true;
    NEXT(2);
L_MEMORY_COPY : {
    wasm_value_t *a = fp + O.a;
    uint32_t d = a[0].u32, sr = a[1].u32, n = a[2].u32;
    if ((uint64_t)d + n > memsize || (uint64_t)sr + n > memsize)
        TRAP(TRAP_MEM_OOB);
    if (n)
        wasm_memmove(mem + d, mem + sr, n);
    NEXT(2);
}
L_MEMORY_FILL : {
    wasm_value_t *a = fp + O.a;
    uint32_t d = a[0].u32, n = a[2].u32;
    if ((uint64_t)d + n > memsize)
        TRAP(TRAP_MEM_OOB);
    if (n)
        wasm_memset(mem + d, (int)(a[1].u32 & 0xff), n);
    NEXT(2);
}
L_TABLE_GET : {
    wasm_table_t *t = inst->tables[O.b];
    uint32_t i = fp[O.a].u32;
    if (i >= t->size)
        TRAP(TRAP_TABLE_OOB);
    fp[O.d].ref = t->elems[i];
    NEXT(2);
}
L_TABLE_SET : {
    wasm_table_t *t = inst->tables[O.b];
    uint32_t i = fp[O.a].u32;
    if (i >= t->size)
        TRAP(TRAP_TABLE_OOB);
    t->elems[i] = fp[O.d].ref;
    NEXT(2);
}
L_TABLE_SIZE:
    fp[O.d].u32 = inst->tables[O.b]->size;
    NEXT(2);
L_TABLE_GROW : {
    wasm_value_t *a = fp + O.a;
    fp[O.d].i32 = wasm_table_grow(s, inst->tables[O.b], a[1].u32, a[0].ref);
    NEXT(2);
}
L_TABLE_FILL : {
    wasm_value_t *a = fp + O.a;
    wasm_table_t *t = inst->tables[O.b];
    uint32_t i = a[0].u32, n = a[2].u32;
    if ((uint64_t)i + n > t->size)
        TRAP(TRAP_TABLE_OOB);
    for (uint32_t k = 0; k < n; k++)
        t->elems[i + k] = a[1].ref;
    NEXT(2);
}
L_TABLE_COPY : {
    wasm_value_t *a = fp + O.a;
    wasm_table_t *td = inst->tables[O.b], *ts = inst->tables[pc[2].u64];
    uint32_t d = a[0].u32, sr = a[1].u32, n = a[2].u32;
    if ((uint64_t)d + n > td->size || (uint64_t)sr + n > ts->size)
        TRAP(TRAP_TABLE_OOB);
    if (n)
        wasm_memmove(td->elems + d, ts->elems + sr, (size_t)n * sizeof(void *));
    NEXT(3);
}
L_TABLE_INIT : {
    wasm_value_t *a = fp + O.a;
    int t = wasm_table_init(inst, (uint32_t)O.b, (uint32_t)pc[2].u64, a[0].u32, a[1].u32,
                            a[2].u32);
    if (t)
        TRAP(t);
    NEXT(3);
}
L_ELEM_DROP:
    inst->elem_dropped[O.b] = true;
    NEXT(2);
L_REF_IS_NULL:
    fp[O.d].u32 = fp[O.a].ref == NULL;
    NEXT(2);
L_REF_FUNC:
    fp[O.d].ref = inst->funcs[O.b];
    NEXT(2);

    /* ---- numeric ---- */
    UNOP(I32_EQZ, u32, u32, x == 0)
    CMPOP(I32_EQ, u32, x == y)
    CMPOP(I32_NE, u32, x != y)
    CMPOP(I32_LT_S, i32, x < y)
    CMPOP(I32_LT_U, u32, x < y)
    CMPOP(I32_GT_S, i32, x > y)
    CMPOP(I32_GT_U, u32, x > y)
    CMPOP(I32_LE_S, i32, x <= y)
    CMPOP(I32_LE_U, u32, x <= y)
    CMPOP(I32_GE_S, i32, x >= y)
    CMPOP(I32_GE_U, u32, x >= y)
    UNOP(I64_EQZ, u64, u32, x == 0)
    CMPOP(I64_EQ, u64, x == y)
    CMPOP(I64_NE, u64, x != y)
    CMPOP(I64_LT_S, i64, x < y)
    CMPOP(I64_LT_U, u64, x < y)
    CMPOP(I64_GT_S, i64, x > y)
    CMPOP(I64_GT_U, u64, x > y)
    CMPOP(I64_LE_S, i64, x <= y)
    CMPOP(I64_LE_U, u64, x <= y)
    CMPOP(I64_GE_S, i64, x >= y)
    CMPOP(I64_GE_U, u64, x >= y)
    CMPOP(F32_EQ, f32, x == y)
    CMPOP(F32_NE, f32, x != y)
    CMPOP(F32_LT, f32, x < y)
    CMPOP(F32_GT, f32, x > y)
    CMPOP(F32_LE, f32, x <= y)
    CMPOP(F32_GE, f32, x >= y)
    CMPOP(F64_EQ, f64, x == y)
    CMPOP(F64_NE, f64, x != y)
    CMPOP(F64_LT, f64, x < y)
    CMPOP(F64_GT, f64, x > y)
    CMPOP(F64_LE, f64, x <= y)
    CMPOP(F64_GE, f64, x >= y)
    UNOP(I32_CLZ, u32, u32, x ? (uint32_t)__builtin_clz(x) : 32)
    UNOP(I32_CTZ, u32, u32, x ? (uint32_t)__builtin_ctz(x) : 32)
    UNOP(I32_POPCNT, u32, u32, popcnt64(x))
    BINOP(I32_ADD, u32, x + y)
    BINOP(I32_SUB, u32, x - y)
    BINOP(I32_MUL, u32, x * y)
L_I32_DIV_S : {
    int32_t x = fp[O.a].i32, y = fp[O.b].i32;
    if (y == 0)
        TRAP(TRAP_DIV_ZERO);
    if (x == INT32_MIN && y == -1)
        TRAP(TRAP_INT_OVERFLOW);
    fp[O.d].i32 = x / y;
    NEXT(2);
}
L_I32_DIV_U : {
    uint32_t x = fp[O.a].u32, y = fp[O.b].u32;
    if (y == 0)
        TRAP(TRAP_DIV_ZERO);
    fp[O.d].u32 = x / y;
    NEXT(2);
}
L_I32_REM_S : {
    int32_t x = fp[O.a].i32, y = fp[O.b].i32;
    if (y == 0)
        TRAP(TRAP_DIV_ZERO);
    fp[O.d].i32 = y == -1 ? 0 : x % y;
    NEXT(2);
}
L_I32_REM_U : {
    uint32_t x = fp[O.a].u32, y = fp[O.b].u32;
    if (y == 0)
        TRAP(TRAP_DIV_ZERO);
    fp[O.d].u32 = x % y;
    NEXT(2);
}
    BINOP(I32_AND, u32, x & y)
    BINOP(I32_OR, u32, x | y)
    BINOP(I32_XOR, u32, x ^ y)
    BINOP(I32_SHL, u32, x << (y & 31))
    BINOP(I32_SHR_S, i32, x >> (y & 31))
    BINOP(I32_SHR_U, u32, x >> (y & 31))
    BINOP(I32_ROTL, u32, rotl32(x, y))
    BINOP(I32_ROTR, u32, rotr32(x, y))
    UNOP(I64_CLZ, u64, u64, x ? (uint64_t)__builtin_clzll(x) : 64)
    UNOP(I64_CTZ, u64, u64, x ? (uint64_t)__builtin_ctzll(x) : 64)
    UNOP(I64_POPCNT, u64, u64, popcnt64(x))
    BINOP(I64_ADD, u64, x + y)
    BINOP(I64_SUB, u64, x - y)
    BINOP(I64_MUL, u64, x * y)
L_I64_DIV_S : {
    int64_t x = fp[O.a].i64, y = fp[O.b].i64;
    if (y == 0)
        TRAP(TRAP_DIV_ZERO);
    if (x == INT64_MIN && y == -1)
        TRAP(TRAP_INT_OVERFLOW);
    fp[O.d].i64 = x / y;
    NEXT(2);
}
L_I64_DIV_U : {
    uint64_t x = fp[O.a].u64, y = fp[O.b].u64;
    if (y == 0)
        TRAP(TRAP_DIV_ZERO);
    fp[O.d].u64 = x / y;
    NEXT(2);
}
L_I64_REM_S : {
    int64_t x = fp[O.a].i64, y = fp[O.b].i64;
    if (y == 0)
        TRAP(TRAP_DIV_ZERO);
    fp[O.d].i64 = y == -1 ? 0 : x % y;
    NEXT(2);
}
L_I64_REM_U : {
    uint64_t x = fp[O.a].u64, y = fp[O.b].u64;
    if (y == 0)
        TRAP(TRAP_DIV_ZERO);
    fp[O.d].u64 = x % y;
    NEXT(2);
}
    BINOP(I64_AND, u64, x & y)
    BINOP(I64_OR, u64, x | y)
    BINOP(I64_XOR, u64, x ^ y)
    BINOP(I64_SHL, u64, x << (y & 63))
    BINOP(I64_SHR_S, i64, x >> (y & 63))
    BINOP(I64_SHR_U, u64, x >> (y & 63))
    BINOP(I64_ROTL, u64, rotl64(x, y))
    BINOP(I64_ROTR, u64, rotr64(x, y))
    UNOP(F32_ABS, u32, u32, x & 0x7fffffffu)
    UNOP(F32_NEG, u32, u32, x ^ 0x80000000u)
    UNOP(F32_CEIL, f32, f32, f32_ceil(x))
    UNOP(F32_FLOOR, f32, f32, f32_floor(x))
    UNOP(F32_TRUNC, f32, f32, f32_trunc(x))
    UNOP(F32_NEAREST, f32, f32, f32_nearest(x))
    UNOP(F32_SQRT, f32, f32, __builtin_sqrtf(x))
    BINOP(F32_ADD, f32, x + y)
    BINOP(F32_SUB, f32, x - y)
    BINOP(F32_MUL, f32, x * y)
    BINOP(F32_DIV, f32, x / y)
    BINOP(F32_MIN, f32, f32_min(x, y))
    BINOP(F32_MAX, f32, f32_max(x, y))
    BINOP(F32_COPYSIGN, u32, (x & 0x7fffffffu) | (y & 0x80000000u))
    UNOP(F64_ABS, u64, u64, x & ~(1ull << 63))
    UNOP(F64_NEG, u64, u64, x ^ (1ull << 63))
    UNOP(F64_CEIL, f64, f64, f64_ceil(x))
    UNOP(F64_FLOOR, f64, f64, f64_floor(x))
    UNOP(F64_TRUNC, f64, f64, f64_trunc(x))
    UNOP(F64_NEAREST, f64, f64, f64_nearest(x))
    UNOP(F64_SQRT, f64, f64, __builtin_sqrt(x))
    BINOP(F64_ADD, f64, x + y)
    BINOP(F64_SUB, f64, x - y)
    BINOP(F64_MUL, f64, x * y)
    BINOP(F64_DIV, f64, x / y)
    BINOP(F64_MIN, f64, f64_min(x, y))
    BINOP(F64_MAX, f64, f64_max(x, y))
    BINOP(F64_COPYSIGN, u64, (x & ~(1ull << 63)) | (y & (1ull << 63)))
    UNOP(I32_WRAP_I64, u64, u32, (uint32_t)x)
    TRUNC(I32_TRUNC_F32_S, f32, i32, int32_t, -2147483904.0f, 2147483648.0f)
    TRUNC(I32_TRUNC_F32_U, f32, u32, uint32_t, -1.0f, 4294967296.0f)
    TRUNC(I32_TRUNC_F64_S, f64, i32, int32_t, -2147483649.0, 2147483648.0)
    TRUNC(I32_TRUNC_F64_U, f64, u32, uint32_t, -1.0, 4294967296.0)
    UNOP(I64_EXTEND_I32_S, i32, i64, (int64_t)x)
    UNOP(I64_EXTEND_I32_U, u32, u64, (uint64_t)x)
    TRUNC(I64_TRUNC_F32_S, f32, i64, int64_t, -9223373136366403584.0f, 9223372036854775808.0f)
    TRUNC(I64_TRUNC_F32_U, f32, u64, uint64_t, -1.0f, 18446744073709551616.0f)
    TRUNC(I64_TRUNC_F64_S, f64, i64, int64_t, -9223372036854777856.0, 9223372036854775808.0)
    TRUNC(I64_TRUNC_F64_U, f64, u64, uint64_t, -1.0, 18446744073709551616.0)
    UNOP(F32_CONVERT_I32_S, i32, f32, (float)x)
    UNOP(F32_CONVERT_I32_U, u32, f32, (float)x)
    UNOP(F32_CONVERT_I64_S, i64, f32, (float)x)
    UNOP(F32_CONVERT_I64_U, u64, f32, (float)x)
    UNOP(F32_DEMOTE_F64, f64, f32, (float)x)
    UNOP(F64_CONVERT_I32_S, i32, f64, (double)x)
    UNOP(F64_CONVERT_I32_U, u32, f64, (double)x)
    UNOP(F64_CONVERT_I64_S, i64, f64, (double)x)
    UNOP(F64_CONVERT_I64_U, u64, f64, (double)x)
    UNOP(F64_PROMOTE_F32, f32, f64, (double)x)
    UNOP(I32_REINTERPRET_F32, u32, u32, x)
    UNOP(I64_REINTERPRET_F64, u64, u64, x)
    UNOP(F32_REINTERPRET_I32, u32, u32, x)
    UNOP(F64_REINTERPRET_I64, u64, u64, x)
    UNOP(I32_EXTEND8_S, u32, i32, (int32_t)(int8_t)x)
    UNOP(I32_EXTEND16_S, u32, i32, (int32_t)(int16_t)x)
    UNOP(I64_EXTEND8_S, u64, i64, (int64_t)(int8_t)x)
    UNOP(I64_EXTEND16_S, u64, i64, (int64_t)(int16_t)x)
    UNOP(I64_EXTEND32_S, u64, i64, (int64_t)(int32_t)x)
    TRUNC_SAT(I32_TRUNC_SAT_F32_S, f32, i32, int32_t, -2147483904.0f, 2147483648.0f, INT32_MIN, INT32_MAX)
    TRUNC_SAT(I32_TRUNC_SAT_F32_U, f32, u32, uint32_t, -1.0f, 4294967296.0f, 0, UINT32_MAX)
    TRUNC_SAT(I32_TRUNC_SAT_F64_S, f64, i32, int32_t, -2147483649.0, 2147483648.0, INT32_MIN, INT32_MAX)
    TRUNC_SAT(I32_TRUNC_SAT_F64_U, f64, u32, uint32_t, -1.0, 4294967296.0, 0, UINT32_MAX)
    TRUNC_SAT(I64_TRUNC_SAT_F32_S, f32, i64, int64_t, -9223373136366403584.0f, 9223372036854775808.0f, INT64_MIN, INT64_MAX)
    TRUNC_SAT(I64_TRUNC_SAT_F32_U, f32, u64, uint64_t, -1.0f, 18446744073709551616.0f, 0, UINT64_MAX)
    TRUNC_SAT(I64_TRUNC_SAT_F64_S, f64, i64, int64_t, -9223372036854777856.0, 9223372036854775808.0, INT64_MIN, INT64_MAX)
    TRUNC_SAT(I64_TRUNC_SAT_F64_U, f64, u64, uint64_t, -1.0, 18446744073709551616.0, 0, UINT64_MAX)

    /* ---- immediate-operand forms and fused compare-and-branch ---- */
    CMPOP_IMM(I32_EQ, u32, x == y)
    CMPOP_IMM(I32_NE, u32, x != y)
    CMPOP_IMM(I32_LT_S, i32, x < y)
    CMPOP_IMM(I32_LT_U, u32, x < y)
    CMPOP_IMM(I32_GT_S, i32, x > y)
    CMPOP_IMM(I32_GT_U, u32, x > y)
    CMPOP_IMM(I32_LE_S, i32, x <= y)
    CMPOP_IMM(I32_LE_U, u32, x <= y)
    CMPOP_IMM(I32_GE_S, i32, x >= y)
    CMPOP_IMM(I32_GE_U, u32, x >= y)
    BINOP_IMM(I32_ADD, u32, x + y)
    BINOP_IMM(I32_SUB, u32, x - y)
    BINOP_IMM(I32_MUL, u32, x * y)
    BINOP_IMM(I32_AND, u32, x & y)
    BINOP_IMM(I32_OR, u32, x | y)
    BINOP_IMM(I32_XOR, u32, x ^ y)
    BINOP_IMM(I32_SHL, u32, x << (y & 31))
    BINOP_IMM(I32_SHR_S, i32, x >> (y & 31))
    BINOP_IMM(I32_SHR_U, u32, x >> (y & 31))
    BINOP_IMM(I32_ROTL, u32, rotl32(x, y))
    BINOP_IMM(I32_ROTR, u32, rotr32(x, y))
    CMPOP_IMM(I64_EQ, u64, x == y)
    CMPOP_IMM(I64_NE, u64, x != y)
    CMPOP_IMM(I64_LT_S, i64, x < y)
    CMPOP_IMM(I64_LT_U, u64, x < y)
    CMPOP_IMM(I64_GT_S, i64, x > y)
    CMPOP_IMM(I64_GT_U, u64, x > y)
    CMPOP_IMM(I64_LE_S, i64, x <= y)
    CMPOP_IMM(I64_LE_U, u64, x <= y)
    CMPOP_IMM(I64_GE_S, i64, x >= y)
    CMPOP_IMM(I64_GE_U, u64, x >= y)
    BINOP_IMM(I64_ADD, u64, x + y)
    BINOP_IMM(I64_SUB, u64, x - y)
    BINOP_IMM(I64_MUL, u64, x * y)
    BINOP_IMM(I64_AND, u64, x & y)
    BINOP_IMM(I64_OR, u64, x | y)
    BINOP_IMM(I64_XOR, u64, x ^ y)
    BINOP_IMM(I64_SHL, u64, x << (y & 63))
    BINOP_IMM(I64_SHR_S, i64, x >> (y & 63))
    BINOP_IMM(I64_SHR_U, u64, x >> (y & 63))
    BINOP_IMM(I64_ROTL, u64, rotl64(x, y))
    BINOP_IMM(I64_ROTR, u64, rotr64(x, y))
    BRC(EQ, u32, ==)
    BRC(NE, u32, !=)
    BRC(LT_S, i32, <)
    BRC(LT_U, u32, <)
    BRC(GT_S, i32, >)
    BRC(GT_U, u32, >)
    BRC(LE_S, i32, <=)
    BRC(LE_U, u32, <=)
    BRC(GE_S, i32, >=)
    BRC(GE_U, u32, >=)

done:
    s->fuel = fuel;
    return 0;
trapped:
    s->fuel = fuel;
    s->trap_code = trap;
    if (trap == TRAP_FUEL)
        return WASM_E_FUEL;
    if (trap == TRAP_EXIT)
        return WASM_E_EXIT;
    return WASM_E_TRAP;
}
