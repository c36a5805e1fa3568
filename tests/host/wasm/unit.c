/* unit.c - host unit tests of the Wasm engine (run under ASan + UBSan).
 *
 * Groups: decode (truncated and corrupted modules never crash and are
 * rejected with a located message), leb (LEB128 limits), api (calls,
 * host functions with memory access, multi-value), limits (fuel, call
 * depth, memory ceiling), traps.  Prints one PASS/FAIL line per group.
 *
 * The test module (source in the comment below) was assembled with wat2wasm:
 *   (module
 *     (import "env" "host_add" (func $host_add (param i32 i32) (result i32)))
 *     (import "env" "host_print" (func $host_print (param i32 i32)))
 *     (memory (export "memory") 1 4) (table 4 funcref) (global $g (mut i32) (i32.const 5))
 *     (data (i32.const 16) "Hello from the Wasm Sandbox!") (elem (i32.const 0) $add $fac)
 *     (func $add (export "add") (param i32 i32) (result i32) ...)
 *     (func $fac (export "fac") (param i64) (result i64) ...)      ;; recursive
 *     (func (export "recurse") (param i32) (result i32) ...)      ;; unbounded recursion
 *     (func (export "spin") (loop $l (br $l)))
 *     (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
 *     (func (export "div") (param i32 i32) (result i32) (i32.div_s ...))
 *     (func (export "hello") (call $host_print (i32.const 16) (i32.const 28)))
 *     (func (export "viahost") (param i32 i32) (result i32) (call $host_add ...))
 *     (func (export "indirect") (param i32 i32 i32) (result i32) (call_indirect ...))
 *     (func (export "multi") (param i32) (result i32 i64 f32 f64) ...))
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../lib/wasm/wasm.h"

static const unsigned char test_module[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x28, 0x07, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x02,
    0x7f, 0x7f, 0x00, 0x60, 0x01, 0x7e, 0x01, 0x7e, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x00, 0x60, 0x03, 0x7f,
    0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x04, 0x7f, 0x7e, 0x7d, 0x7c, 0x02, 0x21, 0x02, 0x03, 0x65, 0x6e, 0x76,
    0x08, 0x68, 0x6f, 0x73, 0x74, 0x5f, 0x61, 0x64, 0x64, 0x00, 0x00, 0x03, 0x65, 0x6e, 0x76, 0x0a, 0x68, 0x6f, 0x73,
    0x74, 0x5f, 0x70, 0x72, 0x69, 0x6e, 0x74, 0x00, 0x01, 0x03, 0x0b, 0x0a, 0x00, 0x02, 0x03, 0x04, 0x03, 0x00, 0x04,
    0x00, 0x05, 0x06, 0x04, 0x04, 0x01, 0x70, 0x00, 0x04, 0x05, 0x04, 0x01, 0x01, 0x01, 0x04, 0x06, 0x06, 0x01, 0x7f,
    0x01, 0x41, 0x05, 0x0b, 0x07, 0x59, 0x0b, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x03, 0x61, 0x64,
    0x64, 0x00, 0x02, 0x03, 0x66, 0x61, 0x63, 0x00, 0x03, 0x07, 0x72, 0x65, 0x63, 0x75, 0x72, 0x73, 0x65, 0x00, 0x04,
    0x04, 0x73, 0x70, 0x69, 0x6e, 0x00, 0x05, 0x04, 0x67, 0x72, 0x6f, 0x77, 0x00, 0x06, 0x03, 0x64, 0x69, 0x76, 0x00,
    0x07, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x00, 0x08, 0x07, 0x76, 0x69, 0x61, 0x68, 0x6f, 0x73, 0x74, 0x00, 0x09,
    0x08, 0x69, 0x6e, 0x64, 0x69, 0x72, 0x65, 0x63, 0x74, 0x00, 0x0a, 0x05, 0x6d, 0x75, 0x6c, 0x74, 0x69, 0x00, 0x0b,
    0x09, 0x08, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x02, 0x02, 0x03, 0x0a, 0x73, 0x0a, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01,
    0x6a, 0x0b, 0x15, 0x00, 0x20, 0x00, 0x50, 0x04, 0x7e, 0x42, 0x01, 0x05, 0x20, 0x00, 0x20, 0x00, 0x42, 0x01, 0x7d,
    0x10, 0x03, 0x7e, 0x0b, 0x0b, 0x09, 0x00, 0x20, 0x00, 0x41, 0x01, 0x6a, 0x10, 0x04, 0x0b, 0x07, 0x00, 0x03, 0x40,
    0x0c, 0x00, 0x0b, 0x0b, 0x06, 0x00, 0x20, 0x00, 0x40, 0x00, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6d, 0x0b,
    0x08, 0x00, 0x41, 0x10, 0x41, 0x1c, 0x10, 0x01, 0x0b, 0x08, 0x00, 0x20, 0x00, 0x20, 0x01, 0x10, 0x00, 0x0b, 0x0b,
    0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0x11, 0x00, 0x00, 0x0b, 0x14, 0x00, 0x20, 0x00, 0x42, 0x79, 0x43, 0x00,
    0x00, 0xc0, 0x3f, 0x44, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x0b, 0x0b, 0x22, 0x01, 0x00, 0x41, 0x10,
    0x0b, 0x1c, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x20, 0x66, 0x72, 0x6f, 0x6d, 0x20, 0x74, 0x68, 0x65, 0x20, 0x57, 0x61,
    0x73, 0x6d, 0x20, 0x53, 0x61, 0x6e, 0x64, 0x62, 0x6f, 0x78, 0x21};
static const unsigned int test_module_len = 372;

/* Regression (bug found by the Rust WASI test): a global.get feeding br_if
 * right after a compare whose result went to a local was fused as if the
 * compare produced the condition.  Source:
 *   (func (export "f") (param i32) (result i32) (local i32)
 *     (block (result i32)
 *       (local.set 1 (i32.lt_s (local.get 0) (i32.const 10)))
 *       (i32.const 7) (global.get $g) (br_if 0) (drop) (i32.const 42)))  ;; $g = 0 */
static const unsigned char regress_fused_branch[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f,
    0x03, 0x02, 0x01, 0x00, 0x06, 0x06, 0x01, 0x7f, 0x01, 0x41, 0x00, 0x0b, 0x07, 0x05, 0x01, 0x01,
    0x66, 0x00, 0x00, 0x0a, 0x19, 0x01, 0x17, 0x01, 0x01, 0x7f, 0x02, 0x7f, 0x20, 0x00, 0x41, 0x0a,
    0x48, 0x21, 0x01, 0x41, 0x07, 0x23, 0x00, 0x0d, 0x00, 0x1a, 0x41, 0x2a, 0x0b, 0x0b};
static const unsigned int regress_fused_branch_len = 62;

static int failures;
static char group_fail[512];

#define CHECK(cond, ...) \
    do { \
        if (!(cond) && !group_fail[0]) \
            snprintf(group_fail, sizeof group_fail, __VA_ARGS__); \
    } while (0)

static void report(const char *name)
{
    if (group_fail[0]) {
        printf("FAIL wasm/unit/%s: %s\n", name, group_fail);
        failures++;
    } else {
        printf("PASS wasm/unit/%s\n", name);
    }
    group_fail[0] = 0;
}

static char printed[256];

static int host_add(wasm_host_ctx_t *ctx, wasm_value_t *v, void *user)
{
    (void)ctx, (void)user;
    v[0].i32 = v[0].i32 + v[1].i32;
    return 0;
}

static int host_print(wasm_host_ctx_t *ctx, wasm_value_t *v, void *user)
{
    const char *p = wasm_host_memory(ctx, v[0].u32, v[1].u32);
    (void)user;
    if (!p)
        return wasm_host_trap(ctx, "host_print: out of bounds");
    snprintf(printed, sizeof printed, "%.*s", (int)v[1].u32, p);
    return 0;
}

/* Loads, instantiates and returns an instance of bytes (or NULL). */
static wasm_instance_t *instantiate(wasm_store_t *s, const uint8_t *bytes, size_t len, wasm_module_t **mod,
                                    wasm_error_t *err)
{
    wasm_instance_t *inst = NULL;
    wasm_extern_t ims[2];
    if (wasm_module_load(bytes, len, mod, err))
        return NULL;
    if (wasm_module_import_count(*mod) != 2)
        return NULL;
    ims[0].kind = ims[1].kind = WASM_EXTERN_FUNC;
    ims[0].of.func = wasm_func_new_host(s, "ii:i", host_add, NULL);
    ims[1].of.func = wasm_func_new_host(s, "ii:", host_print, NULL);
    if (wasm_instance_new(s, *mod, ims, 2, &inst, err))
        return NULL;
    return inst;
}

static int call(wasm_store_t *s, wasm_instance_t *inst, const char *name, wasm_val_t *args, uint32_t n, wasm_val_t *res,
                wasm_error_t *err)
{
    wasm_extern_t ex;
    if (!wasm_instance_export(inst, name, strlen(name), &ex) || ex.kind != WASM_EXTERN_FUNC)
        return -100;
    return wasm_func_call(s, ex.of.func, args, n, res, 4, err);
}

static wasm_val_t I32(int32_t x)
{
    wasm_val_t v = {WASM_I32, {.i32 = x}};
    return v;
}
static wasm_val_t I64(int64_t x)
{
    wasm_val_t v = {WASM_I64, {.i64 = x}};
    return v;
}

static void test_decode(void)
{
    wasm_module_t *m;
    wasm_error_t err;
    /* every proper prefix is rejected, with a location in the message,
     * except those ending at a section boundary (at most one per section) */
    unsigned accepted = 0;
    for (unsigned n = 0; n < test_module_len; n++) {
        int rc = wasm_module_load(test_module, n, &m, &err);
        if (rc == 0)
            wasm_module_delete(m), accepted++;
        else
            CHECK(strstr(err.msg, "offset 0x") != NULL, "no offset in \"%s\"", err.msg);
    }
    CHECK(accepted <= 12, "%u prefixes accepted", accepted);
    CHECK(wasm_module_load(test_module, test_module_len, &m, &err) == 0, "full module: %s", err.msg);
    wasm_module_delete(m);
    /* every byte replaced by several values: never a crash; if accepted,
     * instantiate and run every export with a little fuel */
    static const uint8_t subst[] = {0x00, 0x01, 0x7f, 0x80, 0xff, 0x0b, 0x40, 0x41};
    uint8_t *buf = malloc(test_module_len);
    for (unsigned i = 8; i < test_module_len; i++) {
        for (unsigned k = 0; k < sizeof subst; k++) {
            wasm_store_t *s;
            wasm_instance_t *inst;
            memcpy(buf, test_module, test_module_len);
            if (buf[i] == subst[k])
                continue;
            buf[i] = subst[k];
            s = wasm_store_new(&(wasm_limits_t){.fuel = 10000, .max_call_depth = 200, .max_memory_pages = 16});
            inst = instantiate(s, buf, test_module_len, &m, &err);
            if (inst) {
                for (uint32_t e = 0; e < wasm_module_export_count(m); e++) {
                    const char *name;
                    size_t len;
                    wasm_extern_kind_t kind;
                    wasm_extern_t ex;
                    wasm_val_t args[8] = {0}, res[8];
                    wasm_module_export(m, e, &name, &len, &kind);
                    if (kind != WASM_EXTERN_FUNC || !wasm_instance_export(inst, name, len, &ex))
                        continue;
                    uint32_t np = wasm_func_param_count(ex.of.func);
                    if (np > 8 || wasm_func_result_count(ex.of.func) > 8)
                        continue;
                    for (uint32_t p = 0; p < np; p++)
                        args[p].type = wasm_func_param_type(ex.of.func, p);
                    wasm_store_set_fuel(s, 10000);
                    wasm_func_call(s, ex.of.func, args, np, res, 8, &err);
                }
            } else if (err.code == 0 && m == NULL) {
                CHECK(0, "byte %u = 0x%x: rejected without a message", i, subst[k]);
            }
            wasm_store_delete(s);
            wasm_module_delete(m);
            m = NULL;
        }
    }
    free(buf);
    /* bad magic, bad version, unknown section, section overrun */
    {
        static const uint8_t bad_magic[] = {0, 'a', 's', 'n', 1, 0, 0, 0};
        static const uint8_t bad_version[] = {0, 'a', 's', 'm', 2, 0, 0, 0};
        static const uint8_t bad_section[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 13, 0};
        static const uint8_t overrun[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 5, 1, 0x60};
        static const uint8_t huge_count[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 5, 0xff, 0xff, 0xff, 0xff, 0x0f};
        CHECK(wasm_module_load(bad_magic, sizeof bad_magic, &m, &err) == WASM_E_MALFORMED && strstr(err.msg, "magic"),
              "bad magic: %s", err.msg);
        CHECK(wasm_module_load(bad_version, sizeof bad_version, &m, &err) == WASM_E_MALFORMED, "bad version accepted");
        CHECK(wasm_module_load(bad_section, sizeof bad_section, &m, &err) == WASM_E_MALFORMED,
              "section id 13 accepted");
        CHECK(wasm_module_load(overrun, sizeof overrun, &m, &err) == WASM_E_MALFORMED, "section overrun accepted");
        CHECK(wasm_module_load(huge_count, sizeof huge_count, &m, &err) != 0, "huge count accepted");
    }
    report("decode");
}

static void test_leb(void)
{
    wasm_module_t *m;
    wasm_error_t err;
    /* type section with an overlong (6-byte) count; and with the maximal 5-byte form */
    static const uint8_t too_long[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 7, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0};
    static const uint8_t five[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 5, 0x80, 0x80, 0x80, 0x80, 0x00};
    static const uint8_t unused_bits[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 5, 0x80, 0x80, 0x80, 0x80, 0x10};
    CHECK(wasm_module_load(too_long, sizeof too_long, &m, &err) == WASM_E_MALFORMED, "6-byte LEB accepted");
    CHECK(wasm_module_load(five, sizeof five, &m, &err) == 0, "5-byte zero rejected: %s", err.msg);
    wasm_module_delete(m);
    CHECK(wasm_module_load(unused_bits, sizeof unused_bits, &m, &err) == WASM_E_MALFORMED,
          "LEB with unused bits set accepted");
    report("leb");
}

static void test_api(void)
{
    wasm_store_t *s = wasm_store_new(NULL);
    wasm_module_t *m;
    wasm_error_t err;
    wasm_val_t args[3], res[4];
    wasm_instance_t *inst = instantiate(s, test_module, test_module_len, &m, &err);
    CHECK(inst, "instantiate: %s", err.msg);
    if (inst) {
        args[0] = I32(10), args[1] = I32(32);
        CHECK(call(s, inst, "add", args, 2, res, &err) == 0 && res[0].of.i32 == 42, "add");
        CHECK(call(s, inst, "viahost", args, 2, res, &err) == 0 && res[0].of.i32 == 42, "viahost");
        args[0] = I64(20);
        CHECK(call(s, inst, "fac", args, 1, res, &err) == 0 && res[0].of.i64 == 2432902008176640000LL, "fac 20");
        CHECK(call(s, inst, "hello", args, 0, res, &err) == 0 && !strcmp(printed, "Hello from the Wasm Sandbox!"),
              "hello: \"%s\"", printed);
        args[0] = I32(7), args[1] = I32(8), args[2] = I32(0);
        CHECK(call(s, inst, "indirect", args, 3, res, &err) == 0 && res[0].of.i32 == 15, "indirect");
        args[2] = I32(1);
        CHECK(call(s, inst, "indirect", args, 3, res, &err) == WASM_E_TRAP &&
                  strstr(err.msg, "indirect call type mismatch"),
              "indirect mismatch: %s", err.msg);
        args[2] = I32(3);
        CHECK(call(s, inst, "indirect", args, 3, res, &err) == WASM_E_TRAP && strstr(err.msg, "uninitialized element"),
              "indirect null: %s", err.msg);
        args[0] = I32(3);
        CHECK(call(s, inst, "multi", args, 1, res, &err) == 0 && res[0].of.i32 == 3 && res[1].of.i64 == -7 &&
                  res[2].of.f32 == 1.5f && res[3].type == WASM_F64,
              "multi-value");
        args[0] = I64(1);
        CHECK(call(s, inst, "add", args, 2, res, &err) == WASM_E_ARG, "wrong arg type accepted");
    }
    wasm_store_delete(s);
    wasm_module_delete(m);
    report("api");
}

/* A host function that re-enters the engine: calls the module's "add". */
typedef struct reenter {
    wasm_store_t *store;
    wasm_func_t *add;
} reenter_t;

static int host_add_reenter(wasm_host_ctx_t *ctx, wasm_value_t *v, void *user)
{
    reenter_t *re = user;
    wasm_val_t args[2] = {{WASM_I32, {.i32 = v[0].i32}}, {WASM_I32, {.i32 = v[1].i32}}}, res[1];
    wasm_error_t err;
    if (wasm_func_call(re->store, re->add, args, 2, res, 1, &err))
        return wasm_host_trap(ctx, err.msg);
    v[0].i32 = res[0].of.i32;
    return 0;
}

static void test_reentry(void)
{
    wasm_store_t *s = wasm_store_new(NULL);
    wasm_module_t *m;
    wasm_instance_t *inst;
    wasm_error_t err;
    wasm_extern_t ims[2], ex;
    reenter_t re = {s, NULL};
    wasm_val_t args[2] = {{WASM_I32, {.i32 = 40}}, {WASM_I32, {.i32 = 2}}}, res[1];
    CHECK(wasm_module_load(test_module, test_module_len, &m, &err) == 0, "load: %s", err.msg);
    ims[0].kind = ims[1].kind = WASM_EXTERN_FUNC;
    ims[0].of.func = wasm_func_new_host(s, "ii:i", host_add_reenter, &re);
    ims[1].of.func = wasm_func_new_host(s, "ii:", host_print, NULL);
    CHECK(wasm_instance_new(s, m, ims, 2, &inst, &err) == 0, "instantiate: %s", err.msg);
    if (!group_fail[0]) {
        wasm_instance_export(inst, "add", 3, &ex);
        re.add = ex.of.func;
        wasm_instance_export(inst, "viahost", 7, &ex);
        CHECK(wasm_func_call(s, ex.of.func, args, 2, res, 1, &err) == 0 && res[0].of.i32 == 42,
              "viahost with re-entry: %s", err.msg);
        /* re-entering through "viahost" itself recurses until the nesting limit */
        re.add = ex.of.func;
        CHECK(wasm_func_call(s, ex.of.func, args, 2, res, 1, &err) == WASM_E_TRAP &&
                  strstr(err.msg, "call stack exhausted"),
              "unbounded re-entry: %s", err.msg);
        re.add = NULL;
        wasm_instance_export(inst, "add", 3, &ex);
        re.add = ex.of.func;
        wasm_instance_export(inst, "viahost", 7, &ex);
        CHECK(wasm_func_call(s, ex.of.func, args, 2, res, 1, &err) == 0 && res[0].of.i32 == 42,
              "store unusable after re-entry exhaustion: %s", err.msg);
    }
    wasm_store_delete(s);
    wasm_module_delete(m);
    report("reentry");
}

static void test_limits(void)
{
    wasm_store_t *s = wasm_store_new(&(wasm_limits_t){.max_call_depth = 1000, .max_memory_pages = 3});
    wasm_module_t *m;
    wasm_error_t err;
    wasm_val_t args[2], res[2];
    wasm_instance_t *inst = instantiate(s, test_module, test_module_len, &m, &err);
    CHECK(inst, "instantiate: %s", err.msg);
    if (inst) {
        args[0] = I32(0);
        CHECK(call(s, inst, "recurse", args, 1, res, &err) == WASM_E_TRAP && !strcmp(err.msg, "call stack exhausted"),
              "recursion: %s", err.msg);
        /* the store is still usable after exhaustion */
        args[0] = I32(1), args[1] = I32(2);
        CHECK(call(s, inst, "add", args, 2, res, &err) == 0 && res[0].of.i32 == 3, "after exhaustion");
        wasm_store_set_fuel(s, 100000);
        CHECK(call(s, inst, "spin", args, 0, res, &err) == WASM_E_FUEL, "fuel did not stop spin");
        wasm_store_set_fuel(s, 0);
        args[0] = I32(2);
        CHECK(call(s, inst, "grow", args, 1, res, &err) == 0 && res[0].of.i32 == 1, "grow to 3");
        args[0] = I32(1);
        CHECK(call(s, inst, "grow", args, 1, res, &err) == 0 && res[0].of.i32 == -1, "grow past the store ceiling");
        CHECK(wasm_memory_size(wasm_instance_memory(inst)) == 3 * 65536, "memory size");
    }
    wasm_store_delete(s);
    wasm_module_delete(m);
    report("limits");
}

static void test_traps(void)
{
    wasm_store_t *s = wasm_store_new(NULL);
    wasm_module_t *m;
    wasm_error_t err;
    wasm_val_t args[2], res[2];
    wasm_instance_t *inst = instantiate(s, test_module, test_module_len, &m, &err);
    if (inst) {
        args[0] = I32(1), args[1] = I32(0);
        CHECK(call(s, inst, "div", args, 2, res, &err) == WASM_E_TRAP && !strcmp(err.msg, "integer divide by zero"),
              "div by zero: %s", err.msg);
        args[0] = I32(INT32_MIN), args[1] = I32(-1);
        CHECK(call(s, inst, "div", args, 2, res, &err) == WASM_E_TRAP && !strcmp(err.msg, "integer overflow"),
              "div overflow: %s", err.msg);
    } else {
        CHECK(0, "instantiate: %s", err.msg);
    }
    wasm_store_delete(s);
    wasm_module_delete(m);
    report("traps");
}

static void test_regress_fused_branch(void)
{
    wasm_store_t *s = wasm_store_new(NULL);
    wasm_module_t *m;
    wasm_instance_t *inst;
    wasm_error_t err;
    wasm_extern_t ex;
    wasm_val_t arg = I32(-5), res[1];
    CHECK(wasm_module_load(regress_fused_branch, regress_fused_branch_len, &m, &err) == 0, "load: %s", err.msg);
    if (!group_fail[0]) {
        CHECK(wasm_instance_new(s, m, NULL, 0, &inst, &err) == 0, "instantiate: %s", err.msg);
        if (!group_fail[0] && wasm_instance_export(inst, "f", 1, &ex))
            CHECK(wasm_func_call(s, ex.of.func, &arg, 1, res, 1, &err) == 0 && res[0].of.i32 == 42,
                  "f(-5) = %d, expected 42", res[0].of.i32);
        wasm_module_delete(m);
    }
    wasm_store_delete(s);
    report("regress_fused_branch");
}

int main(void)
{
    test_decode();
    test_leb();
    test_api();
    test_reentry();
    test_limits();
    test_traps();
    test_regress_fused_branch();
    return failures ? 1 : 0;
}
