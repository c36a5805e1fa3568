/* HHDM helpers over the entry stub's 4 GiB map (the VMM will widen it). */
#include "mm/hhdm.h"

uint64_t hhdm_limit = 4ull << 30;

const void *hhdm_read(uint64_t phys, size_t len)
{
    if (phys + len < phys || phys + len > hhdm_limit)
        return NULL;
    return phys_to_virt(phys);
}

void *hhdm_map_device(uint64_t phys, uint64_t len)
{
    return (void *)hhdm_read(phys, len);
}
