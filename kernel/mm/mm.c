/*
 * Memory management bring-up, phase 3 ("can remember"): CPU protection
 * features, the PMM, the kernel's own page tables, the kernel heap.
 */
#include "mm/mm.h"

#include <arch/cpu_features.h>

#include "debug/log.h"
#include "mm/heap.h"
#include "mm/pmm.h"
#include "mm/vmm.h"

void mm_init(const struct boot_info *bi)
{
    cpu_features_init(); /* NX, SMEP, SMAP, UMIP, WP, PGE, and the PAT */
    pmm_init(bi);
    vmm_init(bi);
    kheap_init();
    kprintf("mm: ready: %lu of %lu frames free, heap up\n", pmm_free_count(), pmm_total_count());
}
