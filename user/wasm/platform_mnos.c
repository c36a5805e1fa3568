/*
 * platform_mnos.c - the Wasm engine's platform layer (lib/wasm/platform.h)
 * on libmnos, for Ring 3: the heap is libmnos's malloc (frames from the
 * process's "allocator" capability), diagnostics go to the console, the
 * clock is SYS_CLOCK. The engine is built unchanged with USER_CFLAGS
 * (user/wasm/build.mk) and linked with this file into libwasm.a.
 *
 * Wall-clock time: there is no RTC driver in Ring 3 yet (no process holds
 * the CMOS ports), so realtime is MNOS_WASM_EPOCH_S (a build-time floor,
 * like systemd's TIME_EPOCH) plus the time since boot. It never goes
 * backwards and is always after the release date, but it is not the real
 * date. Monotonic time is SYS_CLOCK itself.
 */
#include "../../lib/wasm/platform.h"
#include "libmnos.h"
#include "stdio.h"
#include "stdlib.h"
#include "string.h"

#ifndef MNOS_WASM_EPOCH_S
#define MNOS_WASM_EPOCH_S 1795478400ull /* 2026-11-24 00:00:00 UTC */
#endif

void *wasm_platform_alloc(size_t size)
{
    return malloc(size ? size : 1); /* libmnos payloads are 16-byte aligned, as platform.h asks */
}

void *wasm_platform_realloc(void *ptr, size_t size)
{
    return realloc(ptr, size ? size : 1); /* libmnos's realloc(p, 0) would free p */
}

void wasm_platform_free(void *ptr)
{
    free(ptr);
}

_Noreturn void wasm_platform_abort(const char *why)
{
    printf("wasm: abort: %s\n", why);
    abort();
}

void wasm_platform_log(const char *msg)
{
    printf("%s\n", msg);
}

uint64_t wasm_platform_clock_ns(int id)
{
    uint64_t since_boot = (uint64_t)mn_sys_CLOCK();
    return id == 1 ? since_boot : MNOS_WASM_EPOCH_S * 1000000000ull + since_boot;
}

void *wasm_memcpy(void *dst, const void *src, size_t n)
{
    return memcpy(dst, src, n);
}

void *wasm_memmove(void *dst, const void *src, size_t n)
{
    return memmove(dst, src, n);
}

void *wasm_memset(void *dst, int c, size_t n)
{
    return memset(dst, c, n);
}
