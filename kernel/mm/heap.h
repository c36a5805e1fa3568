/*
 * The kernel heap: kmalloc and friends over heap_core (small blocks in
 * arenas of physically contiguous frames reached through the HHDM, blocks
 * above HEAP_BIG_MIN as guarded pages of the kernel virtual area).
 * 16-byte aligned, SMP-safe, callable with interrupts disabled. Misuse
 * (double free, bad pointer, overrun, use after free) panics with "kheap: ...".
 */
#ifndef MM_HEAP_H
#define MM_HEAP_H

#include <stddef.h>

#include "mm/heap_core.h"

/* Sets up the heap; needs the PMM and the VMM. */
void kheap_init(void);

/* `size` bytes, 16-byte aligned, uninitialised; NULL when out of memory. */
void *kmalloc(size_t size);

/* Same, zero-filled. */
void *kzalloc(size_t size);

/* Resizes (see heap_realloc): NULL p allocates, size 0 frees; NULL on failure, p intact. */
void *krealloc(void *p, size_t size);

/* Frees a kmalloc'd block; NULL is ignored. */
void kfree(void *p);

/* A snapshot of the heap's counters (bytes_in_use for leak tests). */
struct heap_stats kheap_stats(void);

/* Checks every heap invariant (slow); NULL or what is broken. */
const char *kheap_check(void);

#endif
