/* printf-style formatting, freestanding; shared by kprintf and host tests. */
#ifndef LIB_FORMAT_H
#define LIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/* Receives each formatted character in turn. */
typedef void (*fmt_out_fn)(void *ctx, char c);

/*
 * Formats `fmt` with `ap`, passing each character to `out`. Supports the
 * conversions d i u x X o p s c %, the flags - 0 + space #, width and
 * precision (numbers or *), and the length modifiers hh h l ll z j t.
 * An unknown conversion is printed as-is. Returns the number of characters
 * produced.
 */
int fmt_vformat(fmt_out_fn out, void *ctx, const char *fmt, va_list ap);

/*
 * C99 snprintf semantics: writes at most n-1 characters plus a NUL (when
 * n > 0) and returns the length the full output would have had.
 */
int kvsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
