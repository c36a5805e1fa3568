/*
 * Debug knobs of memory management. KERNEL_DEBUG (on unless the build says
 * -DKERNEL_DEBUG=0) turns broken invariants — double frees, freeing reserved
 * frames, heap corruption — into panics and poisons freed heap memory. With
 * it off, the PMM logs and ignores a bad free instead; nothing is ever
 * silently corrupted either way.
 */
#ifndef MM_MM_DEBUG_H
#define MM_MM_DEBUG_H

#ifndef KERNEL_DEBUG
#define KERNEL_DEBUG 1
#endif

#endif
