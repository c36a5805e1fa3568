/*
 * The user half of the address space (DESIGN.md section 4): where the
 * kernel puts things in every process, and the range user mappings may use.
 */
#ifndef MNOS_LAYOUT_H
#define MNOS_LAYOUT_H

#include <stdint.h>

#define MN_PAGE_SIZE 0x1000ull
/* Nothing is mapped below this (catches NULL-pointer and small-offset dereferences). */
#define MN_USER_MIN 0x10000ull
/* End (exclusive) of the canonical lower half. */
#define MN_USER_END 0x0000800000000000ull
/* Where our ELF images are linked. */
#define MN_USER_IMAGE_BASE 0x400000ull
/* init's read-only view of the initrd. */
#define MN_USER_INITRD_VIEW 0x10000000ull
/* Start of the libmnos heap. */
#define MN_USER_HEAP_BASE 0x40000000ull
/* Top of the main thread's stack; the page below the stack is an unmapped guard. */
#define MN_USER_STACK_TOP 0x7FFFFFFFE000ull

#endif
