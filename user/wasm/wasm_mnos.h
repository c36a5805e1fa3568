/*
 * wasm_mnos.h - running WebAssembly modules in a MinimalOS process: what
 * init's hypervisor (user/init/hypervisor.c) and wasmrun
 * (user/apps/wasmrun) share on top of the engine (lib/wasm/wasm.h,
 * wasi.h). Part of libwasm.a (user/wasm/build.mk).
 *
 *   WASI binding (wasi_mnos.c)  a module's standard streams on the console
 *                               protocol, randomness from RDRAND
 *   runs (run_mnos.c)           load from the initrd, link WASI and the
 *                               embedder's own imports, instantiate under
 *                               limits, call, report
 */
#ifndef USER_WASM_MNOS_H
#define USER_WASM_MNOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../lib/wasm/wasi.h"
#include "../../lib/wasm/wasm.h"

/* ---- the WASI binding --------------------------------------------------------- */

/*
 * Where a module's standard streams go. Output endpoints speak the console
 * protocol's write side (<mnos/console.h>), the input endpoint its read
 * side.
 *   stdout  out_ep, or when 0 the process's own console (mn_console_write:
 *           the "console" capability, serial_drv; the kernel log without one)
 *   stderr  err_ep, or when 0 the same as stdout
 *   stdin   in_ep (e.g. the "console-in" capability); 0 = always at its end
 * Input is line-disciplined like a terminal's: CR becomes LF, and a ^D
 * byte (0x04) or a 0-byte reply from the server ends the stream.
 */
struct mnw_streams {
    uint32_t out_ep, err_ep, in_ep;
    bool in_eof; /* set once stdin ended */
};

/* Fills *io with callbacks that use *st (which must outlive the WASI state). */
void mnw_wasi_io(struct mnw_streams *st, wasm_wasi_io_t *io);

/* The streams of this process as its parent gave them: "console" (stdout), "stderr" and "console-in" by role. */
void mnw_streams_from_caps(struct mnw_streams *st);

/* Writes n bytes to the module's stderr (wasmrun's own reports go there too). */
void mnw_write_err(const struct mnw_streams *st, const char *s, size_t n);

/* printf to stderr of st (a line of at most 256 bytes). */
void mnw_errorf(const struct mnw_streams *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Fills buf with len random bytes: RDRAND when the CPU has it (CPUID.1:ECX
 * bit 30; each RDRAND retried up to 10 times), else a xorshift generator
 * seeded from the TSC and the boot clock (not for cryptography). Returns 0.
 */
int mnw_random(void *buf, size_t len);

/* "rdrand" or "seeded xorshift": which source mnw_random uses on this CPU. */
const char *mnw_random_source(void);

/* ---- runs --------------------------------------------------------------------- */

/*
 * An embedder's own imports: called for every import WASI does not supply;
 * fills *out and returns true when it supplies (module, name). The names
 * are not NUL-terminated. sig is the import's signature in
 * wasm_func_new_host notation ("ii:") or "" for a non-function import.
 */
typedef bool (*mnw_import_fn)(void *user, wasm_store_t *s, const char *module, size_t module_len, const char *name,
                              size_t name_len, const char *sig, wasm_extern_t *out);

struct mnw_run_args {
    const char *path; /* initrd path of the .wasm file */
    wasm_limits_t limits; /* zero fields: the engine's defaults (config.h) */
    int argc; /* WASI argv (argv[0] is usually the path); envp the same way */
    const char *const *argv;
    int envc;
    const char *const *envp;
    struct mnw_streams *streams; /* NULL: no WASI imports are supplied */
    mnw_import_fn imports; /* NULL: none beyond WASI */
    void *imports_user;
};

/* A module instantiated in its own store. */
struct mnw_run {
    wasm_module_t *module;
    wasm_store_t *store;
    wasm_wasi_t *wasi;
    wasm_instance_t *instance;
};

/*
 * Reads args->path from the initrd, loads (decodes, validates, translates)
 * it, makes a store with args->limits, links WASI and args->imports and
 * instantiates (which runs the start function). Returns WASM_OK with *run
 * ready, or: MNW_E_NOFILE (no such file in the initrd), WASM_E_MALFORMED /
 * WASM_E_INVALID / WASM_E_UNSUPPORTED (err says what and where),
 * WASM_E_LINK (an import nobody supplies, or of the wrong type),
 * WASM_E_TRAP / WASM_E_FUEL / WASM_E_EXIT (from the start function),
 * WASM_E_NOMEM. On failure everything made is freed again.
 */
#define MNW_E_NOFILE (-100)
int mnw_start(struct mnw_run *run, const struct mnw_run_args *args, wasm_error_t *err);

/* Calls export `name` of the instance: wasm_func_call's results, or WASM_E_ARG when there is no such function. */
int mnw_call(struct mnw_run *run, const char *name, const wasm_val_t *args, uint32_t nargs, wasm_val_t *results,
             uint32_t nresults, wasm_error_t *err);

/* Frees the store (instance, memories, WASI state) and the module. */
void mnw_end(struct mnw_run *run);

/* What a result of mnw_start/mnw_call means, in a few words ("trap", "fuel budget exhausted", ...). */
const char *mnw_outcome(int rc);

/*
 * The exit status wasmrun (and mnwasm on the host) uses for a result: the
 * module's own for WASM_E_EXIT, 0 for WASM_OK; 1 no such file, 2 invalid
 * module, 3 link error, 4 trap, 5 fuel exhausted, 7 out of memory. (6 is
 * wasmrun's time budget.)
 */
int mnw_exit_code(int rc, const wasm_error_t *err);

#define MNW_STATUS_TIME 6
#define MNW_STATUS_NOMEM 7

#endif
