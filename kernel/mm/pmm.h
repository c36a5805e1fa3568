/*
 * The physical memory manager: 4 KiB frames from a bitmap sized to the
 * highest usable address (see frame_bitmap.h). Addresses are physical; reach
 * a frame's contents through the HHDM (phys_to_virt). All functions are
 * SMP-safe and may be called with interrupts disabled.
 */
#ifndef MM_PMM_H
#define MM_PMM_H

#include <stddef.h>
#include <stdint.h>

#include "boot/boot_info.h"

#define PAGE_SIZE ((uint64_t)4096)
#define PAGE_SHIFT 12

/*
 * Builds the bitmap from the memory map: usable RAM becomes free except the
 * first 1 MiB, the kernel image, the boot modules and the bitmap itself;
 * everything not MEM_USABLE stays reserved. Panics if no place for the bitmap.
 */
void pmm_init(const struct boot_info *bi);

/* One frame's physical address, or 0 when memory is exhausted. */
uint64_t pmm_alloc(void);

/* Same, with the frame filled with zeroes. */
uint64_t pmm_alloc_zeroed(void);

/*
 * `count` physically contiguous frames whose address is a multiple of
 * `align` frames (a power of two; 0 or 1 for none). Returns the first frame's
 * address or 0 when no such run is free.
 */
uint64_t pmm_alloc_contig(size_t count, size_t align);

/*
 * Returns a frame from pmm_alloc*. Freeing a frame twice, a reserved frame,
 * or an address outside the bitmap panics (KERNEL_DEBUG) or is logged and
 * ignored; it never changes the bitmap.
 */
void pmm_free(uint64_t phys);

/* Returns `count` frames starting at `phys`; all are checked before any is freed. */
void pmm_free_contig(uint64_t phys, size_t count);

/* Frames currently free, and frames the PMM manages (free + allocated). */
uint64_t pmm_free_count(void);
uint64_t pmm_total_count(void);

/* One past the highest physical address the bitmap covers. */
uint64_t pmm_limit(void);

#endif
