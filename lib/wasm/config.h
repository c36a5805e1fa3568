/* config.h - compile-time knobs of the WebAssembly engine.
 *
 * Every default here can be overridden with -D on the command line.  Run-time
 * limits (memory pages, stack depth, fuel) are set per store through
 * wasm_limits_t in wasm.h; these values are only their defaults and the hard
 * caps that protect the engine from hostile modules. */
#ifndef WASM_CONFIG_H
#define WASM_CONFIG_H

/* Decoder caps: a module exceeding one of these is rejected ("limit"). */
#ifndef WASM_MAX_MODULE_ITEMS
#define WASM_MAX_MODULE_ITEMS 1000000u /* types, funcs, imports, exports ... */
#endif
#ifndef WASM_MAX_FUNC_LOCALS
#define WASM_MAX_FUNC_LOCALS 50000u /* locals per function (incl. params) */
#endif
#ifndef WASM_MAX_FUNC_PARAMS
#define WASM_MAX_FUNC_PARAMS 1000u /* params or results of one func type */
#endif
#ifndef WASM_MAX_FRAME_SLOTS
#define WASM_MAX_FRAME_SLOTS 65000u /* locals + operand stack of one frame */
#endif
#ifndef WASM_MAX_CODE_CELLS
#define WASM_MAX_CODE_CELLS (64u << 20) /* internal code cells per module */
#endif
#ifndef WASM_MAX_TABLE_ELEMS
#define WASM_MAX_TABLE_ELEMS 10000000u /* hard cap on table size */
#endif

/* Run-time defaults (see wasm_limits_t). */
#ifndef WASM_DEFAULT_MAX_PAGES
#define WASM_DEFAULT_MAX_PAGES 16384u /* 1 GiB of linear memory */
#endif
#ifndef WASM_DEFAULT_STACK_SLOTS
#define WASM_DEFAULT_STACK_SLOTS (512u * 1024u) /* 4 MiB value stack */
#endif
#ifndef WASM_DEFAULT_CALL_DEPTH
#define WASM_DEFAULT_CALL_DEPTH 20000u
#endif
#ifndef WASM_MAX_NESTING
#define WASM_MAX_NESTING 64u /* host function -> wasm_func_call re-entry depth */
#endif

#endif
