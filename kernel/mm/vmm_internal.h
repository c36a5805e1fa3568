/* Shared between the VMM's files (vmm.c, vmm_boot.c, hhdm.c, kva.c); not a public interface. */
#ifndef MM_VMM_INTERNAL_H
#define MM_VMM_INTERNAL_H

#include <stdint.h>

#include "mm/hhdm.h"

/* pt_alloc_fn for every table: a zeroed PMM frame (below the boot HHDM limit until the switch). */
uint64_t vmm_alloc_table(void);

/* Maps an HHDM range in kernel_as under its lock and shares new top-level entries. */
int vmm_kernel_map_hhdm(uint64_t phys, uint64_t len, enum cache_mode mode);

/* Copies kernel_as's top-level entry for va into every address space. Needs kernel_as.lock. */
void vmm_share_kernel_top(uintptr_t va);

/* vmm_boot.c's switch is done: the VMM functions may now be used. */
void vmm_set_ready(void);

/* Sets up the kernel virtual area allocator (kva.c). */
void kva_init(void);

#endif
