/*
 * libmnos: memory and string routines (see include/string.h).
 *
 * memcpy, memmove and memset move eight bytes at a time once the
 * destination is aligned, written in C rather than as `rep movsb`:
 *  - MinimalOS runs under QEMU TCG by default, which emulates `rep movsb`
 *    one byte per iteration, while a 64-bit mov is a single operation;
 *  - most copies in a microkernel's userland are small (IPC messages,
 *    names, headers), where `rep movsb` pays a start-up cost on CPUs
 *    without "fast short rep mov";
 *  - the same code builds for any target and, in the host tests, ASan and
 *    UBSan see each access (inline assembly is invisible to them).
 * Loads from the source may be unaligned (x86_64 allows it at no cost;
 * the unaligned_word type tells the compiler and UBSan so).
 *
 * The string routines go byte by byte: a word-at-a-time strlen reads past
 * the terminator, harmless on x86 within a page but an error to ASan.
 */
#include <stdint.h>

#include "stdlib.h"
#include "string.h"

/*
 * gcc recognises the copy and fill loops below as memcpy/memset and would
 * replace them with calls to memcpy/memset, i.e. to themselves. glibc
 * marks its own routines the same way.
 */
#define MN_NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))

typedef uint64_t __attribute__((may_alias, aligned(1))) unaligned_word;
typedef uint64_t __attribute__((may_alias)) aligned_word;
#define WORD sizeof(uint64_t)
/* Below this size the alignment prologue costs more than it saves. */
#define WORD_MIN (2 * WORD)

static inline int misaligned(const void *p)
{
    return ((uintptr_t)p & (WORD - 1)) != 0;
}

/*
 * Copies low to high. Also correct for overlapping buffers when d < s:
 * every group of words is loaded before it is stored, and later loads are
 * above everything stored so far.
 */
MN_NO_LIBCALL static void copy_forward(unsigned char *d, const unsigned char *s, size_t n)
{
    if (n >= WORD_MIN) {
        while (misaligned(d)) {
            *d++ = *s++;
            n--;
        }
        for (; n >= 4 * WORD; n -= 4 * WORD, d += 4 * WORD, s += 4 * WORD) {
            const unaligned_word *src = (const unaligned_word *)s;
            uint64_t w0 = src[0], w1 = src[1], w2 = src[2], w3 = src[3];
            aligned_word *dst = (aligned_word *)d;
            dst[0] = w0;
            dst[1] = w1;
            dst[2] = w2;
            dst[3] = w3;
        }
        for (; n >= WORD; n -= WORD, d += WORD, s += WORD)
            *(aligned_word *)d = *(const unaligned_word *)s;
    }
    while (n--)
        *d++ = *s++;
}

/* Copies high to low: the mirror image, correct for overlap when d > s. */
MN_NO_LIBCALL static void copy_backward(unsigned char *d, const unsigned char *s, size_t n)
{
    d += n;
    s += n;
    if (n >= WORD_MIN) {
        while (misaligned(d)) {
            *--d = *--s;
            n--;
        }
        for (; n >= 4 * WORD; n -= 4 * WORD) {
            d -= 4 * WORD;
            s -= 4 * WORD;
            const unaligned_word *src = (const unaligned_word *)s;
            uint64_t w0 = src[0], w1 = src[1], w2 = src[2], w3 = src[3];
            aligned_word *dst = (aligned_word *)d;
            dst[3] = w3;
            dst[2] = w2;
            dst[1] = w1;
            dst[0] = w0;
        }
        for (; n >= WORD; n -= WORD) {
            d -= WORD;
            s -= WORD;
            *(aligned_word *)d = *(const unaligned_word *)s;
        }
    }
    while (n--)
        *--d = *--s;
}

MN_NO_LIBCALL void *MN_LIBC(memcpy)(void *restrict dst, const void *restrict src, size_t n)
{
    copy_forward(dst, src, n);
    return dst;
}

MN_NO_LIBCALL void *MN_LIBC(memmove)(void *dst, const void *src, size_t n)
{
    /*
     * As unsigned numbers, dst - src >= n exactly when dst is below src or
     * at or past its end: then a forward copy never overwrites a byte it
     * has yet to read. Comparing integers also avoids the undefined
     * relational comparison of pointers into different objects.
     */
    uintptr_t distance = (uintptr_t)dst - (uintptr_t)src;
    if (distance == 0)
        return dst;
    if (distance >= n)
        copy_forward(dst, src, n);
    else
        copy_backward(dst, src, n);
    return dst;
}

MN_NO_LIBCALL void *MN_LIBC(memset)(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    unsigned char byte = (unsigned char)c;
    if (n >= WORD_MIN) {
        uint64_t w = 0x0101010101010101ull * byte;
        while (misaligned(d)) {
            *d++ = byte;
            n--;
        }
        for (; n >= 4 * WORD; n -= 4 * WORD, d += 4 * WORD) {
            aligned_word *p = (aligned_word *)d;
            p[0] = w;
            p[1] = w;
            p[2] = w;
            p[3] = w;
        }
        for (; n >= WORD; n -= WORD, d += WORD)
            *(aligned_word *)d = w;
    }
    while (n--)
        *d++ = byte;
    return dst;
}

int MN_LIBC(memcmp)(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    /* Skip equal words quickly; the byte loop then finds the first difference. */
    while (n >= WORD && *(const unaligned_word *)x == *(const unaligned_word *)y) {
        x += WORD;
        y += WORD;
        n -= WORD;
    }
    for (; n; n--, x++, y++) {
        if (*x != *y)
            return *x < *y ? -1 : 1;
    }
    return 0;
}

void *MN_LIBC(memchr)(const void *s, int c, size_t n)
{
    const unsigned char *p = s;
    unsigned char byte = (unsigned char)c;
    for (; n; n--, p++) {
        if (*p == byte)
            return (void *)p;
    }
    return NULL;
}

size_t MN_LIBC(strlen)(const char *s)
{
    const char *p = s;
    while (*p)
        p++;
    return (size_t)(p - s);
}

size_t MN_LIBC(strnlen)(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

int MN_LIBC(strcmp)(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    while (*x && *x == *y) {
        x++;
        y++;
    }
    return (*x > *y) - (*x < *y);
}

int MN_LIBC(strncmp)(const char *a, const char *b, size_t n)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    for (; n; n--, x++, y++) {
        if (*x != *y)
            return *x < *y ? -1 : 1;
        if (!*x)
            return 0;
    }
    return 0;
}

char *MN_LIBC(strchr)(const char *s, int c)
{
    char ch = (char)c;
    for (;; s++) {
        if (*s == ch)
            return (char *)s;
        if (!*s)
            return NULL;
    }
}

char *MN_LIBC(strrchr)(const char *s, int c)
{
    char ch = (char)c;
    const char *last = NULL;
    for (;; s++) {
        if (*s == ch)
            last = s;
        if (!*s)
            return (char *)last;
    }
}

/*
 * The plain algorithm: try each place the needle's first byte occurs.
 * O(strlen(haystack) * strlen(needle)) at worst (e.g. "aaa...ab" in
 * "aaa...a"), which is fine for the short strings of command lines and
 * paths; a two-way search would be the upgrade if that ever matters.
 */
char *MN_LIBC(strstr)(const char *haystack, const char *needle)
{
    if (!needle[0])
        return (char *)haystack;
    size_t len = MN_LIBC(strlen)(needle);
    for (const char *h = haystack; (h = MN_LIBC(strchr)(h, needle[0])) != NULL; h++) {
        if (MN_LIBC(strncmp)(h, needle, len) == 0)
            return (char *)h;
    }
    return NULL;
}

/* A set of bytes, one bit each, so that spans cost O(strlen(s) + strlen(set)). */
struct byte_set {
    uint64_t bits[4];
};

static void byte_set_fill(struct byte_set *set, const char *members)
{
    set->bits[0] = set->bits[1] = set->bits[2] = set->bits[3] = 0;
    for (const unsigned char *p = (const unsigned char *)members; *p; p++)
        set->bits[*p >> 6] |= 1ull << (*p & 63);
}

static int byte_set_has(const struct byte_set *set, unsigned char c)
{
    return (set->bits[c >> 6] >> (c & 63)) & 1;
}

size_t MN_LIBC(strspn)(const char *s, const char *accept)
{
    struct byte_set set;
    byte_set_fill(&set, accept);
    size_t n = 0;
    /* NUL is never in the set, so the scan stops at the terminator. */
    while (byte_set_has(&set, (unsigned char)s[n]))
        n++;
    return n;
}

size_t MN_LIBC(strcspn)(const char *s, const char *reject)
{
    struct byte_set set;
    byte_set_fill(&set, reject);
    set.bits[0] |= 1; /* stop at the terminator too */
    size_t n = 0;
    while (!byte_set_has(&set, (unsigned char)s[n]))
        n++;
    return n;
}

char *MN_LIBC(strcpy)(char *restrict dst, const char *restrict src)
{
    char *d = dst;
    while ((*d++ = *src++) != 0)
        ;
    return dst;
}

char *MN_LIBC(strncpy)(char *restrict dst, const char *restrict src, size_t n)
{
    size_t len = MN_LIBC(strnlen)(src, n);
    MN_LIBC(memcpy)(dst, src, len);
    MN_LIBC(memset)(dst + len, 0, n - len);
    return dst;
}

size_t MN_LIBC(strlcpy)(char *restrict dst, const char *restrict src, size_t size)
{
    size_t len = MN_LIBC(strlen)(src);
    if (size) {
        size_t copy = len < size - 1 ? len : size - 1;
        MN_LIBC(memcpy)(dst, src, copy);
        dst[copy] = 0;
    }
    return len;
}

char *MN_LIBC(strcat)(char *restrict dst, const char *restrict src)
{
    MN_LIBC(strcpy)(dst + MN_LIBC(strlen)(dst), src);
    return dst;
}

char *MN_LIBC(strncat)(char *restrict dst, const char *restrict src, size_t n)
{
    char *d = dst + MN_LIBC(strlen)(dst);
    size_t len = MN_LIBC(strnlen)(src, n);
    MN_LIBC(memcpy)(d, src, len);
    d[len] = 0;
    return dst;
}

char *MN_LIBC(strdup)(const char *s)
{
    size_t size = MN_LIBC(strlen)(s) + 1;
    char *copy = MN_LIBC(malloc)(size);
    if (copy)
        MN_LIBC(memcpy)(copy, s, size);
    return copy;
}

char *MN_LIBC(strndup)(const char *s, size_t n)
{
    size_t len = MN_LIBC(strnlen)(s, n);
    char *copy = MN_LIBC(malloc)(len + 1);
    if (copy) {
        MN_LIBC(memcpy)(copy, s, len);
        copy[len] = 0;
    }
    return copy;
}
