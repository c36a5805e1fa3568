/* platform_host.c - the engine's platform layer (lib/wasm/platform.h) on libc. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../../lib/wasm/platform.h"

void *wasm_platform_alloc(size_t size)
{
    return malloc(size ? size : 1);
}
void *wasm_platform_realloc(void *ptr, size_t size)
{
    return realloc(ptr, size ? size : 1);
}
void wasm_platform_free(void *ptr)
{
    free(ptr);
}
_Noreturn void wasm_platform_abort(const char *why)
{
    fprintf(stderr, "wasm: abort: %s\n", why);
    abort();
}
void wasm_platform_log(const char *msg)
{
    fprintf(stderr, "%s\n", msg);
}
uint64_t wasm_platform_clock_ns(int id)
{
    struct timespec ts;
    clock_gettime(id == 1 ? CLOCK_MONOTONIC : CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
void *wasm_memcpy(void *d, const void *s, size_t n)
{
    return memcpy(d, s, n);
}
void *wasm_memmove(void *d, const void *s, size_t n)
{
    return memmove(d, s, n);
}
void *wasm_memset(void *d, int c, size_t n)
{
    return memset(d, c, n);
}
