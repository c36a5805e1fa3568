/*
 * libmnos: number parsing (strtol family, atoi, atol), abs, and sorting and
 * searching (qsort, bsearch). See include/stdlib.h for the contracts; the
 * allocator is in malloc.c.
 */
#include <stdbool.h>
#include <stdint.h>

#include "ctype.h"
#include "stdlib.h"

/*
 * <limits.h> is not usable in a -nostdinc build (gcc's own version chains
 * to the system's), so the limits come from the compiler's macros.
 */
#define MN_LONG_MAX ((unsigned long long)__LONG_MAX__)
#define MN_LLONG_MAX ((unsigned long long)__LONG_LONG_MAX__)
#define MN_ULONG_MAX ((unsigned long long)(unsigned long)-1)
#define MN_ULLONG_MAX (~0ull)

/* A digit's value in bases up to 36, or 36 for anything that is not a digit. */
static unsigned digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return (unsigned)(c - '0');
    if (c >= 'a' && c <= 'z')
        return (unsigned)(c - 'a') + 10;
    if (c >= 'A' && c <= 'Z')
        return (unsigned)(c - 'A') + 10;
    return 36;
}

/* What the text said, before it is fitted into a type. */
struct parsed {
    unsigned long long magnitude;
    bool negative;
    bool overflow; /* the digits exceed even unsigned long long */
};

/* The common syntax of the strto* functions (see stdlib.h). */
static struct parsed parse(const char *nptr, char **endptr, int base)
{
    struct parsed r = {0};
    const char *s = nptr;
    const char *end = nptr; /* stays nptr unless a digit is found */
    if (base >= 0 && base != 1 && base <= 36) {
        while (MN_LIBC(isspace)((unsigned char)*s))
            s++;
        if (*s == '+' || *s == '-') {
            r.negative = *s == '-';
            s++;
        }
        /* "0x" counts as a prefix only when a hex digit follows: "0xg" parses as 0, ending at 'x'. */
        if ((base == 0 || base == 16) && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && digit_value(s[2]) < 16) {
            s += 2;
            base = 16;
        } else if (base == 0) {
            base = s[0] == '0' ? 8 : 10;
        }
        for (unsigned d; (d = digit_value(*s)) < (unsigned)base; s++) {
            end = s + 1;
            if (r.magnitude > (MN_ULLONG_MAX - d) / (unsigned)base)
                r.overflow = true;
            else
                r.magnitude = r.magnitude * (unsigned)base + d;
        }
    }
    if (endptr)
        *endptr = (char *)end;
    return r;
}

/* Fits a parsed number into a signed type whose maximum is max (its minimum is -max - 1). */
static long long fit_signed(struct parsed r, unsigned long long max)
{
    long long min = -(long long)max - 1;
    if (r.negative) {
        if (r.overflow || r.magnitude > max)
            return min; /* also exactly -max - 1, which has no positive counterpart */
        return -(long long)r.magnitude;
    }
    return r.overflow || r.magnitude > max ? (long long)max : (long long)r.magnitude;
}

/* Fits a parsed number into an unsigned type whose maximum is max; '-' negates modulo max + 1. */
static unsigned long long fit_unsigned(struct parsed r, unsigned long long max)
{
    if (r.overflow || r.magnitude > max)
        return max;
    return r.negative ? (0 - r.magnitude) & max : r.magnitude;
}

long MN_LIBC(strtol)(const char *restrict nptr, char **restrict endptr, int base)
{
    return (long)fit_signed(parse(nptr, endptr, base), MN_LONG_MAX);
}

unsigned long MN_LIBC(strtoul)(const char *restrict nptr, char **restrict endptr, int base)
{
    return (unsigned long)fit_unsigned(parse(nptr, endptr, base), MN_ULONG_MAX);
}

long long MN_LIBC(strtoll)(const char *restrict nptr, char **restrict endptr, int base)
{
    return fit_signed(parse(nptr, endptr, base), MN_LLONG_MAX);
}

unsigned long long MN_LIBC(strtoull)(const char *restrict nptr, char **restrict endptr, int base)
{
    return fit_unsigned(parse(nptr, endptr, base), MN_ULLONG_MAX);
}

int MN_LIBC(atoi)(const char *s)
{
    return (int)MN_LIBC(strtol)(s, NULL, 10);
}

long MN_LIBC(atol)(const char *s)
{
    return MN_LIBC(strtol)(s, NULL, 10);
}

int MN_LIBC(abs)(int n)
{
    return n < 0 ? -n : n;
}

long MN_LIBC(labs)(long n)
{
    return n < 0 ? -n : n;
}

long long MN_LIBC(llabs)(long long n)
{
    return n < 0 ? -n : n;
}

/* ---- qsort: introsort -------------------------------------------------- */

typedef int (*compare_fn)(const void *, const void *);
typedef uint64_t __attribute__((may_alias, aligned(1))) unaligned_word;

/* Runs this short are finished by insertion sort, cheaper than partitioning them. */
#define INSERTION_MAX 12

static void swap_elements(char *a, char *b, size_t size)
{
    for (; size >= sizeof(uint64_t); size -= sizeof(uint64_t), a += sizeof(uint64_t), b += sizeof(uint64_t)) {
        uint64_t t = *(unaligned_word *)a;
        *(unaligned_word *)a = *(unaligned_word *)b;
        *(unaligned_word *)b = t;
    }
    for (; size; size--, a++, b++) {
        char t = *a;
        *a = *b;
        *b = t;
    }
}

static void insertion_sort(char *base, size_t n, size_t size, compare_fn cmp)
{
    for (size_t i = 1; i < n; i++) {
        for (char *p = base + i * size; p > base && cmp(p - size, p) > 0; p -= size)
            swap_elements(p - size, p, size);
    }
}

static void sift_down(char *base, size_t root, size_t n, size_t size, compare_fn cmp)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && cmp(base + child * size, base + (child + 1) * size) < 0)
            child++;
        if (cmp(base + root * size, base + child * size) >= 0)
            return;
        swap_elements(base + root * size, base + child * size, size);
        root = child;
    }
}

/* The fallback that bounds the worst case at O(n log n). */
static void heap_sort(char *base, size_t n, size_t size, compare_fn cmp)
{
    for (size_t i = n / 2; i-- > 0;)
        sift_down(base, i, n, size, cmp);
    for (size_t end = n - 1; end > 0; end--) {
        swap_elements(base, base + end * size, size);
        sift_down(base, 0, end, size, cmp);
    }
}

/*
 * Partitions n > 2 elements around the median of the first, middle and
 * last one and returns the pivot's final index j: everything before j
 * compares <= the pivot, everything after >= it. Both scans stop on
 * elements equal to the pivot, so runs of equal keys split evenly instead
 * of degrading to quadratic time.
 */
static size_t partition(char *base, size_t n, size_t size, compare_fn cmp)
{
    char *lo = base, *mid = base + (n / 2) * size, *hi = base + (n - 1) * size;
    if (cmp(mid, lo) < 0)
        swap_elements(mid, lo, size);
    if (cmp(hi, mid) < 0) {
        swap_elements(hi, mid, size);
        if (cmp(mid, lo) < 0)
            swap_elements(mid, lo, size);
    }
    /* The median becomes the pivot at index 0; hi (>= pivot) stops the first scan. */
    swap_elements(lo, mid, size);
    size_t i = 1, j = n - 1;
    for (;;) {
        while (cmp(base + i * size, lo) < 0)
            i++;
        while (cmp(lo, base + j * size) < 0)
            j--;
        if (i >= j)
            break;
        swap_elements(base + i * size, base + j * size, size);
        i++;
        j--;
    }
    swap_elements(lo, base + j * size, size);
    return j;
}

static void intro_sort(char *base, size_t n, size_t size, compare_fn cmp, unsigned depth)
{
    while (n > INSERTION_MAX) {
        if (depth == 0) {
            heap_sort(base, n, size, cmp);
            return;
        }
        depth--;
        size_t j = partition(base, n, size, cmp);
        /* Recurse into the smaller side and loop on the larger: O(log n) stack. */
        size_t left = j, right = n - j - 1;
        if (left < right) {
            intro_sort(base, left, size, cmp, depth);
            base += (j + 1) * size;
            n = right;
        } else {
            intro_sort(base + (j + 1) * size, right, size, cmp, depth);
            n = left;
        }
    }
    insertion_sort(base, n, size, cmp);
}

void MN_LIBC(qsort)(void *base, size_t count, size_t size, int (*cmp)(const void *, const void *))
{
    if (count < 2 || size == 0)
        return;
    /* Twice the depth of a balanced split before heapsort takes over, as introsort usually does. */
    unsigned msb = 63 - (unsigned)__builtin_clzll(count);
    intro_sort(base, count, size, cmp, 2 * msb);
}

void *MN_LIBC(bsearch)(const void *key, const void *base, size_t count, size_t size,
                       int (*cmp)(const void *, const void *))
{
    const char *lo = base;
    while (count) {
        size_t half = count / 2;
        const char *mid = lo + half * size;
        int c = cmp(key, mid);
        if (c == 0)
            return (void *)mid;
        if (c > 0) {
            lo = mid + size;
            count -= half + 1;
        } else {
            count = half;
        }
    }
    return NULL;
}
