/*
 * The WebAssembly hypervisor inside init (DESIGN.md section 10). init runs
 * modules from the initrd two ways:
 *   in-process   the engine (libwasm.a) in init's own heap, isolated by the
 *                interpreter alone; such a module may import the SFI bridge
 *                env.host_print(ptr, len), whose bytes init range-checks
 *                against the module's linear memory and writes to COM1
 *                itself (SYS_PORT_OUT on init's "com1" IoPort capability)
 *   as a process bin/wasmrun with only a console, a budgeted allocator and
 *                the initrd: isolated by the interpreter and by the MMU
 * Either way a trap or an exhausted budget ends that module alone, with a
 * report on the console.
 */
#ifndef INIT_HYPERVISOR_H
#define INIT_HYPERVISOR_H

#include <stdbool.h>
#include <stdint.h>

#include "../wasm/wasm_mnos.h"

/* Limits of an in-process module; zero fields take the HV_DEFAULT_* values. */
struct hv_limits {
    uint32_t max_pages; /* linear-memory ceiling, 64 KiB pages */
    uint64_t fuel; /* calls + taken branches before the module is stopped */
    uint32_t max_call_depth; /* Wasm call frames */
    uint32_t stack_slots; /* value stack, 8-byte slots */
};

#define HV_DEFAULT_MAX_PAGES 256 /* 16 MiB */
#define HV_DEFAULT_FUEL 2000000000ull
#define HV_DEFAULT_CALL_DEPTH 2000
#define HV_DEFAULT_STACK_SLOTS (64u * 1024u) /* 512 KiB */
#define HV_PRINT_MAX 4096 /* bytes per host_print call */

/*
 * Runs export `entry` (no arguments) of module `path` inside init: load,
 * validate, instantiate under *lim (NULL: defaults) with the bridge and
 * WASI (stdout/stderr on init's console, no stdin; argv = {path}), call.
 * entry NULL means "_start". Prints "hypervisor: PATH: what happened" when
 * the module does not end normally. Returns the engine's result (WASM_OK,
 * WASM_E_EXIT with err->exit_status, WASM_E_TRAP, WASM_E_FUEL, ...), or
 * MNW_E_NOFILE; *result gets an i32 result when there is one.
 */
int hv_run(const char *path, const char *entry, const struct hv_limits *lim, int32_t *result, wasm_error_t *err);

/*
 * Runs a module in its own process: bin/wasmrun with argv[0..argc) (its
 * options, the .wasm path, the module's arguments), init's console, an
 * allocator with a budget of budget_pages, the initrd, and console input
 * when with_input. Waits for it; *status and *reason (either may be NULL)
 * say how it ended (wasmrun's exit codes: the module's status, or 1-7, see
 * docs/wasm.md). Returns MN_ERR_OK or why it could not be started.
 */
int hv_spawn(const char *const *argv, int argc, uint64_t budget_pages, bool with_input, int64_t *status, int *reason);

/*
 * At boot, right after "init ready": runs wasm/sandbox.wasm's run_guest
 * in-process (its greeting travels the bridge to COM1), then what the
 * command line asks for: wasm=PATH[,PATH...] runs each module in a
 * wasmrun process, wasmbench=all (or =NAME,NAME) runs bin/wasmbench.
 */
void hv_boot(int argc, char **argv);

/*
 * init's test mode: the bridge checks that need init's COM1 capability
 * (greeting over COM1, add(10, 32) through the API, out-of-range
 * host_print pointers trapping, fuel, memory ceiling, call depth, a WASI
 * program in-process, modules in wasmrun processes). Prints
 * "utest: PASS wasm_bridge" or "utest: FAIL wasm_bridge: why"; returns
 * whether it passed.
 */
bool hv_self_test(void);

#endif
