/*
 * printf-style formatting without libc. One engine (fmt_vformat) feeds a
 * per-character callback, so the same code backs the serial log, the
 * framebuffer console, ksnprintf and the host unit tests, which compare its
 * output with the host libc's snprintf.
 */
#include "lib/format.h"

#include <stdbool.h>
#include <stdint.h>

enum {
    FLAG_LEFT = 1,
    FLAG_ZERO = 2,
    FLAG_PLUS = 4,
    FLAG_SPACE = 8,
    FLAG_ALT = 16,
};

struct fmt_state {
    fmt_out_fn out;
    void *ctx;
    int count;
};

static void emit(struct fmt_state *st, char c)
{
    st->out(st->ctx, c);
    st->count++;
}

static void emit_repeat(struct fmt_state *st, char c, int n)
{
    while (n-- > 0)
        emit(st, c);
}

/* Prints an unsigned magnitude with sign/prefix, width and precision. */
static void emit_number(struct fmt_state *st, uint64_t v, unsigned base, bool upper, bool negative, int flags,
                        int width, int precision)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char buf[24];
    int len = 0;

    if (!(precision == 0 && v == 0)) {
        do {
            buf[len++] = digits[v % base];
            v /= base;
        } while (v);
    }

    const char *prefix = "";
    if (negative)
        prefix = "-";
    else if (flags & FLAG_PLUS)
        prefix = "+";
    else if (flags & FLAG_SPACE)
        prefix = " ";
    if ((flags & FLAG_ALT) && base == 16 && len > 0 && !(len == 1 && buf[0] == '0'))
        prefix = upper ? "0X" : "0x";
    int prefix_len = 0;
    while (prefix[prefix_len])
        prefix_len++;

    int zeros = 0;
    if (precision >= 0) {
        if (precision > len)
            zeros = precision - len;
    } else if ((flags & FLAG_ZERO) && !(flags & FLAG_LEFT)) {
        int room = width - prefix_len - len;
        if (room > 0)
            zeros = room;
    }
    if ((flags & FLAG_ALT) && base == 8 && zeros == 0 && (len == 0 || buf[len - 1] != '0'))
        zeros = 1;

    int pad = width - prefix_len - zeros - len;
    if (!(flags & FLAG_LEFT))
        emit_repeat(st, ' ', pad);
    for (int i = 0; i < prefix_len; i++)
        emit(st, prefix[i]);
    emit_repeat(st, '0', zeros);
    while (len > 0)
        emit(st, buf[--len]);
    if (flags & FLAG_LEFT)
        emit_repeat(st, ' ', pad);
}

static void emit_string(struct fmt_state *st, const char *s, int flags, int width, int precision)
{
    if (!s)
        s = "(null)";
    int len = 0;
    while (s[len] && (precision < 0 || len < precision))
        len++;
    if (!(flags & FLAG_LEFT))
        emit_repeat(st, ' ', width - len);
    for (int i = 0; i < len; i++)
        emit(st, s[i]);
    if (flags & FLAG_LEFT)
        emit_repeat(st, ' ', width - len);
}

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE, LEN_MAX, LEN_PTRDIFF };

static uint64_t fetch_unsigned(va_list *ap, enum length len)
{
    switch (len) {
    case LEN_CHAR: return (unsigned char)va_arg(*ap, unsigned int);
    case LEN_SHORT: return (unsigned short)va_arg(*ap, unsigned int);
    case LEN_LONG: return va_arg(*ap, unsigned long);
    case LEN_LLONG: return va_arg(*ap, unsigned long long);
    case LEN_SIZE: return va_arg(*ap, size_t);
    case LEN_MAX: return va_arg(*ap, uintmax_t);
    case LEN_PTRDIFF: return (uint64_t)va_arg(*ap, ptrdiff_t);
    default: return va_arg(*ap, unsigned int);
    }
}

static int64_t fetch_signed(va_list *ap, enum length len)
{
    switch (len) {
    case LEN_CHAR: return (signed char)va_arg(*ap, int);
    case LEN_SHORT: return (short)va_arg(*ap, int);
    case LEN_LONG: return va_arg(*ap, long);
    case LEN_LLONG: return va_arg(*ap, long long);
    case LEN_SIZE: return (int64_t)va_arg(*ap, size_t);
    case LEN_MAX: return va_arg(*ap, intmax_t);
    case LEN_PTRDIFF: return va_arg(*ap, ptrdiff_t);
    default: return va_arg(*ap, int);
    }
}

int fmt_vformat(fmt_out_fn out, void *ctx, const char *fmt, va_list ap_in)
{
    struct fmt_state st = {out, ctx, 0};
    va_list ap;
    va_copy(ap, ap_in);

    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            emit(&st, *p);
            continue;
        }
        const char *start = p++;
        int flags = 0;
        for (;; p++) {
            if (*p == '-')
                flags |= FLAG_LEFT;
            else if (*p == '0')
                flags |= FLAG_ZERO;
            else if (*p == '+')
                flags |= FLAG_PLUS;
            else if (*p == ' ')
                flags |= FLAG_SPACE;
            else if (*p == '#')
                flags |= FLAG_ALT;
            else
                break;
        }
        int width = 0;
        if (*p == '*') {
            width = va_arg(ap, int);
            if (width < 0) {
                flags |= FLAG_LEFT;
                width = -width;
            }
            p++;
        } else {
            while (*p >= '0' && *p <= '9')
                width = width * 10 + (*p++ - '0');
        }
        int precision = -1;
        if (*p == '.') {
            p++;
            precision = 0;
            if (*p == '*') {
                precision = va_arg(ap, int);
                p++;
            } else {
                while (*p >= '0' && *p <= '9')
                    precision = precision * 10 + (*p++ - '0');
            }
        }
        enum length len = LEN_INT;
        if (*p == 'h') {
            len = LEN_SHORT;
            if (*++p == 'h') {
                len = LEN_CHAR;
                p++;
            }
        } else if (*p == 'l') {
            len = LEN_LONG;
            if (*++p == 'l') {
                len = LEN_LLONG;
                p++;
            }
        } else if (*p == 'z') {
            len = LEN_SIZE;
            p++;
        } else if (*p == 'j') {
            len = LEN_MAX;
            p++;
        } else if (*p == 't') {
            len = LEN_PTRDIFF;
            p++;
        }

        switch (*p) {
        case 'd':
        case 'i': {
            int64_t v = fetch_signed(&ap, len);
            uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
            emit_number(&st, mag, 10, false, v < 0, flags, width, precision);
            break;
        }
        case 'u': emit_number(&st, fetch_unsigned(&ap, len), 10, false, false, flags, width, precision); break;
        case 'x': emit_number(&st, fetch_unsigned(&ap, len), 16, false, false, flags, width, precision); break;
        case 'X': emit_number(&st, fetch_unsigned(&ap, len), 16, true, false, flags, width, precision); break;
        case 'o': emit_number(&st, fetch_unsigned(&ap, len), 8, false, false, flags, width, precision); break;
        case 'p': {
            uintptr_t v = (uintptr_t)va_arg(ap, void *);
            if (!v) {
                emit_string(&st, "(nil)", flags, width, -1);
                break;
            }
            emit_number(&st, v, 16, false, false, flags | FLAG_ALT, width, precision);
            break;
        }
        case 's': emit_string(&st, va_arg(ap, const char *), flags, width, precision); break;
        case 'c': {
            char c[2] = {(char)va_arg(ap, int), 0};
            if (!(flags & FLAG_LEFT))
                emit_repeat(&st, ' ', width - 1);
            emit(&st, c[0]);
            if (flags & FLAG_LEFT)
                emit_repeat(&st, ' ', width - 1);
            break;
        }
        case '%': emit(&st, '%'); break;
        default:
            /* Unknown conversion: print it verbatim so the mistake shows. */
            for (const char *q = start; q <= p && *q; q++)
                emit(&st, *q);
            if (!*p)
                p--;
            break;
        }
    }
    va_end(ap);
    return st.count;
}

struct buf_ctx {
    char *buf;
    size_t size;
    size_t pos;
};

static void buf_out(void *ctx, char c)
{
    struct buf_ctx *b = ctx;
    if (b->pos + 1 < b->size)
        b->buf[b->pos] = c;
    b->pos++;
}

int kvsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
    struct buf_ctx b = {buf, n, 0};
    int count = fmt_vformat(buf_out, &b, fmt, ap);
    if (n > 0)
        buf[b.pos < n ? b.pos : n - 1] = 0;
    return count;
}

int ksnprintf(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = kvsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return r;
}
