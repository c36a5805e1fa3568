/*
 * run_mnos.c - one module from the initrd, from bytes to a running
 * instance: load, store with limits, imports (WASI first, then the
 * embedder's), instantiate; calls and the words that report them. Shared
 * by init's hypervisor and wasmrun (see wasm_mnos.h).
 */
#include "libmnos.h"
#include "stdio.h"
#include "stdlib.h"
#include "string.h"
#include "wasm_mnos.h"

static void set_err(wasm_error_t *err, int code, const char *fmt, const char *a)
{
    if (!err)
        return;
    err->code = code;
    snprintf(err->msg, sizeof err->msg, fmt, a);
}

/* Fills imports[0..n) or says which import nobody supplies. */
static int link_imports(struct mnw_run *run, const struct mnw_run_args *args, wasm_extern_t *imports, wasm_error_t *err)
{
    uint32_t n = wasm_module_import_count(run->module);
    for (uint32_t i = 0; i < n; i++) {
        if (run->wasi && wasm_wasi_resolve(run->wasi, run->module, i, &imports[i]))
            continue;
        const char *mod, *name;
        size_t ml, nl;
        wasm_extern_kind_t kind;
        char sig[64] = "";
        wasm_module_import(run->module, i, &mod, &ml, &name, &nl, &kind);
        if (kind == WASM_EXTERN_FUNC && !wasm_module_import_sig(run->module, i, sig, sizeof sig))
            sig[0] = 0;
        if (args->imports && args->imports(args->imports_user, run->store, mod, ml, name, nl, sig, &imports[i]))
            continue;
        if (err) {
            err->code = WASM_E_LINK;
            snprintf(err->msg, sizeof err->msg, "unknown import \"%.*s\" \"%.*s\"", (int)ml, mod, (int)nl, name);
        }
        return WASM_E_LINK;
    }
    return WASM_OK;
}

int mnw_start(struct mnw_run *run, const struct mnw_run_args *args, wasm_error_t *err)
{
    memset(run, 0, sizeof *run);
    const void *bytes;
    size_t len;
    if (mn_initrd_read(args->path, &bytes, &len) != MN_ERR_OK) {
        set_err(err, MNW_E_NOFILE, "%s", "no such file in the initrd");
        return MNW_E_NOFILE;
    }
    int rc = wasm_module_load(bytes, len, &run->module, err);
    if (rc != WASM_OK)
        return rc;
    run->store = wasm_store_new(&args->limits);
    if (!run->store) {
        rc = WASM_E_NOMEM;
        set_err(err, rc, "%s", "out of memory for the store");
        goto fail;
    }
    if (args->streams) {
        wasm_wasi_io_t io;
        mnw_wasi_io(args->streams, &io);
        run->wasi = wasm_wasi_new(run->store, &io, args->argc, args->argv, args->envc, args->envp);
        if (!run->wasi) {
            rc = WASM_E_NOMEM;
            set_err(err, rc, "%s", "out of memory for the WASI state");
            goto fail;
        }
    }
    uint32_t n = wasm_module_import_count(run->module);
    wasm_extern_t *imports = calloc(n + 1, sizeof *imports);
    if (!imports) {
        rc = WASM_E_NOMEM;
        set_err(err, rc, "%s", "out of memory for the imports");
        goto fail;
    }
    rc = link_imports(run, args, imports, err);
    if (rc == WASM_OK)
        rc = wasm_instance_new(run->store, run->module, imports, n, &run->instance, err);
    free(imports);
    if (rc == WASM_OK)
        return WASM_OK;
fail:
    mnw_end(run);
    return rc;
}

int mnw_call(struct mnw_run *run, const char *name, const wasm_val_t *args, uint32_t nargs, wasm_val_t *results,
             uint32_t nresults, wasm_error_t *err)
{
    wasm_extern_t ex;
    if (!run->instance || !wasm_instance_export(run->instance, name, strlen(name), &ex) ||
        ex.kind != WASM_EXTERN_FUNC) {
        set_err(err, WASM_E_ARG, "no exported function \"%s\"", name);
        return WASM_E_ARG;
    }
    return wasm_func_call(run->store, ex.of.func, args, nargs, results, nresults, err);
}

void mnw_end(struct mnw_run *run)
{
    if (run->store)
        wasm_store_delete(run->store);
    if (run->module)
        wasm_module_delete(run->module);
    memset(run, 0, sizeof *run);
}

const char *mnw_outcome(int rc)
{
    switch (rc) {
    case WASM_OK: return "ok";
    case MNW_E_NOFILE: return "cannot read";
    case WASM_E_MALFORMED: return "malformed module";
    case WASM_E_INVALID: return "invalid module";
    case WASM_E_UNSUPPORTED: return "unsupported module";
    case WASM_E_LINK: return "link error";
    case WASM_E_TRAP: return "trap";
    case WASM_E_NOMEM: return "out of memory";
    case WASM_E_ARG: return "bad call";
    case WASM_E_EXIT: return "exit";
    case WASM_E_FUEL: return "fuel budget exhausted";
    }
    return "error";
}

int mnw_exit_code(int rc, const wasm_error_t *err)
{
    switch (rc) {
    case WASM_OK: return 0;
    case WASM_E_EXIT: return err ? err->exit_status : 0;
    case WASM_E_MALFORMED:
    case WASM_E_INVALID:
    case WASM_E_UNSUPPORTED: return 2;
    case WASM_E_LINK: return 3;
    case WASM_E_TRAP: return 4;
    case WASM_E_FUEL: return 5;
    case WASM_E_NOMEM: return MNW_STATUS_NOMEM;
    }
    return 1;
}
