/*
 * vmm_init: the kernel's own page tables, replacing the entry stub's.
 *   - HHDM over all RAM of every type in the memory map (usable, ACPI, and
 *     firmware-reserved regions up to RESERVED_MAP_MAX; larger reserved
 *     windows are MMIO and wait for hhdm_map), in the largest pages that fit;
 *   - every range hhdm_map handed out before now, at the same address;
 *   - the kernel image with W^X per section, and its HHDM alias of text and
 *     rodata made read-only;
 *   - no identity map: the lower half belongs to user space.
 */
#include <arch/cpu_features.h>
#include <arch/paging.h>

#include "debug/log.h"
#include "debug/panic.h"
#include "mm/hhdm.h"
#include "mm/pmm.h"
#include "mm/vmm.h"
#include "mm/vmm_internal.h"

#define RESERVED_MAP_MAX (64ull << 20)
#define LOW_MEMORY_END 0x100000ull

extern const char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern const char __data_start[], __data_end[], __ksyms_start[], __ksyms_end[];

struct range {
    uint64_t start, end;
};

static bool is_ram(const struct mem_region *m)
{
    switch (m->type) {
    case MEM_USABLE:
    case MEM_ACPI_RECLAIM:
    case MEM_ACPI_NVS: return true;
    case MEM_BAD: return false;
    default: return m->length <= RESERVED_MAP_MAX;
    }
}

/* The RAM ranges of the memory map, page-rounded, sorted and merged; returns how many. */
static size_t ram_ranges(const struct boot_info *bi, struct range *out)
{
    size_t n = 0;
    out[n++] = (struct range){0, LOW_MEMORY_END};
    for (uint32_t i = 0; i < bi->mmap_count; i++) {
        const struct mem_region *m = &bi->mmap[i];
        if (!is_ram(m) || m->length == 0)
            continue;
        struct range r = {m->base & ~(PAGE_4K - 1), (m->base + m->length + PAGE_4K - 1) & ~(PAGE_4K - 1)};
        size_t j = n++;
        for (; j > 0 && out[j - 1].start > r.start; j--)
            out[j] = out[j - 1];
        out[j] = r;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m && out[i].start <= out[m - 1].end) {
            if (out[i].end > out[m - 1].end)
                out[m - 1].end = out[i].end;
        } else {
            out[m++] = out[i];
        }
    }
    return m;
}

static void map_section(const char *start, const char *end, unsigned flags)
{
    uintptr_t va = (uintptr_t)start & ~(PAGE_4K - 1);
    for (; va < (uintptr_t)end; va += PAGE_4K) {
        int err = pt_map(kernel_as.pml4, va, va - KERNEL_VMA, PAGE_4K, flags, vmm_alloc_table);
        if (err)
            panic("vmm: cannot map the kernel image at %lx (error %d)", va, err);
    }
}

/* The HHDM alias of [start, end) of the image becomes read-only (4 KiB pages). */
static void protect_alias(const char *start, const char *end)
{
    uint64_t root = kernel_as.pml4;
    for (uint64_t p = (uintptr_t)start - KERNEL_VMA; p < (uintptr_t)end - KERNEL_VMA; p += PAGE_4K) {
        uint64_t va = HHDM_BASE + p, size;
        while (pt_translate(root, va, NULL, NULL, &size) && size != PAGE_4K)
            if (pt_split(root, va, vmm_alloc_table))
                panic("vmm: out of memory splitting the HHDM");
        pt_protect(root, va, 0);
    }
}

void vmm_init(const struct boot_info *bi)
{
    kernel_as.pml4 = vmm_alloc_table();
    if (!kernel_as.pml4)
        panic("vmm: no frame for the kernel PML4");

    struct range ram[BOOT_MAX_MMAP + 1];
    size_t n = ram_ranges(bi, ram);
    uint64_t top = 0, bytes = 0;
    for (size_t i = 0; i < n; i++) {
        int err = hhdm_map_into(kernel_as.pml4, ram[i].start, ram[i].end - ram[i].start, CACHE_WB);
        if (err)
            panic("vmm: cannot map RAM %lx-%lx into the HHDM (error %d)", ram[i].start, ram[i].end, err);
        log_debug("vmm: HHDM RAM %lx-%lx\n", ram[i].start, ram[i].end - 1);
        bytes += ram[i].end - ram[i].start;
        top = ram[i].end;
    }
    hhdm_replay_early();

    map_section(__text_start, __text_end, VMM_EXEC);
    map_section(__rodata_start, __rodata_end, 0);
    map_section(__data_start, __data_end, VMM_WRITE);
    map_section(__ksyms_start, __ksyms_end, 0);
    protect_alias(__text_start, __rodata_end);

    cr3_write(kernel_as.pml4);
    paging_flush_all();
    hhdm_limit = top;
    vmm_set_ready();
    kva_init();

    /* Log lines stay under one 128-column framebuffer row (the screen test compares whole lines). */
    kprintf("vmm: kernel page tables at %lx; HHDM maps %lu MiB of RAM in %zu range%s up to %lx (%s pages)\n",
            kernel_as.pml4, bytes >> 20, n, n == 1 ? "" : "s", top, cpu_features.gbpages ? "1G/2M" : "2M");
    kprintf("vmm: kernel image W^X: text %lu KiB R+X, rodata %lu KiB R, data %lu KiB RW+NX; no identity map\n",
            (uint64_t)(__text_end - __text_start) >> 10, (uint64_t)(__rodata_end - __rodata_start) >> 10,
            (uint64_t)(__data_end - __data_start) >> 10);
}
