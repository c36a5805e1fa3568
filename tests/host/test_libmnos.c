/*
 * libmnos's portable core (user/lib: string.c, printf.c, malloc.c,
 * stdlib.c, include/ctype.h) against the host's glibc.
 *
 * Built with -DMN_LIBC_PREFIX (see user/lib/include/mn_libc.h): libmnos's
 * functions are mnt_memcpy, mnt_malloc, mnt_printf ..., so the host libc
 * that ASan, UBSan and this program use stays intact and serves as the
 * reference. The platform hooks the library needs are defined here: the
 * heap grows in a static 64 MiB arena, the console is a buffer, and heap
 * corruption is recorded instead of aborting.
 */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "host_test.h"

/* Truncating strncpy/strncat calls are the point of the string tests. */
#pragma GCC diagnostic ignored "-Wstringop-truncation"

/* libmnos's headers, by path: they declare the mnt_ names next to glibc's. */
#include "../../user/lib/include/ctype.h"
#include "../../user/lib/include/stdio.h"
#include "../../user/lib/include/stdlib.h"
#include "../../user/lib/include/string.h"

/* ---- the platform hooks ------------------------------------------------ */

#define ARENA_SIZE (64u << 20)
static unsigned char arena[ARENA_SIZE] __attribute__((aligned(4096)));
static size_t arena_used, arena_limit = ARENA_SIZE;
static size_t morecore_calls, morecore_bad_sizes;

void *mn_heap_morecore(size_t bytes)
{
    morecore_calls++;
    if (bytes == 0 || bytes % 4096)
        morecore_bad_sizes++;
    if (bytes > arena_limit - arena_used)
        return NULL;
    void *p = arena + arena_used;
    arena_used += bytes;
    return p;
}

static const char *corrupt_why;
static int corrupt_count;

void mn_heap_corrupt(const char *why)
{
    corrupt_why = why;
    corrupt_count++;
}

static char console[1 << 16];
static size_t console_len, console_calls;

void mn_console_write(const char *s, size_t n)
{
    console_calls++;
    if (n == 0 || n > MN_STDIO_CHUNK)
        console_calls += 1000000; /* breaks every call-count check */
    if (n <= sizeof console - console_len) {
        memcpy(console + console_len, s, n);
        console_len += n;
    }
}

static void console_reset(void)
{
    console_len = console_calls = 0;
}

/* A deterministic generator (xorshift64*), so a failure reproduces. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static size_t rnd_below(size_t n)
{
    return n ? (size_t)(rnd() % n) : 0;
}

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

/* ---- printf ------------------------------------------------------------ */

static int formats_compared;

/*
 * Formats with both libraries into full-size and truncating buffers (size
 * 0 with a NULL buffer, 1, 2, half, exact, exact + 1) and compares the
 * return values and every byte of the buffers, including the untouched
 * bytes past `size`.
 */
static int vsame(const char *fmt, va_list ap)
{
    char ref[600], ours[600];
    va_list c;
    va_copy(c, ap);
    int full = vsnprintf(ref, sizeof ref, fmt, c);
    va_end(c);
    if (full < 0 || full >= (int)sizeof ref - 1) {
        printf("  format \"%s\": reference output too long for the test\n", fmt);
        return 0;
    }
    size_t sizes[] = {sizeof ref, 0, 1, 2, (size_t)full / 2, (size_t)full, (size_t)full + 1};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t size = sizes[i];
        memset(ref, 0x5a, sizeof ref);
        memset(ours, 0x5a, sizeof ours);
        va_copy(c, ap);
        int n1 = mnt_vsnprintf(size ? ours : NULL, size, fmt, c);
        va_end(c);
        va_copy(c, ap);
        int n2 = vsnprintf(size ? ref : NULL, size, fmt, c);
        va_end(c);
        if (n1 != n2 || memcmp(ours, ref, sizeof ref) != 0) {
            printf("  format \"%s\" size %zu: ours \"%.*s\" (%d), libc \"%.*s\" (%d)\n", fmt, size, n1 > 0 ? n1 : 0,
                   ours, n1, n2 > 0 ? n2 : 0, ref, n2);
            return 0;
        }
    }
    formats_compared++;
    return 1;
}

static int same(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int same(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int ok = vsame(fmt, ap);
    va_end(ap);
    return ok;
}

/* Hides a format from gcc's checks, for flag combinations it warns about but C defines. */
static const char *volatile unchecked_fmt;
static const char *unchecked(const char *fmt)
{
    unchecked_fmt = fmt;
    return unchecked_fmt;
}

/* What ours prints for a format glibc handles differently (floats). */
static int ours_is(const char *want, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = mnt_vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n != (int)strlen(want) || strcmp(buf, want) != 0) {
        printf("  format \"%s\": ours \"%s\" (%d), want \"%s\"\n", fmt, buf, n, want);
        return 0;
    }
    return 1;
}

static void test_printf(void)
{
    HT_CASE("printf-integers")
    {
        HT_CHECK(same("%d %i %u", 0, -1, 4294967295u), "basic");
        HT_CHECK(same("%d %d", INT_MIN, INT_MAX), "int limits");
        HT_CHECK(same("%ld %ld %lu", LONG_MIN, LONG_MAX, ULONG_MAX), "long limits");
        HT_CHECK(same("%lld %lld %llu", LLONG_MIN, LLONG_MAX, ULLONG_MAX), "long long limits");
        HT_CHECK(same("%hhd %hhu %hhd %hhx", 300, 511, -129, 0x1ff), "char length");
        HT_CHECK(same("%hd %hu %hd %hx", 70000, 70000, -32769, -1), "short length");
        HT_CHECK(same("%zu %zd %zx", SIZE_MAX, (ssize_t)-5, (size_t)0xabc), "size_t");
        HT_CHECK(same("%td %tx", (ptrdiff_t)-7, (ptrdiff_t)255), "ptrdiff_t");
        HT_CHECK(same("%jd %ju %jx", INTMAX_MIN, UINTMAX_MAX, (uintmax_t)1 << 63), "intmax_t");
        HT_CHECK(same("%u %lu", 0u, 0ul), "zero unsigned");
    }
    HT_CASE("printf-flags")
    {
        HT_CHECK(same("[%5d] [%-5d] [%05d] [%+d] [% d]", 42, 42, 42, 42, 42), "positive");
        HT_CHECK(same("[%5d] [%-5d] [%05d] [%+d] [% d]", -42, -42, -42, -42, -42), "negative");
        HT_CHECK(same(unchecked("[%+ d] [% +d] [%-08d] [%0-8d] [%-+8d]"), 7, 7, 7, 7, 7), "flag mixes");
        HT_CHECK(same(unchecked("[%-08d] [%-08d]"), -3, 12345678), "%%-08d");
        HT_CHECK(same("[%+.3d] [%+.3d] [% .3d]", 7, -7, 7), "%%+.3d");
        HT_CHECK(same("[%.0d] [%5.0d] [%-5.0d] [%+.0d] [% .0d]", 0, 0, 0, 0, 0), "0 with precision 0");
        HT_CHECK(same("[%.0u] [%.0x] [%.0o]", 0u, 0u, 0u), "unsigned 0 with precision 0");
        HT_CHECK(same(unchecked("[%08.3d] [%08.3x] [%010.0d]"), 5, 0xabu, 0), "0 flag ignored with a precision");
        HT_CHECK(same("[%.10d] [%20.15d] [%-20.15d]", INT_MIN, INT_MIN, -1), "precision beyond digits");
        HT_CHECK(same("[%020lld] [%+020lld] [% 020lld]", LLONG_MIN, LLONG_MAX, 1LL), "zero padding with sign");
        HT_CHECK(same("[%1d] [%2d]", 12345, -1), "width below length");
        HT_CHECK(same("[%300d]", 1), "wide field");
        HT_CHECK(same(unchecked("[%+u] [% u] [%+x] [% o]"), 5u, 5u, 5u, 5u), "sign flags ignored for unsigned");
    }
    HT_CASE("printf-hex-octal")
    {
        HT_CHECK(same("%x %X %o", 0xdeadbeefu, 0xdeadbeefu, 0777u), "plain");
        HT_CHECK(same("%#x %#X %#o", 255u, 255u, 8u), "alternate");
        HT_CHECK(same("[%#o] [%#x] [%#X]", 0u, 0u, 0u), "%%#o and %%#x of 0");
        HT_CHECK(same("[%#.0o] [%#.0x] [%#.3o] [%#.1o] [%#5o]", 0u, 0u, 8u, 8u, 8u), "alternate with precision");
        HT_CHECK(same("[%#08x] [%-#8x] [%#8X] [%#08o]", 255u, 255u, 255u, 8u), "alternate with width");
        HT_CHECK(same("%o %llo %#llx %llX", UINT_MAX, ULLONG_MAX, ULLONG_MAX, 0xfedcba9876543210ull), "wide");
        HT_CHECK(same("[%.5x] [%8.5X] [%-8.5o]", 0xabu, 0xabu, 8u), "precision");
        HT_CHECK(same("%016lx %lx", 0xffffffff80000000ul, 0ul), "64-bit");
    }
    HT_CASE("printf-star")
    {
        HT_CHECK(same("[%*d] [%-*d] [%.*d]", 6, 1, 6, 1, 4, 1), "star width and precision");
        HT_CHECK(same("[%*d] [%*x]", -6, 1, -4, 0xau), "negative star width is '-'");
        HT_CHECK(same("[%.*d] [%.*s] [%8.*x]", -1, 5, -3, "abcdef", -2, 0xffu), "negative star precision is none");
        HT_CHECK(same("[%*.*d] [%-*.*s]", 8, 3, 42, 7, 2, "abcdef"), "both stars");
        HT_CHECK(same("[%*s] [%*c]", 10, "ab", 3, 'q'), "star with strings and chars");
        HT_CHECK(same("[%0*d]", 6, -12), "star with zero flag");
    }
    HT_CASE("printf-strings-chars")
    {
        HT_CHECK(same("[%s] [%10s] [%-10s] [%.2s] [%10.2s]", "abc", "abc", "abc", "abc", "abc"), "strings");
        HT_CHECK(same("[%5.2s] [%-5.2s] [%.0s] [%.10s]", "abcdef", "abcdef", "abc", "abc"), "%%5.2s");
        HT_CHECK(same("[%s] [%5s] [%-3s]", "", "", ""), "empty");
        const char *null_string = NULL;
        HT_CHECK(same(unchecked("[%s] [%10s] [%-8s]"), null_string, null_string, null_string), "%%s of NULL");
        char unterminated[3] = {'x', 'y', 'z'};
        HT_CHECK(same("[%.3s] [%.2s]", unterminated, unterminated), "precision bounds the read (ASan checks)");
        HT_CHECK(same("[%c] [%3c] [%-3c] [%%] [%c]", 'x', 'y', 'z', 0xff), "chars");
        HT_CHECK(same("a%cb%-3cc", 0, 0), "NUL characters");
        HT_CHECK(same("%s=%d, %s=%#x, %c%c%%", "alpha", -1, "beta", 48879u, 'o', 'k'), "mixed");
        HT_CHECK(same("no conversions at all"), "literal");
        HT_CHECK(same("%s", "a long string that is longer than some of the truncated buffer sizes"), "long");
    }
    HT_CASE("printf-pointers")
    {
        HT_CHECK(same("%p", (void *)NULL), "%%p of NULL");
        HT_CHECK(same(unchecked("[%10p] [%-10p] [%.2p]"), (void *)NULL, (void *)NULL, (void *)NULL), "NULL padded");
        HT_CHECK(same("%p %p", (void *)0x1234, (void *)UINTPTR_MAX), "pointers");
        HT_CHECK(same(unchecked("[%20p] [%-20p] [%.20p] [%020p]"), (void *)0xabc, (void *)0xabc, (void *)0xabc,
                      (void *)0xabc),
                 "pointer width and precision");
        HT_CHECK(same(unchecked("[%+p] [% p]"), (void *)0x10, (void *)0x10), "pointer sign flags (as glibc)");
    }
    HT_CASE("printf-unsupported")
    {
        HT_CHECK(ours_is("[%f]", "[%f]", 1.5), "%%f printed literally");
        HT_CHECK(ours_is("x%5.2fy7", "x%5.2fy%d", 1.0, 7), "%%f consumes nothing: the int after it still prints");
        HT_CHECK(ours_is("%e %g %E %G %a 3", "%e %g %E %G %a %d", 1.0, 1.0, 1.0, 1.0, 1.0, 3), "other floats");
        HT_CHECK(ours_is("%q %y", unchecked("%q %y")), "unknown conversions");
        HT_CHECK(ours_is("abc%-5", unchecked("abc%-5")), "format ending inside a directive");
        HT_CHECK(ours_is("%", unchecked("%")), "lone %%");
        int stored = 1234;
        HT_CHECK(ours_is("ab5", unchecked("ab%n%d"), &stored, 5), "%%n consumes its pointer");
        HT_CHECK(stored == 1234, "%%n stored something");
    }
    HT_CASE("printf-truncation")
    {
        char buf[8];
        memset(buf, 'z', sizeof buf);
        HT_CHECK(mnt_snprintf(buf, 4, "%d", 123456) == 6 && strcmp(buf, "123") == 0 && buf[4] == 'z', "size 4");
        HT_CHECK(mnt_snprintf(buf, 1, "%s", "abc") == 3 && buf[0] == 0 && buf[1] == '2', "size 1");
        HT_CHECK(mnt_snprintf(NULL, 0, "%s%d", "abc", 42) == 5, "size 0 with NULL");
        memset(buf, 'z', sizeof buf);
        HT_CHECK(mnt_snprintf(buf, 0, "x") == 1 && buf[0] == 'z', "size 0 writes nothing");
        HT_CHECK(mnt_snprintf(buf, sizeof buf, "%s", "") == 0 && buf[0] == 0, "empty output");
    }
    HT_CASE("sprintf")
    {
        char ours[64], ref[64];
        int n1 = mnt_sprintf(ours, "%s|%-6d|%#x", "sp", -5, 0x1fu);
        int n2 = sprintf(ref, "%s|%-6d|%#x", "sp", -5, 0x1fu);
        HT_CHECK(n1 == n2 && strcmp(ours, ref) == 0, "sprintf: \"%s\" vs \"%s\"", ours, ref);
    }
    HT_CASE("printf-random-integers")
    {
        /* Random flags, widths, precisions, lengths and values, each compared with glibc. */
        static const char *const convs[] = {"d", "i", "u", "x", "X", "o", "lld", "llu", "llx", "hd", "hhu", "zu"};
        static const char *const flagsets[] = {"", "-", "+", " ", "#", "0", "-+", "+0", " 0", "#0", "-#", "+ 0#"};
        int bad = 0;
        for (int i = 0; i < 20000 && !bad; i++) {
            char fmt[64];
            const char *conv = convs[rnd_below(12)];
            const char *flags = flagsets[rnd_below(12)];
            int width = (int)rnd_below(25) - 1, prec = (int)rnd_below(25) - 2;
            char wbuf[8] = "", pbuf[8] = "";
            if (width >= 0)
                snprintf(wbuf, sizeof wbuf, "%d", width);
            if (prec >= -1)
                snprintf(pbuf, sizeof pbuf, prec == -1 ? "." : ".%d", prec);
            snprintf(fmt, sizeof fmt, "[%%%s%s%s%s]", flags, wbuf, pbuf, conv);
            uint64_t v = rnd() >> rnd_below(64);
            if (rnd() & 1)
                v = 0 - v;
            if (conv[0] == 'l' || conv[0] == 'z')
                bad = !same(unchecked(fmt), (unsigned long long)v);
            else
                bad = !same(unchecked(fmt), (unsigned)v);
        }
        HT_CHECK(!bad, "a random format differs (printed above)");
    }
    printf("  %d formats compared with glibc at 7 buffer sizes each\n", formats_compared);
}

static void test_console(void)
{
    HT_CASE("printf-console")
    {
        console_reset();
        int n = mnt_printf("hello %s %d\n", "world", 42);
        HT_CHECK(n == 15 && console_len == 15 && memcmp(console, "hello world 42\n", 15) == 0, "text");
        HT_CHECK(console_calls == 1, "a line is one hook call, not %zu", console_calls);

        console_reset();
        char ref[1100];
        n = mnt_printf("%1000d|%s", 7, "end");
        int want = snprintf(ref, sizeof ref, "%1000d|%s", 7, "end");
        HT_CHECK(n == want && console_len == (size_t)want && memcmp(console, ref, (size_t)want) == 0, "long text");
        size_t chunks = ((size_t)want + MN_STDIO_CHUNK - 1) / MN_STDIO_CHUNK;
        HT_CHECK(console_calls == chunks, "%d bytes took %zu hook calls, want %zu", want, console_calls, chunks);

        console_reset();
        HT_CHECK(mnt_printf("%s", "") == 0 && console_calls == 0, "empty output makes no hook call");
        HT_CHECK(mnt_puts("line") >= 0 && console_len == 5 && memcmp(console, "line\n", 5) == 0, "puts");
        HT_CHECK(console_calls == 1, "puts is one hook call");
        console_reset();
        HT_CHECK(mnt_putchar('x') == 'x' && mnt_putchar(0x1ff) == 0xff && mnt_putchar(-1) == 0xff, "putchar result");
        HT_CHECK(console_len == 3 && memcmp(console, "x\xff\xff", 3) == 0, "putchar bytes");
    }
}

/* ---- string routines ---------------------------------------------------- */

#define BUF 8192
static unsigned char buf_a[BUF], buf_b[BUF], buf_c[BUF];

static void fill_random(unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)rnd();
}

/* Lengths biased to small ones, where the edge cases are, with some big ones. */
static size_t random_length(size_t max)
{
    static const size_t caps[] = {16, 69, 599, SIZE_MAX - 1};
    size_t cap = caps[rnd_below(4)];
    return rnd_below((cap < max ? cap : max) + 1);
}

/* A string of `len` bytes from a small alphabet (so that comparisons share prefixes), or any non-NUL byte. */
static void random_string(char *s, size_t len, int alphabet)
{
    for (size_t i = 0; i < len; i++)
        s[i] = alphabet ? (char)('a' + rnd_below((size_t)alphabet)) : (char)(1 + rnd_below(255));
    s[len] = 0;
}

static size_t ref_strlcpy(char *dst, const char *src, size_t size)
{
    size_t len = strlen(src);
    if (size) {
        size_t n = len < size - 1 ? len : size - 1;
        memcpy(dst, src, n);
        dst[n] = 0;
    }
    return len;
}

static void test_memory_routines(void)
{
    HT_CASE("memcpy-memset-random")
    {
        int bad = 0;
        for (int i = 0; i < 20000 && !bad; i++) {
            fill_random(buf_a, 1200);
            memcpy(buf_b, buf_a, 1200);
            fill_random(buf_c, 1200);
            size_t d = rnd_below(64), s = rnd_below(64), n = random_length(1024);
            void *r = mnt_memcpy(buf_a + d, buf_c + s, n);
            memcpy(buf_b + d, buf_c + s, n);
            if (r != buf_a + d || memcmp(buf_a, buf_b, 1200) != 0) {
                HT_CHECK(0, "memcpy dst+%zu src+%zu n=%zu", d, s, n);
                bad = 1;
            }
            int c = (int)rnd_below(1024) - 256; /* only (unsigned char)c counts */
            d = rnd_below(64);
            n = random_length(1024);
            r = mnt_memset(buf_a + d, c, n);
            memset(buf_b + d, c, n);
            if (r != buf_a + d || memcmp(buf_a, buf_b, 1200) != 0) {
                HT_CHECK(0, "memset dst+%zu c=%d n=%zu", d, c, n);
                bad = 1;
            }
        }
    }
    HT_CASE("memmove-overlap-random")
    {
        int bad = 0;
        for (int i = 0; i < 30000 && !bad; i++) {
            fill_random(buf_a, 2200);
            memcpy(buf_b, buf_a, 2200);
            /* Offsets within a few words of each other, often overlapping either way. */
            size_t s = rnd_below(1000), n = random_length(1024);
            size_t d = rnd() & 1 ? rnd_below(1000) : s + rnd_below(48) - (s >= 24 ? 24 : s);
            void *r = mnt_memmove(buf_a + d, buf_a + s, n);
            memmove(buf_b + d, buf_b + s, n);
            if (r != buf_a + d || memcmp(buf_a, buf_b, 2200) != 0) {
                HT_CHECK(0, "memmove dst+%zu src+%zu n=%zu", d, s, n);
                bad = 1;
            }
        }
    }
    HT_CASE("memcmp-memchr-random")
    {
        int bad = 0;
        for (int i = 0; i < 30000 && !bad; i++) {
            size_t n = random_length(1024), oa = rnd_below(32), ob = rnd_below(32);
            fill_random(buf_a + oa, n);
            memcpy(buf_b + ob, buf_a + oa, n);
            if (n && rnd() % 4)
                buf_b[ob + rnd_below(n)] = (unsigned char)rnd(); /* bytes >= 0x80 test unsigned order */
            if (sign(mnt_memcmp(buf_a + oa, buf_b + ob, n)) != sign(memcmp(buf_a + oa, buf_b + ob, n))) {
                HT_CHECK(0, "memcmp n=%zu", n);
                bad = 1;
            }
            int c = rnd() & 1 ? (int)rnd_below(256) : buf_a[oa + rnd_below(n + 1)];
            if (rnd() % 8 == 0)
                c += 256; /* converted to unsigned char */
            if (mnt_memchr(buf_a + oa, c, n) != memchr(buf_a + oa, c, n)) {
                HT_CHECK(0, "memchr n=%zu c=%d", n, c);
                bad = 1;
            }
        }
    }
}

static void test_string_routines(void)
{
    char *sa = (char *)buf_a, *sb = (char *)buf_b;
    HT_CASE("strlen-strcmp-random")
    {
        int bad = 0;
        for (int i = 0; i < 30000 && !bad; i++) {
            size_t oa = rnd_below(16), ob = rnd_below(16);
            size_t la = random_length(2000), lb = rnd() & 1 ? la : random_length(2000);
            int alphabet = (int)rnd_below(4); /* 0: any byte, else 1..3 letters */
            random_string(sa + oa, la, alphabet);
            if (rnd() & 1) { /* b is a (possibly shortened or changed) copy of a */
                memcpy(sb + ob, sa + oa, la + 1);
                lb = la;
                if (la && rnd() & 1)
                    sb[ob + rnd_below(la)] = (char)(1 + rnd_below(255));
                if (la && rnd() & 1)
                    sb[ob + (lb = rnd_below(la))] = 0;
            } else {
                random_string(sb + ob, lb, alphabet);
            }
            const char *a = sa + oa, *b = sb + ob;
            size_t max = rnd_below(la + 3);
            size_t n = rnd_below(la + 3);
            if (mnt_strlen(a) != strlen(a) || mnt_strnlen(a, max) != strnlen(a, max) ||
                sign(mnt_strcmp(a, b)) != sign(strcmp(a, b)) || sign(mnt_strncmp(a, b, n)) != sign(strncmp(a, b, n))) {
                HT_CHECK(0, "strlen/strnlen/strcmp/strncmp la=%zu lb=%zu max=%zu n=%zu", la, lb, max, n);
                bad = 1;
            }
        }
    }
    HT_CASE("strchr-strstr-spans-random")
    {
        int bad = 0;
        for (int i = 0; i < 30000 && !bad; i++) {
            size_t oa = rnd_below(16), la = random_length(600);
            random_string(sa + oa, la, 1 + (int)rnd_below(4));
            const char *s = sa + oa;
            int c = rnd() % 8 == 0 ? 0 : 'a' + (int)rnd_below(5);
            char needle[8], set[8];
            random_string(needle, rnd_below(6), 1 + (int)rnd_below(3));
            random_string(set, rnd_below(5), 5);
            if (mnt_strchr(s, c) != strchr(s, c) || mnt_strrchr(s, c) != strrchr(s, c) ||
                mnt_strstr(s, needle) != strstr(s, needle) || mnt_strspn(s, set) != strspn(s, set) ||
                mnt_strcspn(s, set) != strcspn(s, set)) {
                HT_CHECK(0, "strchr/strrchr/strstr/strspn/strcspn len=%zu c=%d needle=\"%s\" set=\"%s\"", la, c, needle,
                         set);
                bad = 1;
            }
        }
        HT_CHECK(mnt_strchr("abc", 'a' + 256) == strchr("abc", 'a' + 256), "strchr converts c to char");
        HT_CHECK(mnt_strspn("\377\376a", "\376\377") == 2, "strspn with bytes >= 0x80");
    }
    HT_CASE("strcpy-strcat-family-random")
    {
        int bad = 0;
        char *dst_ours = (char *)buf_c, *dst_ref = sb;
        for (int i = 0; i < 20000 && !bad; i++) {
            size_t ls = random_length(500), ld = random_length(500);
            char src[520], start[520];
            random_string(src, ls, 0);
            random_string(start, ld, 0);
            size_t n = rnd_below(ls + 10);
            memset(dst_ours, 0x77, 2048);
            memset(dst_ref, 0x77, 2048);
            const char *what = "";
            switch (rnd_below(6)) {
            case 0:
                what = "strcpy";
                bad = mnt_strcpy(dst_ours, src) != dst_ours;
                strcpy(dst_ref, src);
                break;
            case 1:
                what = "strncpy";
                bad = mnt_strncpy(dst_ours, src, n) != dst_ours;
                strncpy(dst_ref, src, n);
                break;
            case 2:
                what = "strlcpy";
                bad = mnt_strlcpy(dst_ours, src, n) != ref_strlcpy(dst_ref, src, n);
                break;
            case 3:
                what = "strcat";
                strcpy(dst_ours, start);
                strcpy(dst_ref, start);
                bad = mnt_strcat(dst_ours, src) != dst_ours;
                strcat(dst_ref, src);
                break;
            default:
                what = "strncat";
                strcpy(dst_ours, start);
                strcpy(dst_ref, start);
                bad = mnt_strncat(dst_ours, src, n) != dst_ours;
                strncat(dst_ref, src, n);
                break;
            }
            if (bad || memcmp(dst_ours, dst_ref, 2048) != 0) {
                HT_CHECK(0, "%s src len %zu, dst len %zu, n=%zu", what, ls, ld, n);
                bad = 1;
            }
        }
        char small[4] = "zzz";
        HT_CHECK(mnt_strlcpy(small, "abcdef", 0) == 6 && small[0] == 'z', "strlcpy size 0 writes nothing");
    }
    HT_CASE("strdup-strndup")
    {
        char *a = mnt_strdup("libmnos");
        char *b = mnt_strndup("libmnos", 3);
        char *c = mnt_strndup("ab", 10);
        char *e = mnt_strdup("");
        HT_CHECK(a && strcmp(a, "libmnos") == 0, "strdup");
        HT_CHECK(b && strcmp(b, "lib") == 0, "strndup truncates");
        HT_CHECK(c && strcmp(c, "ab") == 0, "strndup of a shorter string");
        HT_CHECK(e && e[0] == 0, "strdup of \"\"");
        HT_CHECK(mn_malloc_usable_size(b) >= 4, "strndup allocated through libmnos's malloc");
        mnt_free(a);
        mnt_free(b);
        mnt_free(c);
        mnt_free(e);
        HT_CHECK(corrupt_count == 0, "freeing strdup's blocks: %s", corrupt_why);
    }
}

/* ---- ctype ---------------------------------------------------------------- */

static void test_ctype(void)
{
    HT_CASE("ctype")
    {
        /* The host runs in the "C" locale (nothing called setlocale): the same classes. */
        for (int c = -1; c < 256; c++) {
            HT_CHECK(!mnt_isdigit(c) == !isdigit(c), "isdigit(%d)", c);
            HT_CHECK(!mnt_isspace(c) == !isspace(c), "isspace(%d)", c);
            HT_CHECK(!mnt_isalpha(c) == !isalpha(c), "isalpha(%d)", c);
            HT_CHECK(!mnt_isalnum(c) == !isalnum(c), "isalnum(%d)", c);
            HT_CHECK(!mnt_isupper(c) == !isupper(c), "isupper(%d)", c);
            HT_CHECK(!mnt_islower(c) == !islower(c), "islower(%d)", c);
            HT_CHECK(!mnt_isxdigit(c) == !isxdigit(c), "isxdigit(%d)", c);
            HT_CHECK(!mnt_isprint(c) == !isprint(c), "isprint(%d)", c);
            HT_CHECK(mnt_toupper(c) == toupper(c), "toupper(%d)", c);
            HT_CHECK(mnt_tolower(c) == tolower(c), "tolower(%d)", c);
        }
    }
}

/* ---- strtol family ----------------------------------------------------- */

static int strto_checked;

/* Parses s in `base` with all four functions of both libraries; values and end pointers must agree. */
static int strto_same(const char *s, int base)
{
    char *e1, *e2;
    long l1 = mnt_strtol(s, &e1, base), l2 = strtol(s, &e2, base);
    if (l1 != l2 || e1 != e2) {
        printf("  strtol(\"%s\", %d): ours %ld end +%td, libc %ld end +%td\n", s, base, l1, e1 - s, l2, e2 - s);
        return 0;
    }
    unsigned long u1 = mnt_strtoul(s, &e1, base), u2 = strtoul(s, &e2, base);
    if (u1 != u2 || e1 != e2) {
        printf("  strtoul(\"%s\", %d): ours %lu end +%td, libc %lu end +%td\n", s, base, u1, e1 - s, u2, e2 - s);
        return 0;
    }
    long long ll1 = mnt_strtoll(s, &e1, base), ll2 = strtoll(s, &e2, base);
    unsigned long long ull1 = mnt_strtoull(s, NULL, base), ull2 = strtoull(s, NULL, base);
    if (ll1 != ll2 || e1 != e2 || ull1 != ull2) {
        printf("  strtoll/strtoull(\"%s\", %d) differ\n", s, base);
        return 0;
    }
    strto_checked++;
    return 1;
}

static void test_strtol(void)
{
    /* Syntax: white space, signs, prefixes, bases, where the digits stop, no digits at all. */
    static const char *const syntax[] = {
        "0",    "1",     "-1",  "+1",      "  42", "\t\n\v\f\r 7x", "-0",   "+-1",   "-+1",
        "",     "   ",   "-",   "+",       "x",    "12abc",         "0x",   "0X",    "0x1f",
        "0X1F", "-0x10", "0xg", "0x 1",    "00x1", "077",           "08",   "0b101", "1010",
        "z",    "Z",     "zz",  "   -  5", "5 ",   "\3771",         "1\377"};
    /* Pairs: a value at a limit of int, long, unsigned long or the widest type, and one past it. */
    static const char *const limits[][2] = {{"2147483647", "2147483648"},
                                            {"-2147483648", "-2147483649"},
                                            {"4294967295", "4294967296"},
                                            {"9223372036854775807", "9223372036854775808"},
                                            {"-9223372036854775808", "-9223372036854775809"},
                                            {"18446744073709551615", "18446744073709551616"},
                                            {"-18446744073709551615", "-18446744073709551616"},
                                            {"0xffffffffffffffff", "0x10000000000000000"},
                                            {"-0x8000000000000000", "-0x8000000000000001"},
                                            {"1777777777777777777777", "2000000000000000000000"},
                                            {"3w5e11264sgsf", "3w5e11264sgsg"},
                                            {"1y2p0ij32e8e7", "1y2p0ij32e8e8"},
                                            {"99999999999999999999999999999", "-99999999999999999999999999999"}};
    static const int bases[] = {0, 2, 3, 8, 10, 16, 35, 36};
    HT_CASE("strtol-table")
    {
        for (size_t j = 0; j < sizeof bases / sizeof bases[0]; j++) {
            for (size_t i = 0; i < sizeof syntax / sizeof syntax[0]; i++)
                HT_CHECK(strto_same(syntax[i], bases[j]), "\"%s\" base %d", syntax[i], bases[j]);
            for (size_t i = 0; i < 2 * sizeof limits / sizeof limits[0]; i++)
                HT_CHECK(strto_same(limits[i / 2][i % 2], bases[j]), "\"%s\" base %d", limits[i / 2][i % 2], bases[j]);
        }
    }
    HT_CASE("strtol-random")
    {
        int bad = 0;
        for (int i = 0; i < 50000 && !bad; i++) {
            char s[64];
            size_t k = 0;
            int base = (int)rnd_below(37);
            if (base == 1)
                base = 10;
            while (rnd() % 4 == 0)
                s[k++] = " \t\n"[rnd_below(3)];
            if (rnd() & 1)
                s[k++] = "+-"[rnd_below(2)];
            if ((base == 0 || base == 16) && rnd() % 3 == 0) {
                s[k++] = '0';
                s[k++] = "xX"[rnd_below(2)];
            }
            int digits = base ? base : 16;
            for (size_t n = rnd_below(24); n; n--) {
                unsigned d = (unsigned)rnd_below((size_t)digits + 1); /* sometimes one past the base */
                s[k++] = (char)(d < 10 ? '0' + d : (rnd() & 1 ? 'a' : 'A') + d - 10);
            }
            s[k] = 0;
            bad = !strto_same(s, base);
        }
        HT_CHECK(!bad, "a random string differs (printed above)");
        printf("  %d strings parsed by both libraries\n", strto_checked);
    }
    HT_CASE("strtol-invalid-base-atoi-abs")
    {
        const char *s = "123";
        char *end = NULL;
        HT_CHECK(mnt_strtol(s, &end, 1) == 0 && end == s, "base 1");
        HT_CHECK(mnt_strtoul(s, &end, 37) == 0 && end == s, "base 37");
        HT_CHECK(mnt_strtoll(s, &end, -2) == 0 && end == s, "negative base");
        HT_CHECK(mnt_strtol("  12", NULL, 10) == 12, "NULL endptr");
        HT_CHECK(mnt_atoi("  -123abc") == -123 && mnt_atoi("x") == 0 && mnt_atoi("2147483647") == INT_MAX, "atoi");
        HT_CHECK(mnt_atol("-9223372036854775808") == LONG_MIN && mnt_atol("+77") == 77, "atol");
        HT_CHECK(mnt_abs(-5) == 5 && mnt_abs(INT_MAX) == INT_MAX && mnt_abs(0) == 0, "abs");
        HT_CHECK(mnt_labs(-LONG_MAX) == LONG_MAX && mnt_llabs(-3LL) == 3, "labs/llabs");
    }
}

/* ---- qsort and bsearch ---------------------------------------------------- */

static size_t comparisons;

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    comparisons++;
    return (x > y) - (x < y);
}

static int cmp_byte(const void *a, const void *b)
{
    return *(const unsigned char *)a - *(const unsigned char *)b;
}

/* A 24-byte element whose payload must travel with its key. */
struct record {
    int key;
    int index;
    char check[16];
};

static int cmp_record(const void *a, const void *b)
{
    const struct record *x = a, *y = b;
    return (x->key > y->key) - (x->key < y->key);
}

/* A 3-byte element: odd sizes exercise the byte part of the swap. */
static int cmp_3(const void *a, const void *b)
{
    return memcmp(a, b, 3);
}

enum shape { RANDOM, SORTED, REVERSED, EQUAL, FEW, ORGAN_PIPE, SHAPES };
static const char *const shape_names[] = {"random", "sorted", "reversed", "equal", "few distinct", "organ pipe"};

static void make_input(int *a, size_t n, enum shape shape)
{
    for (size_t i = 0; i < n; i++) {
        switch (shape) {
        case RANDOM: a[i] = (int)rnd(); break;
        case SORTED: a[i] = (int)i; break;
        case REVERSED: a[i] = (int)(n - i); break;
        case EQUAL: a[i] = 7; break;
        case FEW: a[i] = (int)rnd_below(3); break;
        default: a[i] = (int)(i < n / 2 ? i : n - i); break;
        }
    }
}

static int *sort_ours, *sort_ref;

static void test_qsort(void)
{
    static const size_t sizes[] = {0, 1, 2, 3, 5, 12, 13, 14, 100, 1000, 100000};
    sort_ours = malloc(100000 * sizeof(int));
    sort_ref = malloc(100000 * sizeof(int));
    HT_CASE("qsort-shapes")
    {
        for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
            size_t n = sizes[si];
            for (int shape = 0; shape < SHAPES; shape++) {
                make_input(sort_ours, n, shape);
                memcpy(sort_ref, sort_ours, n * sizeof(int));
                qsort(sort_ref, n, sizeof(int), cmp_int);
                comparisons = 0;
                mnt_qsort(sort_ours, n, sizeof(int), cmp_int);
                HT_CHECK(memcmp(sort_ours, sort_ref, n * sizeof(int)) == 0, "%s input of %zu", shape_names[shape], n);
                /* n log2 n with a generous constant: quadratic behaviour would blow far past it. */
                size_t log2n = 1;
                while (((size_t)1 << log2n) < n)
                    log2n++;
                HT_CHECK(comparisons <= 4 * n * log2n + 64, "%s input of %zu took %zu comparisons", shape_names[shape],
                         n, comparisons);
            }
        }
    }
    HT_CASE("qsort-element-sizes")
    {
        static struct record recs[5000];
        for (size_t i = 0; i < 5000; i++) {
            recs[i].key = (int)rnd_below(500);
            recs[i].index = (int)i;
            snprintf(recs[i].check, sizeof recs[i].check, "%d/%zu", recs[i].key, i);
        }
        mnt_qsort(recs, 5000, sizeof recs[0], cmp_record);
        for (size_t i = 0; i < 5000; i++) {
            char want[16];
            snprintf(want, sizeof want, "%d/%d", recs[i].key, recs[i].index);
            HT_CHECK(strcmp(want, recs[i].check) == 0, "record %zu moved apart from its key", i);
            HT_CHECK(i == 0 || recs[i - 1].key <= recs[i].key, "records out of order at %zu", i);
        }
        unsigned char bytes[3000], ref[3000];
        fill_random(bytes, sizeof bytes);
        memcpy(ref, bytes, sizeof bytes);
        mnt_qsort(bytes, sizeof bytes, 1, cmp_byte);
        qsort(ref, sizeof ref, 1, cmp_byte);
        HT_CHECK(memcmp(bytes, ref, sizeof bytes) == 0, "1-byte elements");
        fill_random(bytes, sizeof bytes);
        memcpy(ref, bytes, sizeof bytes);
        mnt_qsort(bytes, 1000, 3, cmp_3);
        qsort(ref, 1000, 3, cmp_3);
        HT_CHECK(memcmp(bytes, ref, sizeof bytes) == 0, "3-byte elements");
    }
    HT_CASE("bsearch")
    {
        for (size_t i = 0; i < 1000; i++)
            sort_ours[i] = (int)(2 * i);
        for (int key = -1; key <= 2000; key++) {
            int *hit = mnt_bsearch(&key, sort_ours, 1000, sizeof(int), cmp_int);
            if (key >= 0 && key <= 1998 && key % 2 == 0)
                HT_CHECK(hit && *hit == key, "key %d not found", key);
            else
                HT_CHECK(hit == NULL, "absent key %d found", key);
        }
        int key = 3;
        HT_CHECK(mnt_bsearch(&key, sort_ours, 0, sizeof(int), cmp_int) == NULL, "empty array");
        int one = 3;
        HT_CHECK(mnt_bsearch(&key, &one, 1, sizeof(int), cmp_int) == &one, "one element");
    }
    free(sort_ours);
    free(sort_ref);
}

/* ---- the allocator ---------------------------------------------------- */

static int heap_ok(void)
{
    const char *why = mn_heap_check();
    if (why)
        printf("  mn_heap_check: %s\n", why);
    return why == NULL;
}

static int aligned16(const void *p)
{
    return ((uintptr_t)p & 15) == 0;
}

static struct mn_heap_stats stats(void)
{
    struct mn_heap_stats s;
    mn_heap_stats(&s);
    return s;
}

/* Expects exactly one corruption report since the last reset, mentioning `word`. */
static int reported(const char *word)
{
    int ok = corrupt_count == 1 && corrupt_why && strstr(corrupt_why, word);
    if (!ok)
        printf("  corruption reports: %d, last \"%s\", want one about \"%s\"\n", corrupt_count,
               corrupt_why ? corrupt_why : "", word);
    corrupt_count = 0;
    corrupt_why = NULL;
    return ok;
}

static void test_malloc_basics(void)
{
    HT_CASE("malloc-basics")
    {
        void *z1 = mnt_malloc(0), *z2 = mnt_malloc(0);
        HT_CHECK(z1 && z2 && z1 != z2, "malloc(0) gives distinct blocks");
        for (size_t n = 1; n <= 300; n++) {
            unsigned char *p = mnt_malloc(n);
            HT_CHECK(p && aligned16(p), "malloc(%zu) = %p", n, (void *)p);
            HT_CHECK(mn_malloc_usable_size(p) >= n, "usable size of malloc(%zu)", n);
            memset(p, 0xab, n);
            mnt_free(p);
        }
        mnt_free(NULL);
        mnt_free(z1);
        mnt_free(z2);
        struct mn_heap_stats s = stats();
        HT_CHECK(s.allocations == 0 && s.bytes_in_use == 0, "nothing left in use");
        HT_CHECK(s.free_blocks == 0 && s.top_size == s.heap_size, "everything merged back into the top");
        HT_CHECK(s.bytes_free == s.heap_size, "free bytes");
        HT_CHECK(heap_ok(), "heap consistent");
        HT_CHECK(mn_malloc_usable_size(NULL) == 0, "usable size of NULL");
    }
    HT_CASE("coalescing-neighbours")
    {
        /* Four neighbours carved from the top, then freed in an order that needs merging both ways. */
        char *a = mnt_malloc(1000), *b = mnt_malloc(1000), *c = mnt_malloc(1000), *d = mnt_malloc(1000);
        size_t step = (size_t)(b - a);
        HT_CHECK(c - b == (ptrdiff_t)step && d - c == (ptrdiff_t)step, "neighbours are adjacent");
        mnt_free(a);
        mnt_free(c);
        HT_CHECK(stats().free_blocks == 2, "two separate free blocks");
        mnt_free(b); /* merges with a below and c above */
        HT_CHECK(stats().free_blocks == 1, "a, b and c merged into one block");
        HT_CHECK(heap_ok(), "heap consistent after merging");
        char *big = mnt_malloc(3 * step - 16);
        HT_CHECK(big == a, "the merged block serves a request of all three");
        char *small = mnt_malloc(100);
        HT_CHECK(small > d, "no free block was left behind");
        mnt_free(big);
        mnt_free(small);
        mnt_free(d);
        struct mn_heap_stats s = stats();
        HT_CHECK(s.free_blocks == 0 && s.top_size == s.heap_size, "a block freed next to the top goes back to it");
        HT_CHECK(heap_ok(), "heap consistent");
    }
    HT_CASE("free-lists-reuse")
    {
        /* A freed small block is reused for the next request of its size: O(1) from its list. */
        void *guard1 = mnt_malloc(10);
        void *p = mnt_malloc(200);
        void *guard2 = mnt_malloc(10);
        mnt_free(p);
        void *q = mnt_malloc(200);
        HT_CHECK(p == q, "same-size block reused");
        mnt_free(q);
        void *r = mnt_malloc(40); /* split from the 200-byte block */
        HT_CHECK(r == p, "larger free block split");
        HT_CHECK(heap_ok(), "heap consistent");
        mnt_free(r);
        mnt_free(guard1);
        mnt_free(guard2);
        HT_CHECK(stats().allocations == 0 && stats().free_blocks == 0, "all freed and merged");
    }
}

static void test_realloc(void)
{
    HT_CASE("realloc")
    {
        char *p = mnt_realloc(NULL, 100);
        HT_CHECK(p && aligned16(p), "realloc(NULL, n) allocates");
        for (int i = 0; i < 100; i++)
            p[i] = (char)i;
        char *q = mnt_realloc(p, 40);
        HT_CHECK(q == p, "shrinking stays in place");
        q = mnt_realloc(p, 5000);
        HT_CHECK(q == p, "growing into the top stays in place");
        int kept = 1;
        for (int i = 0; i < 40; i++)
            kept &= q[i] == (char)i;
        HT_CHECK(kept, "contents kept");

        char *blocker = mnt_malloc(100);
        char *moved = mnt_realloc(q, 20000);
        HT_CHECK(moved && moved != q, "growing past a used neighbour moves");
        kept = 1;
        for (int i = 0; i < 40; i++)
            kept &= moved[i] == (char)i;
        HT_CHECK(kept, "contents moved");

        /* q's old place is free now; x, y and z are split from it, side by side. */
        char *below = mnt_malloc(100);
        HT_CHECK(below == q, "the moved block's old place is reused");
        HT_CHECK(heap_ok(), "heap consistent");
        char *x = mnt_malloc(300), *y = mnt_malloc(300), *z = mnt_malloc(300);
        mnt_free(y);
        char *x2 = mnt_realloc(x, 550);
        HT_CHECK(x2 == x, "growing into a free neighbour stays in place");
        HT_CHECK(heap_ok(), "heap consistent after growing into a neighbour");

        size_t before = stats().allocations;
        HT_CHECK(mnt_realloc(z, 0) == NULL, "realloc(p, 0) returns NULL");
        HT_CHECK(stats().allocations == before - 1, "realloc(p, 0) frees p");
        HT_CHECK(mnt_realloc(x2, SIZE_MAX) == NULL, "impossible size fails");
        HT_CHECK(mn_malloc_usable_size(x2) >= 550, "and leaves the block alone");
        mnt_free(x2);
        mnt_free(below);
        mnt_free(blocker);
        mnt_free(moved);
        HT_CHECK(corrupt_count == 0, "no corruption reported");
        HT_CHECK(stats().allocations == 0 && heap_ok(), "all freed");
    }
}

static void test_memalign_calloc(void)
{
    HT_CASE("memalign")
    {
        void *blocks[200];
        for (int i = 0; i < 200; i++) {
            size_t align = (size_t)1 << (1 + rnd_below(16)); /* 2 .. 64 KiB */
            size_t n = 1 + rnd_below(3000);
            blocks[i] = mn_memalign(align, n);
            HT_CHECK(blocks[i] && ((uintptr_t)blocks[i] & (align - 1)) == 0 && aligned16(blocks[i]),
                     "mn_memalign(%zu, %zu) = %p", align, n, blocks[i]);
            HT_CHECK(mn_malloc_usable_size(blocks[i]) >= n, "usable size");
            memset(blocks[i], 0xcd, n);
            if (i % 3 == 0) {
                mnt_free(blocks[i]);
                blocks[i] = NULL;
            }
        }
        HT_CHECK(heap_ok(), "heap consistent with aligned blocks");
        for (int i = 0; i < 200; i++)
            mnt_free(blocks[i]);
        HT_CHECK(mn_memalign(0, 10) == NULL && mn_memalign(48, 10) == NULL && mn_memalign(3, 10) == NULL,
                 "alignment not a power of two");
        void *a = mnt_aligned_alloc(4096, 100);
        HT_CHECK(a && ((uintptr_t)a & 4095) == 0, "aligned_alloc");
        mnt_free(a);
        HT_CHECK(stats().allocations == 0 && heap_ok(), "all freed");
    }
    HT_CASE("calloc")
    {
        unsigned char *dirty = mnt_malloc(5000);
        memset(dirty, 0xff, 5000);
        mnt_free(dirty);
        unsigned char *p = mnt_calloc(1000, 5);
        int zero = p != NULL;
        for (size_t i = 0; p && i < 5000; i++)
            zero &= p[i] == 0;
        HT_CHECK(zero, "calloc zeroes reused memory");
        mnt_free(p);
        HT_CHECK(mnt_calloc(SIZE_MAX / 2 + 1, 2) == NULL, "calloc overflow returns NULL");
        HT_CHECK(mnt_calloc((size_t)1 << 33, (size_t)1 << 33) == NULL, "calloc overflow (2^66)");
        HT_CHECK(mnt_calloc(SIZE_MAX, SIZE_MAX) == NULL, "calloc overflow (SIZE_MAX^2)");
        void *none = mnt_calloc(0, 100);
        HT_CHECK(none != NULL, "calloc(0, n) is a minimal block");
        mnt_free(none);
        HT_CHECK(mnt_malloc(SIZE_MAX) == NULL && mnt_malloc(SIZE_MAX / 2) == NULL, "impossible sizes");
        HT_CHECK(mnt_malloc(ARENA_SIZE) == NULL, "more than the arena: morecore says no");
        HT_CHECK(corrupt_count == 0 && heap_ok(), "running out is not corruption");
        HT_CHECK(stats().allocations == 0, "all freed");
    }
}

/* The bytes of a block: word k of block `id` is a mix of both, so blocks that overlap show up. */
static inline uint64_t pattern_word(uint64_t id, size_t k)
{
    return (id * 0x9e3779b97f4a7c15ull) ^ (k * 0xbf58476d1ce4e5b9ull) ^ 0x5555;
}

static inline unsigned char pattern_byte(uint64_t id, size_t offset)
{
    return (unsigned char)(pattern_word(id, offset / 8) >> (8 * (offset % 8)));
}

static void fill_pattern(unsigned char *p, size_t from, size_t to, uint64_t id)
{
    for (; from < to && from % 8; from++)
        p[from] = pattern_byte(id, from);
    for (; from + 8 <= to; from += 8)
        *(uint64_t *)(p + from) = pattern_word(id, from / 8);
    for (; from < to; from++)
        p[from] = pattern_byte(id, from);
}

static int check_pattern(const unsigned char *p, size_t from, size_t to, uint64_t id)
{
    for (; from < to && from % 8; from++) {
        if (p[from] != pattern_byte(id, from))
            return 0;
    }
    for (; from + 8 <= to; from += 8) {
        if (*(const uint64_t *)(p + from) != pattern_word(id, from / 8))
            return 0;
    }
    for (; from < to; from++) {
        if (p[from] != pattern_byte(id, from))
            return 0;
    }
    return 1;
}

/* Mostly small sizes, some medium, a few up to 1 MiB: the mix a program has. */
static size_t stress_size(void)
{
    size_t r = rnd_below(1000);
    if (r < 880)
        return 1 + rnd_below(512);
    if (r < 985)
        return 1 + rnd_below(64 << 10);
    return 1 + rnd_below(1 << 20);
}

#define STRESS_OPS 300000
#define STRESS_SLOTS 2048

struct slot {
    unsigned char *p;
    size_t n;
    uint64_t id;
};
static struct slot slots[STRESS_SLOTS];

static void test_stress(void)
{
    size_t peak_in_use = 0;
    HT_CASE("malloc-stress")
    {
        uint64_t next_id = 1;
        size_t live = 0, ops[5] = {0};
        int bad = 0;
        for (int i = 0; i < STRESS_OPS && !bad; i++) {
            struct slot *s = &slots[rnd_below(STRESS_SLOTS)];
            if (!s->p) {
                size_t n = stress_size(), kind = rnd_below(10);
                if (kind < 7) {
                    s->p = mnt_malloc(n);
                    ops[0]++;
                } else if (kind < 9) {
                    s->p = mnt_calloc(1, n);
                    ops[1]++;
                    for (size_t k = 0; s->p && k < n; k++) {
                        if (s->p[k]) {
                            HT_CHECK(0, "op %d: calloc(1, %zu) not zeroed at %zu", i, n, k);
                            bad = 1;
                            break;
                        }
                    }
                } else {
                    size_t align = (size_t)32 << rnd_below(8);
                    s->p = mn_memalign(align, n);
                    ops[2]++;
                    if (s->p && ((uintptr_t)s->p & (align - 1))) {
                        HT_CHECK(0, "op %d: mn_memalign(%zu) misaligned", i, align);
                        bad = 1;
                    }
                }
                if (!s->p) {
                    HT_CHECK(0, "op %d: allocating %zu bytes failed with %zu live", i, n, live);
                    bad = 1;
                    break;
                }
                if (!aligned16(s->p) || mn_malloc_usable_size(s->p) < n) {
                    HT_CHECK(0, "op %d: block %p of %zu bytes misaligned or short", i, (void *)s->p, n);
                    bad = 1;
                }
                s->n = n;
                s->id = next_id++;
                fill_pattern(s->p, 0, n, s->id);
                live++;
            } else {
                if (!check_pattern(s->p, 0, s->n, s->id)) {
                    HT_CHECK(0, "op %d: block %llu (%zu bytes) was overwritten", i, (unsigned long long)s->id, s->n);
                    bad = 1;
                    break;
                }
                if (rnd() & 1) {
                    mnt_free(s->p);
                    s->p = NULL;
                    live--;
                    ops[3]++;
                } else {
                    size_t n = rnd() & 1 ? stress_size() : s->n + rnd_below(256);
                    unsigned char *q = mnt_realloc(s->p, n);
                    ops[4]++;
                    if (!q || !aligned16(q)) {
                        HT_CHECK(0, "op %d: realloc to %zu failed or misaligned", i, n);
                        bad = 1;
                        break;
                    }
                    size_t kept = n < s->n ? n : s->n;
                    if (!check_pattern(q, 0, kept, s->id)) {
                        HT_CHECK(0, "op %d: realloc %zu -> %zu lost the contents", i, s->n, n);
                        bad = 1;
                        break;
                    }
                    fill_pattern(q, kept, n, s->id);
                    s->p = q;
                    s->n = n;
                }
            }
            struct mn_heap_stats st = stats();
            if (st.bytes_in_use > peak_in_use)
                peak_in_use = st.bytes_in_use;
            if (i % 10000 == 0) {
                if (!heap_ok() || st.allocations != live) {
                    HT_CHECK(0, "op %d: heap inconsistent (%zu allocations, %zu live)", i, st.allocations, live);
                    bad = 1;
                }
            }
        }
        for (size_t i = 0; i < STRESS_SLOTS; i++) {
            if (slots[i].p) {
                HT_CHECK(check_pattern(slots[i].p, 0, slots[i].n, slots[i].id), "final check of slot %zu", i);
                mnt_free(slots[i].p);
                slots[i].p = NULL;
            }
        }
        HT_CHECK(corrupt_count == 0, "corruption reported: %s", corrupt_why);
        HT_CHECK(heap_ok(), "heap consistent after the stress");
        printf("  stress: %zu malloc, %zu calloc, %zu memalign, %zu free, %zu realloc; peak %zu KiB in use, "
               "heap %zu KiB\n",
               ops[0], ops[1], ops[2], ops[3], ops[4], peak_in_use >> 10, stats().heap_size >> 10);
    }
    HT_CASE("coalescing-after-stress")
    {
        struct mn_heap_stats s = stats();
        HT_CHECK(s.allocations == 0 && s.bytes_in_use == 0, "everything freed");
        HT_CHECK(s.free_blocks == 0 && s.top_size == s.heap_size, "every free block merged back into the top");
        /* Fragmentation stayed bounded: the heap never grew far beyond what was live at the peak. */
        HT_CHECK(s.heap_size <= 2 * peak_in_use + (4u << 20), "heap %zu KiB for a peak of %zu KiB", s.heap_size >> 10,
                 peak_in_use >> 10);
        HT_CHECK(morecore_bad_sizes == 0, "every morecore request was a page multiple");
        size_t calls = morecore_calls;
        void *huge = mnt_malloc(ARENA_SIZE - 4096);
        HT_CHECK(huge != NULL, "one allocation of the whole arena succeeds");
        HT_CHECK(morecore_calls - calls <= 2, "by growing the top once");
        mnt_free(huge);
        s = stats();
        HT_CHECK(s.allocations == 0 && s.free_blocks == 0 && heap_ok(), "and goes back");
    }
}

static void test_corruption(void)
{
    HT_CASE("double-free")
    {
        corrupt_count = 0;
        char *p = mnt_malloc(64);
        char *guard = mnt_malloc(64);
        mnt_free(p);
        mnt_free(p);
        HT_CHECK(reported("double free"), "double free of a block on a list");
        HT_CHECK(mnt_realloc(p, 100) == NULL, "realloc of a freed block fails");
        HT_CHECK(reported("freed"), "realloc of a freed block");
        HT_CHECK(heap_ok(), "heap intact");

        /* b merges into the free a below it: its stale header must still read as freed. */
        char *a = mnt_malloc(100), *b = mnt_malloc(100), *c = mnt_malloc(100);
        mnt_free(a);
        mnt_free(b);
        mnt_free(b);
        HT_CHECK(reported("double free"), "double free of a block merged into its neighbour");
        mnt_free(c);
        mnt_free(c); /* c merged into the top */
        HT_CHECK(reported("double free"), "double free of a block merged into the top");
        mnt_free(guard);
        HT_CHECK(heap_ok() && stats().allocations == 0, "heap intact");
    }
    HT_CASE("invalid-pointers")
    {
        corrupt_count = 0;
        char *p = mnt_malloc(200);
        memset(p, 0x11, 200);
        int on_stack;
        mnt_free(&on_stack);
        HT_CHECK(reported("not from malloc"), "stack pointer");
        mnt_free(p + 1);
        HT_CHECK(reported("not from malloc"), "misaligned pointer");
        mnt_free(p + 32);
        HT_CHECK(reported("not from malloc"), "pointer into the middle of a block");
        mnt_free(arena + ARENA_SIZE - 16);
        HT_CHECK(reported("not from malloc"), "pointer past the top");
        HT_CHECK(mnt_realloc(&on_stack, 10) == NULL, "realloc of a foreign pointer fails");
        HT_CHECK(reported("not from malloc"), "realloc of a foreign pointer");
        HT_CHECK(heap_ok() && stats().allocations == 1, "heap intact and p still allocated");
        mnt_free(p);
        HT_CHECK(corrupt_count == 0 && stats().allocations == 0, "p frees normally");
    }
    HT_CASE("overwritten-headers")
    {
        corrupt_count = 0;
        char *p = mnt_malloc(40), *q = mnt_malloc(40), *guard = mnt_malloc(40);
        size_t usable = mn_malloc_usable_size(p);
        unsigned char saved[16];
        /* An overrun of p that reaches q's header is caught when p is freed. */
        memcpy(saved, p + usable, 16);
        memset(p + usable, 0x41, 16);
        mnt_free(p);
        HT_CHECK(reported("neighbouring"), "overrun into the next header");
        memcpy(p + usable, saved, 16);
        /* q's size field smashed, its tag intact. */
        memcpy(saved, q - 16, 8);
        memset(q - 16, 0xff, 8);
        mnt_free(q);
        HT_CHECK(reported("header overwritten"), "own header overwritten");
        memcpy(q - 16, saved, 8);
        HT_CHECK(heap_ok(), "heap intact once repaired");
        mnt_free(p);
        mnt_free(q);
        mnt_free(guard);
        HT_CHECK(corrupt_count == 0 && stats().allocations == 0 && heap_ok(), "repaired blocks free normally");
    }
}

int main(void)
{
    HT_BEGIN("libmnos");
    test_printf();
    test_console();
    test_memory_routines();
    test_string_routines();
    test_ctype();
    test_strtol();
    test_qsort();
    test_malloc_basics();
    test_realloc();
    test_memalign_calloc();
    test_stress();
    test_corruption();
    return HT_END();
}
