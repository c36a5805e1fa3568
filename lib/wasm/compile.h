/* compile.h - state shared by the two halves of the function compiler:
 * compile.c (operand and control stacks, code emission, the driver) and
 * compile_ops.c (the translation of each instruction). */
#ifndef WASM_COMPILE_H
#define WASM_COMPILE_H

#include "leb.h"

typedef struct vent {
    uint8_t type; /* 0 = unknown (polymorphic stack) */
    bool is_const; /* a constant not yet written anywhere (value in k) */
    uint32_t slot; /* where the value is: own position or a local */
    uint64_t k;
} vent_t;

enum { K_BLOCK, K_LOOP, K_IF, K_ELSE, K_FUNC };

typedef struct ctrl {
    uint8_t kind;
    bool unreachable, dead; /* dead: the whole frame is never executed */
    uint32_t nparams, nresults;
    const uint8_t *params, *results;
    uint32_t height; /* operand entries below this frame */
    uint32_t start; /* loop: target cell */
    int32_t end_patches; /* chain of cells waiting for the end address (+1) */
    int32_t else_patch; /* if: the BR_UNLESS operand cell (+1) */
} ctrl_t;

typedef struct comp {
    wasm_module_t *m;
    wasm_reader_t *r;
    const wasm_code_t *code;
    const void *const *h;
    uint32_t nlocals;
    const uint8_t *ltypes; /* all local types (params first) */
    vent_t *st;
    uint32_t sp, st_cap, max_sp;
    ctrl_t *cs;
    uint32_t csp, cs_cap;
    wasm_cell_t *cells;
    uint32_t n, cap;
    int32_t last_dst; /* operand cell whose d may be retargeted, or -1 */
    int last_op; /* internal opcode of that instruction */
    bool nomem;
    uint8_t single[8][1];
} comp_t;

#define TRY(x) \
    do { \
        if (!(x)) \
            return false; \
    } while (0)

static inline const char *tname(uint8_t t)
{
    return t ? wasm_valtype_name((wasm_valtype_t)t) : "any";
}
static inline bool is_ref(uint8_t t)
{
    return t == WASM_FUNCREF || t == WASM_EXTERNREF;
}
static inline bool is_num(uint8_t t)
{
    return t == WASM_I32 || t == WASM_I64 || t == WASM_F32 || t == WASM_F64;
}
/* Slot of operand-stack entry i. */
static inline uint32_t pos_slot(const comp_t *c, uint32_t i)
{
    return c->nlocals + i;
}
/* Code is emitted only where execution can reach. */
static inline bool live(const comp_t *c)
{
    const ctrl_t *f = &c->cs[c->csp - 1];
    return !f->unreachable && !f->dead;
}

/* compile.c.  Emission: emit returns the index of the operand cell; nothing
 * is emitted where !live(c).  Stacks: pop/pop_vals check types by the
 * spec's algorithm (unknown entries below an unreachable frame), pop writes
 * a deferred constant to its own slot, pop_raw keeps it deferred; repush is
 * the spec's push_vals(pop_vals(t*)).  materialize* give deferred entries
 * their own slots.  Jumps: link_jump records a jump in operand cell `at` to
 * the label of frame f (patched at its end, or to the loop start). */
uint32_t wasm_cp_emit_cell(comp_t *c, wasm_cell_t v);
uint32_t wasm_cp_emit(comp_t *c, int op, uint32_t d, uint32_t a, int32_t b);
void wasm_cp_emit_u64(comp_t *c, uint64_t v);
void wasm_cp_emit_const(comp_t *c, uint32_t d, uint64_t v);
void wasm_cp_materialize(comp_t *c, uint32_t from);
void wasm_cp_materialize_local(comp_t *c, uint32_t k);
bool wasm_cp_push(comp_t *c, uint8_t t);
bool wasm_cp_pop_raw(comp_t *c, uint8_t want, vent_t *out);
bool wasm_cp_pop(comp_t *c, uint8_t want, vent_t *out);
bool wasm_cp_pop_vals(comp_t *c, uint32_t n, const uint8_t *types);
bool wasm_cp_push_vals(comp_t *c, uint32_t n, const uint8_t *types);
bool wasm_cp_repush(comp_t *c, uint32_t n, const uint8_t *types);
bool wasm_cp_push_ctrl(comp_t *c, uint8_t kind, uint32_t np, const uint8_t *p, uint32_t nr, const uint8_t *rs);
void wasm_cp_label_types(const ctrl_t *f, uint32_t *n, const uint8_t **t);
void wasm_cp_set_unreachable(comp_t *c);
void wasm_cp_patch(comp_t *c, uint32_t at, uint32_t target);
void wasm_cp_patch_chain(comp_t *c, int32_t head, uint32_t target);
void wasm_cp_link_jump(comp_t *c, ctrl_t *f, uint32_t at);
void wasm_cp_emit_branch(comp_t *c, ctrl_t *f, uint32_t arity);
/* compile_ops.c: translates the body of c->code up to its final end. */
bool wasm_cp_compile_body(comp_t *c);

#endif
