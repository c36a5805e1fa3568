/*
 * libmnos: formatted output (the printf family of ISO C <stdio.h>, minus
 * FILE streams).
 *
 * Conversions: %d %i %u %x %X %o %c %s %p %%, flags "-+ #0", width and
 * precision (numbers or *), length modifiers hh h l ll z t j. %s of NULL
 * prints "(null)", %p of NULL prints "(nil)" (both as glibc does).
 * Not supported, printed literally without consuming an argument: the
 * floating-point conversions %f %F %e %E %g %G %a %A (Ring 3 code is
 * built with -mgeneral-regs-only, so the library cannot even fetch a
 * double from a va_list; on x86_64 doubles travel in SSE registers, so
 * the integer arguments after one still line up) and unknown letters.
 * %n consumes its pointer but stores nothing and prints nothing (a write
 * through a pointer hidden in a format string is an exploit primitive).
 * %lc and %ls print as %c and %s: there are no wide characters. A '*'
 * width or precision before an unsupported conversion still consumes its
 * int.
 *
 * The console functions write through the platform's hook
 * mn_console_write. Each call formats into a buffer on the stack and hands
 * it to the hook when it fills (MN_STDIO_CHUNK bytes) and once at the end,
 * so a line costs one hook call, never one per character, and nothing
 * stays buffered between calls (a crash loses no output). They are as
 * thread-safe as the hook: two threads' lines may interleave, but only at
 * chunk boundaries.
 */
#ifndef MNOS_LIBC_STDIO_H
#define MNOS_LIBC_STDIO_H

#include <stdarg.h>
#include <stddef.h>

#include "mn_libc.h"

#ifndef EOF
#define EOF (-1)
#endif

/* Bytes formatted on the stack before the console hook is called. */
#define MN_STDIO_CHUNK 256

/*
 * Platform hook (defined by the platform part of libmnos, not here):
 * writes n bytes of s to the process's console. s is not terminated and
 * may contain any byte; n is at least 1.
 */
void mn_console_write(const char *s, size_t n);

/*
 * Formats into buf, writing at most size bytes including a terminating
 * NUL (nothing at all when size is 0, and buf may then be NULL). Returns
 * the length the full output has, not counting the NUL, whether or not it
 * fit: the output was truncated when the result is >= size. Returns -1
 * when that length does not fit in an int.
 */
int MN_LIBC(vsnprintf)(char *restrict buf, size_t size, const char *restrict fmt, va_list ap);
/* vsnprintf with the arguments inline. */
int MN_LIBC(snprintf)(char *restrict buf, size_t size, const char *restrict fmt, ...) MN_PRINTF_LIKE(3, 4);
/* vsnprintf into a buffer the caller promises is large enough. Prefer vsnprintf. */
int MN_LIBC(vsprintf)(char *restrict buf, const char *restrict fmt, va_list ap);
/* sprintf with the arguments inline. Prefer snprintf. */
int MN_LIBC(sprintf)(char *restrict buf, const char *restrict fmt, ...) MN_PRINTF_LIKE(2, 3);

/* Formats to the console; returns the number of bytes written, or -1 as vsnprintf. */
int MN_LIBC(vprintf)(const char *restrict fmt, va_list ap);
/* vprintf with the arguments inline. */
int MN_LIBC(printf)(const char *restrict fmt, ...) MN_PRINTF_LIKE(1, 2);
/* Writes s and a newline to the console (one hook call for short lines); returns a non-negative number. */
int MN_LIBC(puts)(const char *s);
/* Writes the byte (unsigned char)c to the console; returns it as an unsigned char. */
int MN_LIBC(putchar)(int c);

#endif
