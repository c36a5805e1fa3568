/*
 * HHDM window management: early requests (before the kernel's tables
 * exist), on-demand device mappings, and the mapped-or-not check.
 */
#include "mm/hhdm.h"

#include <arch/cpu_features.h>
#include <arch/paging.h>
#include <stdbool.h>

#include "debug/log.h"
#include "debug/panic.h"
#include "mm/vmm.h"
#include "mm/vmm_internal.h"

#define BOOT_HHDM_LIMIT (4ull << 30) /* what boot.S maps */
#define EARLY_MAX 16

uint64_t hhdm_limit = BOOT_HHDM_LIMIT;

static struct {
    uint64_t phys, len;
    enum cache_mode mode;
} early[EARLY_MAX];
static unsigned early_count;

static unsigned mode_flags(enum cache_mode mode)
{
    return VMM_WRITE | (mode == CACHE_UC ? VMM_UC : mode == CACHE_WC ? VMM_WC : 0);
}

static unsigned cache_of(unsigned flags)
{
    return flags & (VMM_UC | VMM_WC);
}

const void *hhdm_read(uint64_t phys, size_t len)
{
    if (phys + len < phys)
        return NULL;
    if (!vmm_ready())
        return phys + len <= hhdm_limit ? phys_to_virt(phys) : NULL;
    /* Kernel-half tables are never freed and entries are written whole, so no lock is needed to look. */
    uint64_t p = phys & ~(PAGE_4K - 1), end = phys + (len ? len : 1);
    while (p < end) {
        uint64_t size;
        if (!pt_translate(kernel_as.pml4, HHDM_BASE + p, NULL, NULL, &size))
            return NULL;
        p = (p & ~(size - 1)) + size;
    }
    return phys_to_virt(phys);
}

int hhdm_map_into(uint64_t root, uint64_t phys, uint64_t len, enum cache_mode mode)
{
    unsigned flags = mode_flags(mode);
    uint64_t p = phys & ~(PAGE_4K - 1);
    uint64_t end = (phys + len + PAGE_4K - 1) & ~(PAGE_4K - 1);
    while (p < end) {
        uint64_t va = HHDM_BASE + p, size;
        unsigned old;
        if (pt_translate(root, va, NULL, &old, &size)) {
            if (cache_of(old) == cache_of(flags)) {
                p = (p & ~(size - 1)) + size;
                continue;
            }
            /* Another cache mode: narrow the page down to what was asked, then rewrite it. */
            bool covers = (p & (size - 1)) == 0 && end - p >= size;
            if (!covers) {
                int err = pt_split(root, va, vmm_alloc_table);
                if (err)
                    return err;
                continue;
            }
            pt_protect(root, va, flags);
            vmm_tlb_flush_range(&kernel_as, va, size);
            p += size;
            continue;
        }
        uint64_t step = PAGE_4K;
        if (cpu_features.gbpages && p % PAGE_1G == 0 && end - p >= PAGE_1G)
            step = PAGE_1G;
        else if (p % PAGE_2M == 0 && end - p >= PAGE_2M)
            step = PAGE_2M;
        int err = pt_map(root, va, p, step, flags, vmm_alloc_table);
        if (err == VMM_EEXIST && step != PAGE_4K) {
            /* Part of the large page is mapped already: go page by page. */
            err = pt_map(root, va, p, PAGE_4K, flags, vmm_alloc_table);
            step = PAGE_4K;
        }
        if (err)
            return err;
        p += step;
    }
    return 0;
}

void *hhdm_map(uint64_t phys, uint64_t len, enum cache_mode mode)
{
    /* Before CPU feature detection, phys_bits is 0: the architectural maximum applies. */
    unsigned bits = cpu_features.phys_bits ? cpu_features.phys_bits : 52;
    if (len == 0)
        len = 1;
    if (phys + len < phys || phys + len > (1ull << bits))
        return NULL;
    if (!vmm_ready()) {
        if (phys + len > hhdm_limit || early_count == EARLY_MAX)
            return NULL;
        early[early_count].phys = phys;
        early[early_count].len = len;
        early[early_count].mode = mode;
        early_count++;
        return phys_to_virt(phys);
    }
    int err = vmm_kernel_map_hhdm(phys, len, mode);
    if (err) {
        log_warn("hhdm: cannot map %lx-%lx (error %d)\n", phys, phys + len - 1, err);
        return NULL;
    }
    return phys_to_virt(phys);
}

void *hhdm_map_device(uint64_t phys, uint64_t len)
{
    return hhdm_map(phys, len, CACHE_UC);
}

void hhdm_replay_early(void)
{
    static const char *const names[] = {"WB", "WC", "UC"};
    for (unsigned i = 0; i < early_count; i++) {
        int err = hhdm_map_into(kernel_as.pml4, early[i].phys, early[i].len, early[i].mode);
        if (err)
            panic("vmm: cannot keep early HHDM range %lx (error %d)", early[i].phys, err);
        kprintf("vmm: early HHDM range %lx-%lx kept (%s)\n", early[i].phys, early[i].phys + early[i].len - 1,
                names[early[i].mode]);
    }
}
