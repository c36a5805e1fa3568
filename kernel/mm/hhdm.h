/*
 * The higher-half direct map (HHDM): all physical memory mapped at
 * HHDM_BASE + phys. Until the VMM builds the kernel's own tables, the entry
 * stub's tables map the first 4 GiB there.
 */
#ifndef MM_HHDM_H
#define MM_HHDM_H

#include <stddef.h>
#include <stdint.h>

#define HHDM_BASE   0xFFFF800000000000ull
#define KERNEL_VMA  0xFFFFFFFF80000000ull

/* Bytes of physical address space currently reachable through the HHDM. */
extern uint64_t hhdm_limit;

static inline void *phys_to_virt(uint64_t phys)
{
    return (void *)(uintptr_t)(HHDM_BASE + phys);
}

/* Returns the HHDM address of [phys, phys+len) or NULL if it is not mapped. */
const void *hhdm_read(uint64_t phys, size_t len);

/* Maps a device range (uncached once the VMM runs); NULL if impossible. */
void *hhdm_map_device(uint64_t phys, uint64_t len);

#endif
