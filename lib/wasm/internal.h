/* internal.h - data structures shared by the engine's phases.
 *
 * decode.c fills a wasm_module (sections), compile.c validates every function
 * body and translates it into the internal code described below, instance.c
 * builds instances, exec.c runs the internal code.
 *
 * Internal code: an array of 8-byte cells.  Every instruction starts with the
 * address of its handler in the interpreter (threaded code; see exec.c),
 * followed by one operand cell {d, a, b} and sometimes more immediates.  Wasm
 * operand-stack values live in frame slots: because the height of the wasm
 * stack is known statically at every instruction, each value has a fixed slot
 * fp[k] and instructions name their sources and destination by slot number
 * (a register machine with as many registers as the frame is high).  Locals
 * are slots 0..nlocals-1, parameters first. */
#ifndef WASM_INTERNAL_H
#define WASM_INTERNAL_H

#include <stdarg.h>
#include "config.h"
#include "platform.h"
#include "wasm.h"

typedef union wasm_cell {
    const void *h; /* handler address */
    struct {
        uint16_t d, a; /* destination / first source slot */
        int32_t b;     /* second source slot, immediate or relative jump */
    } o;
    uint64_t u64;
    int64_t i64;
    uint32_t u32;
    double f64;
    float f32;
    const void *p;
} wasm_cell_t;
_Static_assert(sizeof(wasm_cell_t) == 8, "cell is 8 bytes");

typedef struct wasm_functype {
    uint32_t nparams, nresults;
    const uint8_t *types; /* params then results */
} wasm_functype_t;

typedef struct wasm_limits_desc {
    uint32_t min, max;
    bool has_max;
} wasm_limits_desc_t;

/* A constant expression (2.0: a single instruction). */
enum { CE_I32, CE_I64, CE_F32, CE_F64, CE_REF_NULL, CE_REF_FUNC, CE_GLOBAL };
typedef struct wasm_constexpr {
    uint8_t kind;
    uint8_t type; /* result value type */
    uint32_t idx; /* func or global index */
    wasm_value_t v;
} wasm_constexpr_t;

typedef struct wasm_name {
    const char *p;
    uint32_t len;
} wasm_name_t;

typedef struct wasm_import {
    wasm_name_t module, name;
    uint8_t kind;
    uint8_t valtype;  /* global */
    uint8_t mut;      /* global */
    uint32_t index;   /* func: type index; table/memory/global: own index */
    wasm_limits_desc_t lim; /* table, memory */
} wasm_import_t;

typedef struct wasm_export {
    wasm_name_t name;
    uint8_t kind;
    uint32_t index;
} wasm_export_t;

typedef struct wasm_table_desc {
    uint8_t elemtype;
    wasm_limits_desc_t lim;
} wasm_table_desc_t;

typedef struct wasm_global_desc {
    uint8_t type, mut;
    wasm_constexpr_t init;
} wasm_global_desc_t;

enum { SEG_ACTIVE, SEG_PASSIVE, SEG_DECLARATIVE };
typedef struct wasm_elem {
    uint8_t mode, type;
    uint32_t table;
    wasm_constexpr_t offset;
    uint32_t count;
    wasm_constexpr_t *items;
} wasm_elem_t;

typedef struct wasm_data {
    uint8_t mode;
    uint32_t mem;
    wasm_constexpr_t offset;
    uint32_t len;
    const uint8_t *bytes;
} wasm_data_t;

/* The translated body of one defined function. */
typedef struct wasm_code {
    uint32_t nparams, nlocals, nresults; /* nlocals includes params */
    uint32_t frame_slots;                /* locals + maximum operand stack */
    const uint8_t *local_types;          /* nlocals - nparams types */
    const uint8_t *body;                 /* wasm bytes of the body (expr) */
    uint32_t body_len, body_offset;      /* offset in the module binary */
    wasm_cell_t *cells;                  /* internal code */
    uint32_t ncells;
} wasm_code_t;

struct wasm_module {
    uint8_t *bytes; /* private copy of the binary; names point into it */
    size_t len;
    uint32_t ntypes;
    wasm_functype_t *types;
    uint32_t nimports;
    wasm_import_t *imports;
    uint32_t nfuncs, nfunc_imports; /* all functions, imported first */
    uint32_t *func_type;            /* type index per function */
    wasm_code_t *codes;             /* nfuncs - nfunc_imports */
    uint32_t ntables, ntable_imports;
    wasm_table_desc_t *tables;
    uint32_t nmems, nmem_imports;
    wasm_limits_desc_t *mems;
    uint32_t nglobals, nglobal_imports;
    wasm_global_desc_t *globals;
    uint32_t nexports;
    wasm_export_t *exports;
    bool has_start;
    uint32_t start;
    uint32_t nelems;
    wasm_elem_t *elems;
    uint32_t ndatas;
    wasm_data_t *datas;
    bool has_datacount;
    uint32_t datacount;
    bool *func_declared; /* functions that may appear in ref.func */
    uint8_t *arena;      /* one block for every decoded array */
    size_t arena_used, arena_size;
    struct wasm_arena_chunk *chunks;
};

/* ---- run-time objects ---- */

typedef struct wasm_obj {
    struct wasm_obj *next; /* store's list of allocations */
} wasm_obj_t;

struct wasm_func {
    wasm_obj_t obj;
    const wasm_functype_t *type;
    wasm_instance_t *inst; /* NULL for host functions */
    const wasm_code_t *code;
    wasm_host_fn_t host;
    void *user;
    uint8_t sigbuf[16];
};

struct wasm_table {
    wasm_obj_t obj;
    uint8_t elemtype;
    uint32_t size, max;
    bool has_max;
    void **elems;
};

struct wasm_memory {
    wasm_obj_t obj;
    uint8_t *data;
    uint64_t size; /* bytes */
    uint32_t pages, max;
    bool has_max;
};

struct wasm_global {
    wasm_obj_t obj;
    wasm_value_t v; /* first: exec reads it through the pointer */
    uint8_t type, mut;
};

struct wasm_instance {
    wasm_obj_t obj;
    wasm_store_t *store;
    const wasm_module_t *module;
    wasm_func_t **funcs;
    wasm_table_t **tables;
    wasm_memory_t *mem; /* memory 0 or NULL */
    wasm_global_t **globals;
    bool *elem_dropped;
    bool *data_dropped;
};

typedef struct wasm_frame {
    const wasm_cell_t *ret_pc;
    wasm_value_t *fp;
    wasm_instance_t *inst;
} wasm_frame_t;

struct wasm_host_ctx {
    wasm_store_t *store;
    wasm_instance_t *inst;
};

struct wasm_store {
    wasm_obj_t *objs;
    wasm_limits_t lim;
    uint64_t fuel; /* remaining; UINT64_MAX when unlimited */
    wasm_value_t *stack;
    wasm_frame_t *frames;
    uint32_t depth;   /* frames in use (nested calls) */
    uint32_t nesting; /* wasm_exec_call activations (host re-entry) */
    wasm_value_t *sp_base; /* first free slot for a new outermost call */
    int trap_code;
    const char *trap_msg;
    int exit_status;
    char host_msg[160];
};

/* ---- helpers shared between files ---- */

void *wasm_alloc_zero(size_t n);
void *wasm_store_alloc(wasm_store_t *s, size_t n); /* zeroed, freed with store */
int wasm_format(char *buf, size_t n, const char *fmt, ...);
int wasm_vformat(char *buf, size_t n, const char *fmt, va_list ap);
bool wasm_functype_eq(const wasm_functype_t *a, const wasm_functype_t *b);
bool wasm_names_eq(const char *a, size_t alen, const char *b, size_t blen);

/* compile.c: validates and translates every function body of m. */
int wasm_compile_module(wasm_module_t *m, wasm_error_t *err);
/* decode.c */
int wasm_decode_module(wasm_module_t *m, wasm_error_t *err);
void *wasm_module_arena(wasm_module_t *m, size_t n);

/* exec.c: runs f with args in vals (results replace them).  Returns 0 or a
 * WASM_E_ code with s->trap_msg set. */
int wasm_exec_call(wasm_store_t *s, wasm_func_t *f, wasm_value_t *vals);
/* The handler address of every internal opcode (for the compiler). */
const void *const *wasm_exec_handlers(void);
/* Table and memory operations shared by the interpreter and instantiation. */
int wasm_table_init(wasm_instance_t *inst, uint32_t table, uint32_t elem, uint32_t d,
                    uint32_t s, uint32_t n);
int wasm_memory_init(wasm_instance_t *inst, uint32_t data, uint32_t d, uint32_t s, uint32_t n);
int32_t wasm_memory_grow(wasm_store_t *st, wasm_memory_t *mem, uint32_t delta);
int32_t wasm_table_grow(wasm_store_t *st, wasm_table_t *t, uint32_t delta, void *init);

/* Trap codes (index into wasm_trap_messages). */
enum {
    TRAP_NONE,
    TRAP_UNREACHABLE,
    TRAP_MEM_OOB,
    TRAP_DIV_ZERO,
    TRAP_INT_OVERFLOW,
    TRAP_INVALID_CONV,
    TRAP_UNDEF_ELEM,
    TRAP_UNINIT_ELEM,
    TRAP_SIG_MISMATCH,
    TRAP_TABLE_OOB,
    TRAP_STACK,
    TRAP_FUEL,
    TRAP_HOST,
    TRAP_EXIT,
    TRAP_NOMEM,
};
extern const char *const wasm_trap_messages[];

/* ---- internal opcodes ----
 * NUMERIC ops 0x45..0xc4 map 1:1 (OP_NUM + opcode - 0x45); the saturating
 * truncations 0xfc 0..7 map to OP_SAT + n. */
#define WASM_CONTROL_OPS(X)                                                              \
    X(UNREACHABLE) X(BR) X(BR_MOVE) X(BR_IF) X(BR_UNLESS) X(BR_TABLE) X(RETURN)           \
    X(CALL) X(CALL_INDIRECT) X(SELECT) X(COPY) X(CONST) X(GLOBAL_GET) X(GLOBAL_SET)        \
    X(I32_LOAD) X(I64_LOAD) X(F32_LOAD) X(F64_LOAD) X(I32_LOAD8_S) X(I32_LOAD8_U)        \
    X(I32_LOAD16_S) X(I32_LOAD16_U) X(I64_LOAD8_S) X(I64_LOAD8_U) X(I64_LOAD16_S)        \
    X(I64_LOAD16_U) X(I64_LOAD32_S) X(I64_LOAD32_U) X(I32_STORE) X(I64_STORE)             \
    X(F32_STORE) X(F64_STORE) X(I32_STORE8) X(I32_STORE16) X(I64_STORE8) X(I64_STORE16)  \
    X(I64_STORE32) X(MEMORY_SIZE) X(MEMORY_GROW) X(MEMORY_INIT) X(DATA_DROP)             \
    X(MEMORY_COPY) X(MEMORY_FILL) X(TABLE_GET) X(TABLE_SET) X(TABLE_SIZE) X(TABLE_GROW)  \
    X(TABLE_FILL) X(TABLE_COPY) X(TABLE_INIT) X(ELEM_DROP) X(REF_IS_NULL) X(REF_FUNC)   \
    X(ENTRY)

/* Binary operators that also exist with an immediate right operand (the
 * operand cell's b field, sign-extended for i64): name, wasm opcode. */
#define WASM_IMM_OPS(X)                                                                  \
    X(I32_EQ, 0x46) X(I32_NE, 0x47) X(I32_LT_S, 0x48) X(I32_LT_U, 0x49)                   \
    X(I32_GT_S, 0x4a) X(I32_GT_U, 0x4b) X(I32_LE_S, 0x4c) X(I32_LE_U, 0x4d)               \
    X(I32_GE_S, 0x4e) X(I32_GE_U, 0x4f) X(I32_ADD, 0x6a) X(I32_SUB, 0x6b)                 \
    X(I32_MUL, 0x6c) X(I32_AND, 0x71) X(I32_OR, 0x72) X(I32_XOR, 0x73) X(I32_SHL, 0x74)   \
    X(I32_SHR_S, 0x75) X(I32_SHR_U, 0x76) X(I32_ROTL, 0x77) X(I32_ROTR, 0x78)             \
    X(I64_EQ, 0x51) X(I64_NE, 0x52) X(I64_LT_S, 0x53) X(I64_LT_U, 0x54)                   \
    X(I64_GT_S, 0x55) X(I64_GT_U, 0x56) X(I64_LE_S, 0x57) X(I64_LE_U, 0x58)               \
    X(I64_GE_S, 0x59) X(I64_GE_U, 0x5a) X(I64_ADD, 0x7c) X(I64_SUB, 0x7d)                 \
    X(I64_MUL, 0x7e) X(I64_AND, 0x83) X(I64_OR, 0x84) X(I64_XOR, 0x85) X(I64_SHL, 0x86)   \
    X(I64_SHR_S, 0x87) X(I64_SHR_U, 0x88) X(I64_ROTL, 0x89) X(I64_ROTR, 0x8a)

/* i32 comparisons fused with a conditional branch (BRC: both operands in
 * slots, BRCI: immediate right operand): name, wasm opcode, negation. */
#define WASM_BRC_OPS(X)                                                                  \
    X(EQ, 0x46, NE) X(NE, 0x47, EQ) X(LT_S, 0x48, GE_S) X(LT_U, 0x49, GE_U)               \
    X(GT_S, 0x4a, LE_S) X(GT_U, 0x4b, LE_U) X(LE_S, 0x4c, GT_S) X(LE_U, 0x4d, GT_U)       \
    X(GE_S, 0x4e, LT_S) X(GE_U, 0x4f, LT_U)

enum {
#define X(n) OP_##n,
    WASM_CONTROL_OPS(X)
#undef X
    OP_NUM,
    OP_SAT = OP_NUM + (0xc4 - 0x45 + 1),
    OP_IMM_BASE = OP_SAT + 8,
#define X(n, code) OP_IMM_##n,
    OP_IMM_FIRST_ = OP_IMM_BASE - 1,
    WASM_IMM_OPS(X)
#undef X
#define X(n, code, neg) OP_BRC_##n, OP_BRCI_##n,
    WASM_BRC_OPS(X)
#undef X
    OP_COUNT,
};

#endif
