/*
 * libmnos: memory allocation, number parsing, sorting and process exit
 * (ISO C <stdlib.h>, plus mn_memalign and heap statistics).
 *
 * The allocator (malloc.c) manages one contiguous heap that the platform
 * grows on request through mn_heap_morecore. It is NOT thread-safe yet:
 * one thread per process may use it, or the platform must define
 * MN_HEAP_LOCK()/MN_HEAP_UNLOCK() (see malloc.c) when threads arrive.
 * Every block is 16-byte aligned. Heap corruption that the allocator can
 * see (double free, a pointer malloc never returned, an overwritten block
 * header) is reported through mn_heap_corrupt.
 *
 * There is no errno yet: strtol and friends clamp on overflow as C says,
 * but cannot report ERANGE.
 */
#ifndef MNOS_LIBC_STDLIB_H
#define MNOS_LIBC_STDLIB_H

#include <stddef.h>

#include "mn_libc.h"

#ifndef EXIT_SUCCESS
#define EXIT_SUCCESS 0
#endif
#ifndef EXIT_FAILURE
#define EXIT_FAILURE 1
#endif

/* ---- hooks the platform part of libmnos defines ---------------------- */

/*
 * Extends the heap by `bytes` (always a multiple of 4096) like sbrk:
 * returns the first new byte, which must follow the previous extension
 * directly (the heap is one contiguous region; the first call may return
 * any page-aligned address), or NULL when no more memory can be had.
 */
void *mn_heap_morecore(size_t bytes);

/*
 * Called when the allocator finds its heap corrupted or is handed a
 * pointer it never returned; `why` says what it saw. The platform's
 * version prints it and aborts the process. If it returns (tests do),
 * the offending call is abandoned: free does nothing, realloc returns
 * NULL.
 */
void mn_heap_corrupt(const char *why);

/* Ends the process now, without running anything (defined by the platform). */
_Noreturn void MN_LIBC(abort)(void);
/* Ends the process with the given status (defined by the platform). */
_Noreturn void MN_LIBC(exit)(int status);

/* ---- allocation (malloc.c) -------------------------------------------- */

/*
 * Returns a 16-byte aligned block of at least n bytes (malloc(0) returns a
 * unique minimal block), or NULL when the heap cannot grow.
 */
void *MN_LIBC(malloc)(size_t n);
/* Returns a block from malloc, or does nothing for NULL. */
void MN_LIBC(free)(void *p);
/* Returns a zeroed block of count * size bytes, or NULL when out of memory or when the product overflows. */
void *MN_LIBC(calloc)(size_t count, size_t size);
/*
 * Resizes p's block to n bytes, keeping the first min(old, n) bytes:
 * in place when shrinking or when the following memory is free, else by
 * moving. realloc(NULL, n) is malloc(n). realloc(p, 0) frees p and returns
 * NULL (C17 leaves this to the implementation). On failure returns NULL
 * and p stays valid and unchanged.
 */
void *MN_LIBC(realloc)(void *p, size_t n);
/* C11 aligned_alloc: mn_memalign(align, n). */
void *MN_LIBC(aligned_alloc)(size_t align, size_t n);

/*
 * Returns a block of n bytes aligned to `align` (a power of two; 16 or
 * less is plain malloc) that free and realloc accept, or NULL when align is
 * not a power of two or memory runs out. (realloc keeps only 16-byte
 * alignment when it has to move the block.)
 */
void *mn_memalign(size_t align, size_t n);
/* Returns the number of usable bytes in p's block (at least what was asked for), 0 for NULL. */
size_t mn_malloc_usable_size(void *p);

struct mn_heap_stats {
    size_t heap_size; /* bytes obtained from mn_heap_morecore so far */
    size_t bytes_in_use; /* bytes in allocated blocks, their headers included */
    size_t bytes_free; /* heap_size - bytes_in_use: free blocks and the top */
    size_t top_size; /* bytes at the end of the heap not yet carved into blocks */
    size_t allocations; /* blocks currently allocated */
    size_t free_blocks; /* blocks on the free lists (0 when all was freed: they merge into the top) */
};

/* Fills *out with the heap's current figures (O(1)). */
void mn_heap_stats(struct mn_heap_stats *out);

/*
 * Walks the whole heap and every free list and checks their invariants.
 * Returns NULL when consistent, or what is wrong. O(heap size); for tests
 * and debugging.
 */
const char *mn_heap_check(void);

/* ---- numbers and sorting (stdlib.c) ----------------------------------- */

/*
 * Parses an integer: leading white space, an optional sign, then digits in
 * `base` (2..36; 0 means C syntax: 0x/0X hexadecimal, leading 0 octal,
 * else decimal; base 16 also accepts a 0x prefix). *endptr (when endptr is
 * not NULL) receives the first unparsed byte, or nptr itself when there
 * were no digits (or the base is invalid; the result is then 0). Out of
 * range values clamp to LONG_MAX/LONG_MIN (strtol), LLONG_* (strtoll) or
 * ULONG_MAX/ULLONG_MAX (strtoul/strtoull, which also accept a '-' and
 * negate in unsigned arithmetic, as C says).
 */
long MN_LIBC(strtol)(const char *restrict nptr, char **restrict endptr, int base);
unsigned long MN_LIBC(strtoul)(const char *restrict nptr, char **restrict endptr, int base);
long long MN_LIBC(strtoll)(const char *restrict nptr, char **restrict endptr, int base);
unsigned long long MN_LIBC(strtoull)(const char *restrict nptr, char **restrict endptr, int base);
/* (int)strtol(s, NULL, 10): no error reporting, truncates out-of-range values. */
int MN_LIBC(atoi)(const char *s);
/* strtol(s, NULL, 10). */
long MN_LIBC(atol)(const char *s);

/* |n|; undefined for INT_MIN / LONG_MIN / LLONG_MIN, as in C. */
int MN_LIBC(abs)(int n);
long MN_LIBC(labs)(long n);
long long MN_LIBC(llabs)(long long n);

/*
 * Sorts count elements of `size` bytes at base in the order cmp gives
 * (negative, 0, positive like strcmp). Introsort: quicksort with a
 * median-of-three pivot, heapsort when the recursion gets too deep, and
 * insertion sort on short runs; O(n log n) on every input, not stable,
 * no allocation, O(log n) stack.
 */
void MN_LIBC(qsort)(void *base, size_t count, size_t size, int (*cmp)(const void *, const void *));
/*
 * Returns an element of the sorted array equal to *key (by cmp(key,
 * element)), or NULL. Which one when several are equal is unspecified.
 */
void *MN_LIBC(bsearch)(const void *key, const void *base, size_t count, size_t size,
                       int (*cmp)(const void *, const void *));

#endif
