/* fuzz.c - libFuzzer target: load + validate + instantiate + run every
 * exported function with zero arguments under small limits and fuel.
 * Function imports are satisfied by host functions returning zeros;
 * modules importing anything else stop after validation. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../../lib/wasm/wasm.h"

static int zero_results(wasm_host_ctx_t *ctx, wasm_value_t *v, void *user)
{
    uint32_t n = (uint32_t)(uintptr_t)user;
    (void)ctx;
    memset(v, 0, n * sizeof *v);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wasm_module_t *m;
    wasm_error_t err;
    wasm_store_t *s;
    wasm_instance_t *inst;
    wasm_extern_t ims[64];
    uint32_t n;
    if (wasm_module_load(data, size, &m, &err))
        return 0;
    n = wasm_module_import_count(m);
    s = wasm_store_new(&(wasm_limits_t){.max_memory_pages = 64,
                                        .max_table_elems = 10000,
                                        .stack_slots = 1u << 16,
                                        .max_call_depth = 500,
                                        .fuel = 20000});
    if (n > 64 || !s)
        goto out;
    for (uint32_t i = 0; i < n; i++) {
        char sig[64];
        if (!wasm_module_import_sig(m, i, sig, sizeof sig))
            goto out;
        ims[i].kind = WASM_EXTERN_FUNC;
        size_t np = strcspn(sig, ":"), nr = strlen(sig) - np - 1;
        ims[i].of.func = wasm_func_new_host(s, sig, zero_results, (void *)(uintptr_t)(np > nr ? np : nr));
        if (!ims[i].of.func)
            goto out;
    }
    wasm_store_set_fuel(s, 20000);
    if (wasm_instance_new(s, m, ims, n, &inst, &err) == 0) {
        for (uint32_t e = 0; e < wasm_module_export_count(m) && e < 32; e++) {
            const char *name;
            size_t len;
            wasm_extern_kind_t kind;
            wasm_extern_t ex;
            wasm_val_t args[16], res[16];
            wasm_module_export(m, e, &name, &len, &kind);
            if (kind != WASM_EXTERN_FUNC || !wasm_instance_export(inst, name, len, &ex))
                continue;
            uint32_t np = wasm_func_param_count(ex.of.func);
            if (np > 16 || wasm_func_result_count(ex.of.func) > 16)
                continue;
            memset(args, 0, sizeof args);
            for (uint32_t p = 0; p < np; p++)
                args[p].type = wasm_func_param_type(ex.of.func, p);
            wasm_store_set_fuel(s, 20000);
            wasm_func_call(s, ex.of.func, args, np, res, 16, &err);
        }
    }
out:
    wasm_store_delete(s);
    wasm_module_delete(m);
    return 0;
}
