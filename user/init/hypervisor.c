/*
 * The WebAssembly hypervisor inside init (see hypervisor.h): in-process
 * runs with the SFI bridge to COM1, wasmrun processes, the boot hook and
 * the bridge self-test of init's test mode.
 *
 * The bridge: a module importing env.host_print(ptr, len) gets a host
 * function that asks the engine for [ptr, ptr+len) of the calling
 * instance's own memory 0 (wasm_host_memory: NULL when any byte is
 * outside), traps the module when it is not all there, and otherwise
 * writes the bytes to the UART itself: poll the line status register's
 * transmitter-empty bit (0x3FD, bit 0x20), then SYS_PORT_OUT to 0x3F8, per
 * byte, as serial_drv's put_byte does (LF goes out as CR LF like
 * serial_drv's output). Nothing of the module's reaches COM1 any other way.
 */
#include "hypervisor.h"

#include <mnos/console.h>

#include "init.h"
#include "libmnos.h"
#include "stdio.h"
#include "string.h"

#define COM1_DATA 0x3F8
#define COM1_LSR 0x3FD
#define LSR_THR_EMPTY 0x20

#define HV_BOOT_MODULE "wasm/sandbox.wasm"
#define HV_WASMRUN "bin/wasmrun"
#define HV_WASMRUN_BUDGET 4096 /* pages (16 MiB) for a module started from the command line */
#define HV_WASMBENCH "bin/wasmbench"
#define HV_WASMBENCH_BUDGET 16384 /* pages (64 MiB) */

/* What the bridge has done: the self-test checks exactly what reached COM1. */
static struct {
    uint32_t com1; /* init's IoPort capability, every right */
    uint64_t calls, bytes; /* host_print calls that wrote, bytes written to the UART */
    char last[64]; /* the start of the last text written */
    size_t last_len;
} bridge;

/* One byte to the UART once its transmitter holding register is empty; false when the capability refuses. */
static bool com1_put(uint8_t c)
{
    for (;;) {
        int64_t lsr = mn_sys_PORT_IN(bridge.com1, COM1_LSR, 1);
        if (lsr < 0)
            return false;
        if (lsr & LSR_THR_EMPTY)
            break;
    }
    return mn_sys_PORT_OUT(bridge.com1, COM1_DATA, c, 1) == 0;
}

/* env.host_print(ptr, len): the SFI bridge (see the top of the file). */
static int bridge_host_print(wasm_host_ctx_t *ctx, wasm_value_t *v, void *user)
{
    (void)user;
    uint32_t ptr = v[0].u32, len = v[1].u32;
    const uint8_t *p = wasm_host_memory(ctx, ptr, len);
    char why[120];
    if (!p) {
        snprintf(why, sizeof why, "host_print: [0x%x, 0x%x + 0x%x) is outside the module's memory (%lu bytes)", ptr,
                 ptr, len, (unsigned long)wasm_host_memory_size(ctx));
        return wasm_host_trap(ctx, why);
    }
    if (len > HV_PRINT_MAX) {
        snprintf(why, sizeof why, "host_print: %u bytes in one call (at most %u)", len, HV_PRINT_MAX);
        return wasm_host_trap(ctx, why);
    }
    if (!bridge.com1)
        bridge.com1 = mn_cap("com1");
    for (uint32_t i = 0; i < len; i++) {
        if ((p[i] == '\n' && !com1_put('\r')) || !com1_put(p[i]))
            return wasm_host_trap(ctx, "host_print: COM1 refused the write");
    }
    bridge.calls++;
    bridge.bytes += len;
    bridge.last_len = len < sizeof bridge.last ? len : sizeof bridge.last;
    memcpy(bridge.last, p, bridge.last_len);
    return 0;
}

/* The imports an in-process module may have beyond WASI: env.host_print. */
static bool bridge_import(void *user, wasm_store_t *s, const char *module, size_t module_len, const char *name,
                          size_t name_len, const char *sig, wasm_extern_t *out)
{
    (void)user;
    (void)sig; /* a module declaring another type fails to link against this one */
    if (module_len != 3 || memcmp(module, "env", 3) != 0 || name_len != 10 || memcmp(name, "host_print", 10) != 0)
        return false;
    out->kind = WASM_EXTERN_FUNC;
    out->of.func = wasm_func_new_host(s, "ii:", bridge_host_print, NULL);
    return out->of.func != NULL;
}

static wasm_limits_t engine_limits(const struct hv_limits *lim)
{
    static const struct hv_limits none;
    if (!lim)
        lim = &none;
    return (wasm_limits_t){
        .max_memory_pages = lim->max_pages ? lim->max_pages : HV_DEFAULT_MAX_PAGES,
        .stack_slots = lim->stack_slots ? lim->stack_slots : HV_DEFAULT_STACK_SLOTS,
        .max_call_depth = lim->max_call_depth ? lim->max_call_depth : HV_DEFAULT_CALL_DEPTH,
        .fuel = lim->fuel ? lim->fuel : HV_DEFAULT_FUEL,
    };
}

static void report(const char *path, const char *entry, int rc, const wasm_error_t *err)
{
    if (rc == WASM_OK || (rc == WASM_E_EXIT && err->exit_status == 0))
        return;
    if (rc == WASM_E_EXIT)
        printf("hypervisor: %s: exit status %d\n", path, err->exit_status);
    else
        printf("hypervisor: %s%s%s: %s: %s\n", path, entry ? " " : "", entry ? entry : "", mnw_outcome(rc), err->msg);
}

/* Starts `path` in-process with the bridge and WASI on init's console (no stdin). */
static int hv_start(struct mnw_run *run, const char *path, const struct hv_limits *lim, struct mnw_streams *streams,
                    wasm_error_t *err)
{
    static const char *argv[1];
    argv[0] = path;
    *streams = (struct mnw_streams){0, 0, 0, false};
    struct mnw_run_args a = {
        .path = path,
        .limits = engine_limits(lim),
        .argc = 1,
        .argv = argv,
        .envc = 0,
        .envp = NULL,
        .streams = streams,
        .imports = bridge_import,
        .imports_user = NULL,
    };
    return mnw_start(run, &a, err);
}

int hv_run(const char *path, const char *entry, const struct hv_limits *lim, int32_t *result, wasm_error_t *err)
{
    wasm_error_t local;
    if (!err)
        err = &local;
    struct mnw_run run;
    struct mnw_streams streams;
    int rc = hv_start(&run, path, lim, &streams, err);
    if (rc == WASM_OK) {
        wasm_val_t res[4] = {0};
        rc = mnw_call(&run, entry ? entry : "_start", NULL, 0, res, 4, err);
        if (rc == WASM_OK && result && res[0].type == WASM_I32)
            *result = res[0].of.i32;
        mnw_end(&run);
    }
    report(path, entry, rc, err);
    return rc;
}

int hv_spawn(const char *const *argv, int argc, uint64_t budget_pages, bool with_input, int64_t *status, int *reason)
{
    uint32_t budget = init_allocator(budget_pages);
    if (!budget)
        return MN_ERR_NO_MEMORY;
    struct mn_spawn_cap caps[] = {
        {init.console_out, MN_RIGHT_WRITE, 0, MN_ROLE_CONSOLE},
        {budget, MN_RIGHT_READ | MN_RIGHT_WRITE, 0, MN_ROLE_ALLOCATOR},
        {mn_cap("initrd"), MN_RIGHT_READ, 0, "initrd"},
        {init.console_in, MN_RIGHT_WRITE, 0, MN_ROLE_CONSOLE_IN},
    };
    struct mn_child child;
    int r = mn_spawn(HV_WASMRUN, argv, argc, caps, with_input && init.console_in ? 4 : 3, MN_SPAWN_GIVE_SELF, &child);
    mn_sys_DROP_CAP(budget); /* the child's copy is what counts; its frames go back when it ends */
    mn_slot_free(budget);
    if (r != MN_ERR_OK)
        return r;
    r = mn_wait(&child, status, reason);
    mn_release(&child);
    return r;
}

/* Spawns a program (wasmrun or wasmbench) for each word of a comma-separated list. */
static void boot_processes(const char *list, bool bench)
{
    char word[128];
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n >= sizeof word)
            n = sizeof word - 1;
        memcpy(word, p, n);
        word[n] = 0;
        p += n + (e ? 1 : 0);
        int64_t status = 0;
        int reason = 0, r;
        if (bench) {
            const char *argv[2] = {HV_WASMBENCH, word};
            uint32_t budget = init_allocator(HV_WASMBENCH_BUDGET);
            struct mn_spawn_cap caps[] = {
                {init.console_out, MN_RIGHT_WRITE, 0, MN_ROLE_CONSOLE},
                {budget, MN_RIGHT_READ | MN_RIGHT_WRITE, 0, MN_ROLE_ALLOCATOR},
                {mn_cap("initrd"), MN_RIGHT_READ, 0, "initrd"},
            };
            struct mn_child child;
            r = budget ? mn_spawn(HV_WASMBENCH, argv, 2, caps, 3, MN_SPAWN_GIVE_SELF, &child) : MN_ERR_NO_MEMORY;
            if (budget) {
                mn_sys_DROP_CAP(budget);
                mn_slot_free(budget);
            }
            if (r == MN_ERR_OK) {
                r = mn_wait(&child, &status, &reason);
                mn_release(&child);
            }
        } else {
            const char *argv[2] = {HV_WASMRUN, word};
            r = hv_spawn(argv, 2, HV_WASMRUN_BUDGET, true, &status, &reason);
        }
        if (r != MN_ERR_OK)
            printf("hypervisor: cannot start %s for %s: %s\n", bench ? HV_WASMBENCH : HV_WASMRUN, word,
                   mn_error_name(r));
        else if (status != 0 || reason != MN_EXIT_NORMAL)
            printf("hypervisor: %s ended with status %ld (reason %d)\n", word, (long)status, reason);
    }
}

void hv_boot(int argc, char **argv)
{
    bridge.com1 = mn_cap("com1");
    hv_run(HV_BOOT_MODULE, "run_guest", NULL, NULL, NULL);
    const char *list = init_arg(argc, argv, "wasm");
    if (list)
        boot_processes(list, false);
    list = init_arg(argc, argv, "wasmbench");
    if (list)
        boot_processes(list, true);
}

/* ---- the self-test (init's test mode) ------------------------------------------------ */

#define SANDBOX HV_BOOT_MODULE
static const char greeting[] = "Hello from the Wasm Sandbox!\n";

static int32_t call_i32(struct mnw_run *run, const char *name, int nargs, int32_t a, int32_t b, int *rc,
                        wasm_error_t *err)
{
    wasm_val_t args[2] = {{WASM_I32, {.i32 = a}}, {WASM_I32, {.i32 = b}}}, res[1] = {0};
    *rc = mnw_call(run, name, args, (uint32_t)nargs, res, 1, err);
    return *rc == WASM_OK && res[0].type == WASM_I32 ? res[0].of.i32 : -1;
}

/* Returns NULL, or what failed. */
static const char *self_test_sandbox(void)
{
    struct mnw_run run;
    struct mnw_streams streams;
    wasm_error_t err;
    int rc;
    struct hv_limits lim = {.max_pages = 16, .fuel = 1000000, .max_call_depth = 500, .stack_slots = 16384};
    if (hv_start(&run, SANDBOX, &lim, &streams, &err) != WASM_OK)
        return "the sandbox module does not instantiate";
    const char *why = NULL;
    /* 1. the greeting travels the bridge: exactly its bytes reach COM1, in one call */
    uint64_t calls = bridge.calls, bytes = bridge.bytes;
    if (call_i32(&run, "run_guest", 0, 0, 0, &rc, &err) != 0 || rc != WASM_OK)
        why = "run_guest failed";
    else if (bridge.calls != calls + 1 || bridge.bytes != bytes + sizeof greeting - 1 ||
             bridge.last_len != sizeof greeting - 1 || memcmp(bridge.last, greeting, sizeof greeting - 1) != 0)
        why = "run_guest's greeting did not go through host_print to COM1";
    /* 2. typed calls through the embedding API */
    else if (call_i32(&run, "add", 2, 10, 32, &rc, &err) != 42)
        why = "add(10, 32) != 42";
    else if (mnw_call(&run, "add", NULL, 0, NULL, 0, &err) != WASM_E_ARG)
        why = "add() without arguments was not refused";
    /* 3. out-of-range pointers trap the module, reach nothing, and the host goes on */
    else if (call_i32(&run, "bad_print", 0, 0, 0, &rc, &err), rc != WASM_E_TRAP || !strstr(err.msg, "host_print"))
        why = "bad_print did not trap in host_print";
    else if (call_i32(&run, "bad_len", 0, 0, 0, &rc, &err), rc != WASM_E_TRAP || !strstr(err.msg, "outside"))
        why = "bad_len did not trap in host_print";
    else if (bridge.bytes != bytes + sizeof greeting - 1)
        why = "a rejected host_print wrote to COM1";
    else if (call_i32(&run, "add", 2, 1, 2, &rc, &err) != 3)
        why = "the instance is unusable after a trap";
    /* 4. a runaway loop is stopped by the fuel budget */
    else if (call_i32(&run, "spin", 0, 0, 0, &rc, &err), rc != WASM_E_FUEL)
        why = "spin was not stopped by the fuel budget";
    /* 5. the memory ceiling: memory.grow is refused at 16 pages */
    else if (wasm_store_set_fuel(run.store, 1000000), call_i32(&run, "grow_all", 0, 0, 0, &rc, &err) != 16)
        why = "grow_all did not stop at the 16-page ceiling";
    /* 6. the call depth */
    else if (call_i32(&run, "recurse", 1, 0, 0, &rc, &err), rc != WASM_E_TRAP || !strstr(err.msg, "call stack"))
        why = "recurse did not trap with call stack exhausted";
    if (why)
        printf("hypervisor: self-test: %s (last result: %s: %s)\n", why, mnw_outcome(rc), err.msg);
    else
        printf("hypervisor: self-test: bridge %lu bytes over COM1; bad_print, bad_len trapped; spin stopped by "
               "fuel; memory ceiling 16 pages; call depth 500\n",
               (unsigned long)(sizeof greeting - 1));
    mnw_end(&run);
    return why;
}

/* A WASI program in-process: stdin_upper with an empty stdin prints "bytes=0 lines=0" and exits 0. */
static const char *self_test_wasi(void)
{
    wasm_error_t err;
    int rc = hv_run("wasm/tests/stdin_upper.wasm", NULL, NULL, NULL, &err);
    if (rc != WASM_E_EXIT && rc != WASM_OK)
        return "stdin_upper.wasm did not run in-process";
    if (rc == WASM_E_EXIT && err.exit_status != 0)
        return "stdin_upper.wasm exited with a nonzero status";
    return NULL;
}

/* Modules in wasmrun processes: a result, a trap, and a module that does not exist. */
static const char *self_test_processes(void)
{
    int64_t status;
    int reason;
    const char *add[] = {HV_WASMRUN, "--invoke", "add", SANDBOX, "40", "2"};
    if (hv_spawn(add, 6, 2048, false, &status, &reason) != MN_ERR_OK || status != 0 || reason != MN_EXIT_NORMAL)
        return "wasmrun --invoke add failed";
    const char *trap[] = {HV_WASMRUN, "wasm/tests/trap.wasm"};
    if (hv_spawn(trap, 2, 2048, false, &status, &reason) != MN_ERR_OK || status != 4 || reason != MN_EXIT_NORMAL)
        return "wasmrun of trap.wasm did not end with status 4";
    const char *missing[] = {HV_WASMRUN, "wasm/no-such.wasm"};
    if (hv_spawn(missing, 2, 2048, false, &status, &reason) != MN_ERR_OK || status != 1)
        return "wasmrun of a missing file did not end with status 1";
    return NULL;
}

bool hv_self_test(void)
{
    const char *why = self_test_sandbox();
    if (!why)
        why = self_test_wasi();
    if (!why)
        why = self_test_processes();
    if (why)
        printf("utest: FAIL wasm_bridge: %s\n", why);
    else
        printf("utest: PASS wasm_bridge\n");
    return why == NULL;
}
