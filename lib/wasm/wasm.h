/* wasm.h - the public interface of the MinimalOS WebAssembly engine.
 *
 * Life cycle:
 *   wasm_store_t    owns everything created through it (instances, host
 *                   functions, memories, tables, globals) and the execution
 *                   stacks; wasm_store_delete frees it all at once.
 *   wasm_module_t   a decoded, validated and translated module; independent
 *                   of any store; freed with wasm_module_delete once no
 *                   instance made from it is used any more.
 *   wasm_instance_t an instantiated module inside a store.
 *
 * Errors: functions returning int return 0 on success or a negative
 * WASM_E... code, and fill the wasm_error_t passed in (may be NULL) with a
 * readable message such as
 *   "code section, function 3, offset 0x4f: type mismatch: expected i32, got f64".
 */
#ifndef WASM_WASM_H
#define WASM_WASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum wasm_valtype {
    WASM_I32 = 0x7f,
    WASM_I64 = 0x7e,
    WASM_F32 = 0x7d,
    WASM_F64 = 0x7c,
    WASM_V128 = 0x7b,
    WASM_FUNCREF = 0x70,
    WASM_EXTERNREF = 0x6f,
} wasm_valtype_t;

/* An untyped value as stored in a slot (the type is known from context).
 * References are pointers; NULL is the null reference. */
typedef union wasm_value {
    int32_t i32;
    int64_t i64;
    uint32_t u32;
    uint64_t u64;
    float f32;
    double f64;
    void *ref;
} wasm_value_t;

/* A typed value for the embedding API. */
typedef struct wasm_val {
    wasm_valtype_t type;
    wasm_value_t of;
} wasm_val_t;

enum {
    WASM_OK = 0,
    WASM_E_MALFORMED = -1, /* binary cannot be decoded */
    WASM_E_INVALID = -2, /* decoded, but fails validation */
    WASM_E_UNSUPPORTED = -3, /* valid, but uses SIMD or exceeds a limit */
    WASM_E_LINK = -4, /* imports do not match */
    WASM_E_TRAP = -5, /* execution trapped (message says why) */
    WASM_E_NOMEM = -6, /* the platform allocator failed */
    WASM_E_ARG = -7, /* bad argument to an API function */
    WASM_E_EXIT = -8, /* a host function asked to stop (WASI proc_exit) */
    WASM_E_FUEL = -9, /* the fuel budget ran out */
};

typedef struct wasm_error {
    int code;
    int exit_status; /* for WASM_E_EXIT */
    char msg[240];
} wasm_error_t;

typedef struct wasm_store wasm_store_t;
typedef struct wasm_module wasm_module_t;
typedef struct wasm_instance wasm_instance_t;
typedef struct wasm_func wasm_func_t;
typedef struct wasm_table wasm_table_t;
typedef struct wasm_memory wasm_memory_t;
typedef struct wasm_global wasm_global_t;
typedef struct wasm_host_ctx wasm_host_ctx_t;

typedef enum wasm_extern_kind {
    WASM_EXTERN_FUNC = 0,
    WASM_EXTERN_TABLE = 1,
    WASM_EXTERN_MEMORY = 2,
    WASM_EXTERN_GLOBAL = 3,
} wasm_extern_kind_t;

typedef struct wasm_extern {
    wasm_extern_kind_t kind;
    union {
        wasm_func_t *func;
        wasm_table_t *table;
        wasm_memory_t *memory;
        wasm_global_t *global;
    } of;
} wasm_extern_t;

/* Run-time resource limits of a store.  Zero fields take the config.h default. */
typedef struct wasm_limits {
    uint32_t max_memory_pages; /* ceiling for any memory (64 KiB pages) */
    uint32_t max_table_elems; /* ceiling for any table */
    uint32_t stack_slots; /* value stack size in 8-byte slots */
    uint32_t max_call_depth; /* wasm call frames before "call stack exhausted" */
    uint64_t fuel; /* 0 = unlimited; else budget (see wasm_store_set_fuel) */
} wasm_limits_t;

/* ---- modules --------------------------------------------------------------- */

/* Decodes, validates and translates a binary module.  The bytes are copied
 * as needed; the caller may free them afterwards.  On success stores the
 * module in *out and returns 0; else WASM_E_MALFORMED / WASM_E_INVALID /
 * WASM_E_UNSUPPORTED / WASM_E_NOMEM with err describing what and where. */
int wasm_module_load(const uint8_t *bytes, size_t len, wasm_module_t **out, wasm_error_t *err);
/* Frees a module.  Instances made from it must no longer be used. */
void wasm_module_delete(wasm_module_t *m);

/* Import and export descriptions (index in [0, count)).  Names are not
 * NUL-terminated inside the module; these return pointer and length. */
uint32_t wasm_module_import_count(const wasm_module_t *m);
void wasm_module_import(const wasm_module_t *m, uint32_t i, const char **module, size_t *module_len, const char **name,
                        size_t *name_len, wasm_extern_kind_t *kind);
uint32_t wasm_module_export_count(const wasm_module_t *m);
void wasm_module_export(const wasm_module_t *m, uint32_t i, const char **name, size_t *name_len,
                        wasm_extern_kind_t *kind);

/* Writes the signature of function import i in wasm_func_new_host's notation
 * ("ii:i") to buf; returns false if import i is not a function or buf is too
 * small. */
bool wasm_module_import_sig(const wasm_module_t *m, uint32_t i, char *buf, size_t n);

/* ---- stores --------------------------------------------------------------- */

/* Creates a store with the given limits (NULL = defaults); NULL on no memory. */
wasm_store_t *wasm_store_new(const wasm_limits_t *limits);
/* Frees a store and everything created in it. */
void wasm_store_delete(wasm_store_t *s);
/* Sets the remaining fuel: every call and every taken branch (so every
 * loop iteration) costs one unit; when it runs out the running call stops
 * with WASM_E_FUEL.  0 = unlimited.  wasm_store_fuel returns what is left. */
void wasm_store_set_fuel(wasm_store_t *s, uint64_t fuel);
uint64_t wasm_store_fuel(const wasm_store_t *s);

/* ---- instances ------------------------------------------------------------ */

/* Instantiates m in s.  imports[i] must satisfy import i of the module (in
 * module order).  Runs element and data initialisation and the start
 * function.  Returns 0, or WASM_E_LINK (a wrong import), WASM_E_TRAP (the
 * initialisation or start function trapped; effects already made on
 * imported tables and memories remain, as the spec says), WASM_E_NOMEM. */
int wasm_instance_new(wasm_store_t *s, wasm_module_t *m, const wasm_extern_t *imports, uint32_t nimports,
                      wasm_instance_t **out, wasm_error_t *err);
/* Looks up an export by name; returns true and fills *out if found. */
bool wasm_instance_export(const wasm_instance_t *inst, const char *name, size_t name_len, wasm_extern_t *out);
/* The instance's memory 0 or NULL. */
wasm_memory_t *wasm_instance_memory(const wasm_instance_t *inst);

/* ---- functions ------------------------------------------------------------ */

/* A host function receives its arguments in vals[0..nparams) and writes its
 * results to vals[0..nresults) (the array holds max(nparams, nresults)).
 * Returns 0, or nonzero after wasm_host_trap / wasm_host_exit. */
typedef int (*wasm_host_fn_t)(wasm_host_ctx_t *ctx, wasm_value_t *vals, void *user);

/* Creates a host function with the signature sig: parameter letters, ':',
 * result letters; i=i32 I=i64 f=f32 F=f64 r=externref R=funcref.
 * Example "ii:i".  Returns NULL on a bad signature or no memory. */
wasm_func_t *wasm_func_new_host(wasm_store_t *s, const char *sig, wasm_host_fn_t fn, void *user);
/* Number and types of a function's parameters and results. */
uint32_t wasm_func_param_count(const wasm_func_t *f);
uint32_t wasm_func_result_count(const wasm_func_t *f);
wasm_valtype_t wasm_func_param_type(const wasm_func_t *f, uint32_t i);
wasm_valtype_t wasm_func_result_type(const wasm_func_t *f, uint32_t i);

/* Calls f with nargs typed args (types must match exactly), writing the
 * results into results[0..nresults).  Returns 0, WASM_E_ARG (wrong argument
 * count or type), WASM_E_TRAP (err->msg names the trap, e.g. "integer divide
 * by zero", "call stack exhausted"), WASM_E_FUEL, WASM_E_EXIT
 * (err->exit_status set).  A host function may call back into the same
 * store (nesting is limited to WASM_MAX_NESTING levels). */
int wasm_func_call(wasm_store_t *s, wasm_func_t *f, const wasm_val_t *args, uint32_t nargs, wasm_val_t *results,
                   uint32_t nresults, wasm_error_t *err);

/* ---- inside host functions -------------------------------------------------- */

/* Returns a pointer to [offset, offset+len) of the calling instance's memory
 * 0, or NULL if there is no memory or the range is out of bounds.  Valid
 * until the host function returns or calls back into the engine. */
void *wasm_host_memory(wasm_host_ctx_t *ctx, uint64_t offset, uint64_t len);
/* Size in bytes of the calling instance's memory 0 (0 if none). */
uint64_t wasm_host_memory_size(wasm_host_ctx_t *ctx);
/* Marks the call as trapping with msg; the host function then returns nonzero. */
int wasm_host_trap(wasm_host_ctx_t *ctx, const char *msg);
/* Asks the engine to stop the whole call with WASM_E_EXIT and status. */
int wasm_host_exit(wasm_host_ctx_t *ctx, int status);

/* ---- memories, tables, globals ---------------------------------------------- */

wasm_memory_t *wasm_memory_new(wasm_store_t *s, uint32_t min_pages, uint32_t max_pages, bool has_max);
uint8_t *wasm_memory_data(wasm_memory_t *mem);
uint64_t wasm_memory_size(const wasm_memory_t *mem); /* in bytes */
wasm_table_t *wasm_table_new(wasm_store_t *s, wasm_valtype_t elem, uint32_t min, uint32_t max, bool has_max);
wasm_global_t *wasm_global_new(wasm_store_t *s, wasm_val_t value, bool mutable_);
wasm_val_t wasm_global_get(const wasm_global_t *g);

/* Names a value type ("i32" ...). */
const char *wasm_valtype_name(wasm_valtype_t t);

#endif
