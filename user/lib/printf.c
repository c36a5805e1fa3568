/*
 * libmnos: the printf family (see include/stdio.h for what is supported).
 *
 * One formatter, format(), writes through a sink. For vsnprintf the sink
 * is the caller's buffer, and bytes past its end are counted but dropped
 * (C99's return value is the length the output would have). For vprintf
 * the sink is a chunk on the stack that goes to mn_console_write each time
 * it fills and once at the end.
 */
#include <stdbool.h>
#include <stdint.h>

#include "stdio.h"
#include "string.h"

struct sink {
    char *buf;
    size_t room; /* bytes buf can take (vsnprintf keeps one back for the NUL) */
    size_t used; /* bytes in buf */
    size_t total; /* bytes produced so far, stored or not */
    bool console; /* full: hand buf to the console hook (else drop the rest) */
};

static void sink_flush(struct sink *s)
{
    if (s->console && s->used) {
        mn_console_write(s->buf, s->used);
        s->used = 0;
    }
}

/* Makes room for at least one byte; false when the rest is to be dropped. */
static bool sink_room(struct sink *s)
{
    if (s->used < s->room)
        return true;
    if (!s->console)
        return false;
    sink_flush(s);
    return true;
}

static void sink_put(struct sink *s, const char *p, size_t n)
{
    s->total += n;
    while (n && sink_room(s)) {
        size_t k = s->room - s->used < n ? s->room - s->used : n;
        MN_LIBC(memcpy)(s->buf + s->used, p, k);
        s->used += k;
        p += k;
        n -= k;
    }
}

static void sink_fill(struct sink *s, char c, size_t n)
{
    s->total += n;
    while (n && sink_room(s)) {
        size_t k = s->room - s->used < n ? s->room - s->used : n;
        MN_LIBC(memset)(s->buf + s->used, c, k);
        s->used += k;
        n -= k;
    }
}

/* One conversion's flags, width and precision. */
struct spec {
    bool minus, plus, space, alt, zero;
    size_t width; /* 0: none */
    int prec; /* -1: none */
};

enum length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_T, LEN_J };

/* %zd takes "the signed type of size_t's width" and %tu the unsigned one of ptrdiff_t's. */
_Static_assert(sizeof(ptrdiff_t) == sizeof(size_t), "ptrdiff_t and size_t differ in width");

static intmax_t fetch_signed(va_list *ap, enum length len)
{
    switch (len) {
    case LEN_HH: return (signed char)va_arg(*ap, int);
    case LEN_H: return (short)va_arg(*ap, int);
    case LEN_L: return va_arg(*ap, long);
    case LEN_LL: return va_arg(*ap, long long);
    case LEN_Z:
    case LEN_T: return va_arg(*ap, ptrdiff_t);
    case LEN_J: return va_arg(*ap, intmax_t);
    default: return va_arg(*ap, int);
    }
}

static uintmax_t fetch_unsigned(va_list *ap, enum length len)
{
    switch (len) {
    case LEN_HH: return (unsigned char)va_arg(*ap, unsigned int);
    case LEN_H: return (unsigned short)va_arg(*ap, unsigned int);
    case LEN_L: return va_arg(*ap, unsigned long);
    case LEN_LL: return va_arg(*ap, unsigned long long);
    case LEN_Z:
    case LEN_T: return va_arg(*ap, size_t);
    case LEN_J: return va_arg(*ap, uintmax_t);
    default: return va_arg(*ap, unsigned int);
    }
}

/* Pads a field of len bytes to the width, on the side the '-' flag says. */
static void pad(struct sink *s, const struct spec *sp, size_t len, bool left)
{
    if (sp->width > len && sp->minus != left)
        sink_fill(s, ' ', sp->width - len);
}

static void put_text(struct sink *s, const struct spec *sp, const char *text, size_t len)
{
    pad(s, sp, len, true);
    sink_put(s, text, len);
    pad(s, sp, len, false);
}

/*
 * Prints an integer: [padding][sign or 0x][leading zeros][digits][padding].
 * `negative` and `signed_conv` say whether '-' or the '+'/' ' flags apply.
 */
static void put_integer(struct sink *s, const struct spec *sp, uintmax_t v, bool negative, bool signed_conv,
                        unsigned base, bool upper)
{
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char digits[3 * sizeof(uintmax_t) + 1]; /* octal needs 22 for 64 bits */
    char *end = digits + sizeof digits, *p = end;
    bool nonzero = v != 0;
    /* C: precision 0 and value 0 print no digits at all. */
    if (nonzero || sp->prec != 0) {
        do {
            *--p = set[v % base];
            v /= base;
        } while (v);
    }
    size_t ndigits = (size_t)(end - p);

    char prefix[3];
    size_t nprefix = 0;
    if (negative)
        prefix[nprefix++] = '-';
    else if (signed_conv && sp->plus)
        prefix[nprefix++] = '+';
    else if (signed_conv && sp->space)
        prefix[nprefix++] = ' ';
    if (sp->alt && base == 16 && nonzero) {
        prefix[nprefix++] = '0';
        prefix[nprefix++] = upper ? 'X' : 'x';
    }

    size_t zeros = sp->prec > 0 && (size_t)sp->prec > ndigits ? (size_t)sp->prec - ndigits : 0;
    /* '#' with %o: the first digit printed must be 0. */
    if (sp->alt && base == 8 && zeros == 0 && (ndigits == 0 || *p != '0'))
        zeros = 1;
    size_t len = nprefix + zeros + ndigits;
    /* '0' pads with zeros after the sign, unless '-' or a precision is given. */
    if (sp->zero && !sp->minus && sp->prec < 0 && sp->width > len) {
        zeros += sp->width - len;
        len = sp->width;
    }
    pad(s, sp, len, true);
    sink_put(s, prefix, nprefix);
    sink_fill(s, '0', zeros);
    sink_put(s, p, ndigits);
    pad(s, sp, len, false);
}

/* Reads a decimal field, saturating rather than overflowing. */
static size_t read_number(const char **f)
{
    size_t n = 0;
    for (; **f >= '0' && **f <= '9'; (*f)++)
        n = n > (size_t)__INT_MAX__ ? n : n * 10 + (size_t)(**f - '0');
    return n;
}

static void format(struct sink *s, const char *fmt, va_list ap_in)
{
    va_list ap;
    va_copy(ap, ap_in);
    const char *f = fmt;
    while (*f) {
        if (*f != '%') {
            const char *run = f;
            while (*f && *f != '%')
                f++;
            sink_put(s, run, (size_t)(f - run));
            continue;
        }
        const char *directive = f++;
        struct spec sp = {.prec = -1};
        for (;; f++) {
            if (*f == '-')
                sp.minus = true;
            else if (*f == '+')
                sp.plus = true;
            else if (*f == ' ')
                sp.space = true;
            else if (*f == '#')
                sp.alt = true;
            else if (*f == '0')
                sp.zero = true;
            else
                break;
        }
        if (*f == '*') {
            f++;
            int w = va_arg(ap, int);
            /* A negative * width is the '-' flag and its magnitude. */
            if (w < 0)
                sp.minus = true;
            sp.width = w < 0 ? 0 - (size_t)w : (size_t)w;
        } else {
            sp.width = read_number(&f);
        }
        if (*f == '.') {
            f++;
            if (*f == '*') {
                f++;
                int p = va_arg(ap, int);
                sp.prec = p < 0 ? -1 : p; /* negative: as if none was given */
            } else {
                size_t p = read_number(&f);
                sp.prec = p > (size_t)__INT_MAX__ ? __INT_MAX__ : (int)p;
            }
        }
        enum length len = LEN_NONE;
        switch (*f) {
        case 'h':
            len = f[1] == 'h' ? LEN_HH : LEN_H;
            f += len == LEN_HH ? 2 : 1;
            break;
        case 'l':
            len = f[1] == 'l' ? LEN_LL : LEN_L;
            f += len == LEN_LL ? 2 : 1;
            break;
        case 'z': len = LEN_Z, f++; break;
        case 't': len = LEN_T, f++; break;
        case 'j': len = LEN_J, f++; break;
        default: break;
        }
        char conv = *f;
        if (!conv) { /* the format ends inside a directive: print what there is */
            sink_put(s, directive, (size_t)(f - directive));
            break;
        }
        f++;
        switch (conv) {
        case 'd':
        case 'i': {
            intmax_t v = fetch_signed(&ap, len);
            uintmax_t magnitude = v < 0 ? 0 - (uintmax_t)v : (uintmax_t)v;
            put_integer(s, &sp, magnitude, v < 0, true, 10, false);
            break;
        }
        case 'u': put_integer(s, &sp, fetch_unsigned(&ap, len), false, false, 10, false); break;
        case 'o': put_integer(s, &sp, fetch_unsigned(&ap, len), false, false, 8, false); break;
        case 'x':
        case 'X': put_integer(s, &sp, fetch_unsigned(&ap, len), false, false, 16, conv == 'X'); break;
        case 'p': {
            void *ptr = va_arg(ap, void *);
            if (!ptr) {
                put_text(s, &sp, "(nil)", 5);
                break;
            }
            /* As glibc: %#lx, and the '+' and ' ' flags still apply. */
            sp.alt = true;
            put_integer(s, &sp, (uintptr_t)ptr, false, true, 16, false);
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            put_text(s, &sp, &c, 1);
            break;
        }
        case 's': {
            const char *str = va_arg(ap, const char *);
            if (!str)
                str = "(null)";
            size_t n = sp.prec >= 0 ? MN_LIBC(strnlen)(str, (size_t)sp.prec) : MN_LIBC(strlen)(str);
            put_text(s, &sp, str, n);
            break;
        }
        case '%': sink_put(s, "%", 1); break;
        case 'n':
            /* Its pointer is taken off the list (keeping later arguments in step) but never written. */
            (void)va_arg(ap, void *);
            break;
        default:
            /* %f and friends, unknown letters: shown as written, nothing consumed. */
            sink_put(s, directive, (size_t)(f - directive));
            break;
        }
    }
    va_end(ap);
}

static int result(const struct sink *s)
{
    return s->total > (size_t)__INT_MAX__ ? -1 : (int)s->total;
}

int MN_LIBC(vsnprintf)(char *restrict buf, size_t size, const char *restrict fmt, va_list ap)
{
    struct sink s = {.buf = buf, .room = size ? size - 1 : 0};
    format(&s, fmt, ap);
    if (size)
        buf[s.used] = 0;
    return result(&s);
}

int MN_LIBC(snprintf)(char *restrict buf, size_t size, const char *restrict fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = MN_LIBC(vsnprintf)(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

int MN_LIBC(vsprintf)(char *restrict buf, const char *restrict fmt, va_list ap)
{
    /* "Unbounded": the sink only ever indexes as far as the output goes. */
    struct sink s = {.buf = buf, .room = SIZE_MAX};
    format(&s, fmt, ap);
    buf[s.used] = 0;
    return result(&s);
}

int MN_LIBC(sprintf)(char *restrict buf, const char *restrict fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = MN_LIBC(vsprintf)(buf, fmt, ap);
    va_end(ap);
    return n;
}

int MN_LIBC(vprintf)(const char *restrict fmt, va_list ap)
{
    char chunk[MN_STDIO_CHUNK];
    struct sink s = {.buf = chunk, .room = sizeof chunk, .console = true};
    format(&s, fmt, ap);
    sink_flush(&s);
    return result(&s);
}

int MN_LIBC(printf)(const char *restrict fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = MN_LIBC(vprintf)(fmt, ap);
    va_end(ap);
    return n;
}

int MN_LIBC(puts)(const char *s)
{
    char chunk[MN_STDIO_CHUNK];
    struct sink out = {.buf = chunk, .room = sizeof chunk, .console = true};
    sink_put(&out, s, MN_LIBC(strlen)(s));
    sink_put(&out, "\n", 1);
    sink_flush(&out);
    return result(&out) < 0 ? __INT_MAX__ : result(&out);
}

int MN_LIBC(putchar)(int c)
{
    char byte = (char)c;
    mn_console_write(&byte, 1);
    return (unsigned char)byte;
}
