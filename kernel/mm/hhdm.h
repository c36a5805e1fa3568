/*
 * The higher-half direct map (HHDM): physical address p is reachable at
 * HHDM_BASE + p. Until vmm_init the entry stub's tables map the first 4 GiB
 * there (write-back); afterwards the kernel's tables map all RAM (usable,
 * ACPI, small firmware-reserved regions), the ranges requested with
 * hhdm_map, and nothing else.
 */
#ifndef MM_HHDM_H
#define MM_HHDM_H

#include <stddef.h>
#include <stdint.h>

/* Host tests of the page-table walker define it as 0: their "physical" addresses are host pointers. */
#ifndef HHDM_BASE
#define HHDM_BASE ((uint64_t)0xFFFF800000000000)
#endif
#define KERNEL_VMA ((uint64_t)0xFFFFFFFF80000000)

enum cache_mode {
    CACHE_WB, /* RAM, ACPI tables */
    CACHE_WC, /* framebuffers */
    CACHE_UC, /* MMIO registers: LAPIC, I/O APIC, HPET, device BARs */
};

/*
 * Before vmm_init: bytes of physical address space the boot tables map.
 * After: one past the highest RAM address in the HHDM.
 */
extern uint64_t hhdm_limit;

static inline void *phys_to_virt(uint64_t phys)
{
    return (void *)(uintptr_t)(HHDM_BASE + phys);
}

/* Physical address of an HHDM pointer (no check that it is one). */
static inline uint64_t virt_to_phys(const void *virt)
{
    return (uint64_t)(uintptr_t)virt - HHDM_BASE;
}

/* Returns the HHDM address of [phys, phys+len) if all of it is mapped, else NULL. */
const void *hhdm_read(uint64_t phys, size_t len);

/*
 * Maps [phys, phys+len) into the HHDM with cache mode `mode` and returns
 * HHDM_BASE + phys (NULL if it cannot: out of memory, address beyond what
 * the CPU can address, or above 4 GiB before vmm_init). Idempotent: pages
 * already mapped with the same mode are left alone, pages mapped with
 * another mode are switched to `mode` (large pages are split as needed).
 * Before vmm_init the range is recorded and mapped again, at the same
 * address, in the kernel's own tables. Safe on any CPU.
 */
void *hhdm_map(uint64_t phys, uint64_t len, enum cache_mode mode);

/* hhdm_map(phys, len, CACHE_UC): device registers. */
void *hhdm_map_device(uint64_t phys, uint64_t len);

/* For vmm_init: maps the boot-time requests into the kernel's new tables. */
void hhdm_replay_early(void);

/*
 * For vmm_init: maps [phys, phys+len) into the tables at `root`, using
 * 1 GiB / 2 MiB pages where aligned. Returns 0 or a VMM_* error.
 */
int hhdm_map_into(uint64_t root, uint64_t phys, uint64_t len, enum cache_mode mode);

#endif
