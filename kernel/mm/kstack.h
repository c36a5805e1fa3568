/* Kernel stacks with an unmapped guard page below each (in the kernel virtual area). */
#ifndef MM_KSTACK_H
#define MM_KSTACK_H

#include <stddef.h>

/*
 * A kernel stack of `pages` 4 KiB pages; returns its TOP (the initial stack
 * pointer, 16-byte aligned), or NULL when out of memory. The page just below
 * the stack is never mapped, so an overflow faults instead of corrupting.
 */
void *kstack_alloc(size_t pages);

/* Frees a stack given its top as returned by kstack_alloc. */
void kstack_free(void *top);

#endif
