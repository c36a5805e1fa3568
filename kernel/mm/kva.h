/*
 * The kernel virtual area (KVA_BASE, KVA_SIZE): page-granular kernel
 * address space for memory that must be virtually but not physically
 * contiguous, each block with an unmapped guard page below it. Kernel stacks
 * and large kmalloc blocks live here. SMP-safe.
 */
#ifndef MM_KVA_H
#define MM_KVA_H

#include <stddef.h>

/*
 * Maps `pages` fresh frames (read/write, no-execute) at a new place in the
 * area, one unmapped guard page below, and returns the address of the first
 * mapped page; NULL when out of frames or address space.
 */
void *kva_alloc_mapped(size_t pages);

/* Unmaps and frees a block from kva_alloc_mapped (`pages` as given there). */
void kva_free_mapped(void *start, size_t pages);

#endif
