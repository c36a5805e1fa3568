/* platform.h - everything the engine needs from its host system.
 *
 * The engine is freestanding C: it calls nothing but these functions.  The
 * host build maps them to libc (tests/host/wasm/platform_host.c); the Ring 3
 * build will map them to libmnos. */
#ifndef WASM_PLATFORM_H
#define WASM_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

/* Returns size bytes of memory aligned to 16, or NULL.  Need not be zeroed. */
void *wasm_platform_alloc(size_t size);
/* Resizes a block from wasm_platform_alloc (ptr may be NULL); NULL on failure
 * (the old block then stays valid). */
void *wasm_platform_realloc(void *ptr, size_t size);
/* Frees a block from wasm_platform_alloc/realloc; NULL is allowed. */
void wasm_platform_free(void *ptr);
/* Stops the program after an impossible state; never returns. */
_Noreturn void wasm_platform_abort(const char *why);
/* Writes one diagnostic line (no trailing newline in msg). */
void wasm_platform_log(const char *msg);
/* Nanoseconds of a monotonic clock (id 1) or since 1970 (id 0). */
uint64_t wasm_platform_clock_ns(int id);

/* Plain memory helpers; the host port may forward them to libc. */
void *wasm_memcpy(void *dst, const void *src, size_t n);
void *wasm_memmove(void *dst, const void *src, size_t n);
void *wasm_memset(void *dst, int c, size_t n);

#endif
