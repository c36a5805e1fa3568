/*
 * wasm_spec: the WebAssembly spec suite inside MinimalOS. The host's spec
 * runner (tests/host/wasm/spectest.c, built for Ring 3 with the FILE shim
 * of user/wasm/compat) runs against the Ring 3 build of the engine over
 * the files user/wasm/build.mk converted with wast2json into the initrd:
 * wasm/spec/NAME.tar (NAME.json and its modules), listed in
 * wasm/spec/index: the whole non-SIMD suite, which must include the files
 * of `required` below. The runner prints "PASS spec/NAME (...)" per file
 * and "spec total: ..." and fails when any command failed. It runs on a
 * thread with a 64 KiB stack (the main thread's is 16 KiB).
 */
#include "stdlib.h"
#include "string.h"
#include "utest.h"

static const char *utest_name = "wasm_spec";

int wasm_spectest_main(int argc, char **argv);

#define MAX_FILES 128

static char *files[MAX_FILES + 2];
static int nfiles;
static volatile int result = -1, finished;

static void runner(void *arg)
{
    (void)arg;
    result = wasm_spectest_main(nfiles + 1, files);
    __atomic_store_n(&finished, 1, __ATOMIC_RELEASE);
}

int main(void)
{
    const void *data;
    size_t size;
    CHECK(1, mn_initrd_read("wasm/spec/index", &data, &size) == MN_ERR_OK);
    char *index = malloc(size + 1);
    CHECK(2, index != NULL);
    memcpy(index, data, size);
    index[size] = 0;
    files[0] = "spectest";
    for (char *p = index; *p && nfiles < MAX_FILES;) {
        char *e = strchr(p, '\n');
        if (e)
            *e = 0;
        if (*p) {
            /* wasm/spec/NAME/NAME.json: the runner's directory is the archive wasm/spec/NAME.tar (compat/file.c) */
            size_t n = strlen(p);
            char *path = malloc(2 * n + 20);
            CHECK(3, path != NULL);
            snprintf(path, 2 * n + 20, "wasm/spec/%s/%s.json", p, p);
            files[++nfiles] = path;
        }
        if (!e)
            break;
        p = e + 1;
    }
    static const char *const required[] = {"i32",         "i64",    "f32",           "f64",
                                           "conversions", "memory", "call_indirect", "br_table"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        bool found = false;
        for (int k = 1; k <= nfiles && !found; k++)
            found = strncmp(files[k] + 10, required[i], strlen(required[i])) == 0 &&
                    files[k][10 + strlen(required[i])] == '/';
        CHECK(4, found);
    }
    uint64_t t0 = (uint64_t)mn_sys_CLOCK();
    CHECK(5, mn_thread_create(runner, NULL, 4) >= 0);
    while (!__atomic_load_n(&finished, __ATOMIC_ACQUIRE))
        mn_sys_SLEEP(1000000);
    printf("wasm_spec: %d spec files in %lu ms\n", nfiles, (unsigned long)(((uint64_t)mn_sys_CLOCK() - t0) / 1000000));
    CHECK(6, result == 0);
    return 0;
}
