/*
 * Address spaces and their mappings (see vmm.h). The page-table format is
 * arch/paging.h's business; this file checks arguments, locks, keeps the
 * kernel half shared, and flushes TLBs.
 */
#include "mm/vmm.h"

#include <arch/cpu_features.h>
#include <arch/paging.h>

#include "debug/panic.h"
#include "mm/heap.h"
#include "mm/hhdm.h"
#include "mm/pmm.h"
#include "mm/vmm_internal.h"

struct addr_space kernel_as = {.lock = SPINLOCK_INIT("kernel_as")};
static bool ready;

bool vmm_ready(void)
{
    return ready;
}

void vmm_set_ready(void)
{
    ready = true;
}

/* Page-table frames allocated and not yet freed (for exact leak accounting). */
static volatile uint64_t tables_live;

uint64_t vmm_table_frames(void)
{
    return tables_live;
}

uint64_t vmm_alloc_table(void)
{
    uint64_t phys = pmm_alloc_zeroed();
    if (phys)
        __atomic_fetch_add(&tables_live, 1, __ATOMIC_RELAXED);
    /* Until the switch, tables are written through the boot HHDM (first 4 GiB). */
    if (!ready && phys && phys + PAGE_4K > hhdm_limit)
        panic("vmm: page-table frame %lx beyond the boot HHDM", phys);
    return phys;
}

static bool canonical(uintptr_t va)
{
    return va < USER_SPACE_END || va >= HHDM_BASE;
}

/* Can `as` hold a mapping at va with these flags? */
static bool valid(struct addr_space *as, uintptr_t va, unsigned flags)
{
    if ((va & (PAGE_4K - 1)) || !canonical(va) || (flags & ~VMM_FLAGS_ALL))
        return false;
    if (as == &kernel_as)
        return va >= HHDM_BASE && !(flags & VMM_USER);
    return va < USER_SPACE_END;
}

void vmm_share_kernel_top(uintptr_t va)
{
    assert(spin_is_locked(&kernel_as.lock));
    unsigned i = pt_index(va, 4);
    uint64_t entry = ((uint64_t *)phys_to_virt(kernel_as.pml4))[i];
    for (struct addr_space *as = kernel_as.next; as; as = as->next)
        ((uint64_t *)phys_to_virt(as->pml4))[i] = entry;
}

int vmm_map(struct addr_space *as, uintptr_t va, uint64_t pa, unsigned flags)
{
    if (!valid(as, va, flags) || (pa & (PAGE_4K - 1)) || (pa >> cpu_features.phys_bits))
        return VMM_EINVAL;
    spin_lock(&as->lock);
    bool had_top = pt_top_present(as->pml4, va);
    int err = pt_map(as->pml4, va, pa, PAGE_4K, flags, vmm_alloc_table);
    if (as == &kernel_as && !had_top && pt_top_present(as->pml4, va))
        vmm_share_kernel_top(va);
    spin_unlock(&as->lock);
    return err;
}

int vmm_kernel_map_hhdm(uint64_t phys, uint64_t len, enum cache_mode mode)
{
    spin_lock(&kernel_as.lock);
    int err = hhdm_map_into(kernel_as.pml4, phys, len, mode);
    /* A device far above RAM may have needed a new top-level entry. */
    for (uint64_t p = phys & ~(PAGE_1G * 512 - 1); p < phys + len; p += PAGE_1G * 512)
        vmm_share_kernel_top(HHDM_BASE + p);
    spin_unlock(&kernel_as.lock);
    return err;
}

int vmm_unmap(struct addr_space *as, uintptr_t va, uint64_t *pa)
{
    if (!valid(as, va, 0))
        return VMM_EINVAL;
    spin_lock(&as->lock);
    int err = pt_unmap(as->pml4, va, pa);
    spin_unlock(&as->lock);
    if (!err)
        vmm_tlb_flush_range(as, va, PAGE_4K);
    return err;
}

int vmm_unmap_range(struct addr_space *as, uintptr_t va, size_t pages, void (*release)(uint64_t pa))
{
    if (!valid(as, va, 0) || !valid(as, va + (pages ? pages - 1 : 0) * PAGE_4K, 0))
        return VMM_EINVAL;
    uint64_t pas[16];
    int err = 0;
    while (pages && !err) {
        size_t n = pages < 16 ? pages : 16, done = 0;
        spin_lock(&as->lock);
        for (; done < n && !err; done++)
            err = pt_unmap(as->pml4, va + done * PAGE_4K, &pas[done]);
        spin_unlock(&as->lock);
        if (err)
            done--; /* the failed page was not unmapped */
        /* One shootdown for the batch, and only then may the frames be reused. */
        if (done)
            vmm_tlb_flush_range(as, va, done * PAGE_4K);
        for (size_t i = 0; release && i < done; i++)
            release(pas[i]);
        va += n * PAGE_4K;
        pages -= n;
    }
    return err;
}

bool vmm_translate(struct addr_space *as, uintptr_t va, uint64_t *pa, unsigned *flags)
{
    if (!canonical(va))
        return false;
    spin_lock(&as->lock);
    bool found = pt_translate(as->pml4, va, pa, flags, NULL);
    spin_unlock(&as->lock);
    return found;
}

int vmm_protect(struct addr_space *as, uintptr_t va, unsigned flags)
{
    if (!valid(as, va, flags))
        return VMM_EINVAL;
    spin_lock(&as->lock);
    int err = pt_protect(as->pml4, va, flags);
    spin_unlock(&as->lock);
    if (!err)
        vmm_tlb_flush_range(as, va, PAGE_4K);
    return err;
}

void (*vmm_remote_flush)(struct addr_space *as, uintptr_t va, size_t len);

void vmm_tlb_flush_range(struct addr_space *as, uintptr_t va, size_t len)
{
    bool kernel_half = as == &kernel_as || va >= HHDM_BASE;
    if (kernel_half || (cr3_read() & PTE_ADDR) == as->pml4) {
        if (len > 64 * PAGE_4K) {
            paging_flush_all();
        } else {
            for (uintptr_t p = va & ~(PAGE_4K - 1); p < va + len; p += PAGE_4K)
                invlpg(p);
        }
    }
    if (vmm_remote_flush)
        vmm_remote_flush(kernel_half ? NULL : as, va, len);
}

struct addr_space *addr_space_create(void)
{
    struct addr_space *as = kzalloc(sizeof *as);
    if (!as)
        return NULL;
    as->pml4 = pmm_alloc_zeroed();
    if (!as->pml4) {
        kfree(as);
        return NULL;
    }
    as->lock = (spinlock_t)SPINLOCK_INIT("addr_space");
    uint64_t *dst = phys_to_virt(as->pml4);
    spin_lock(&kernel_as.lock);
    const uint64_t *src = phys_to_virt(kernel_as.pml4);
    for (int i = 256; i < 512; i++)
        dst[i] = src[i];
    as->next = kernel_as.next;
    as->prev = &kernel_as;
    if (as->next)
        as->next->prev = as;
    kernel_as.next = as;
    spin_unlock(&kernel_as.lock);
    return as;
}

static void free_frames(uint64_t phys, uint64_t count)
{
    pmm_free_contig(phys, count);
}

static void free_tables(uint64_t phys, uint64_t count)
{
    __atomic_fetch_sub(&tables_live, count, __ATOMIC_RELAXED);
    pmm_free_contig(phys, count);
}

void addr_space_destroy(struct addr_space *as, bool free_user_frames)
{
    assert(as != &kernel_as);
    assert((cr3_read() & PTE_ADDR) != as->pml4);
    spin_lock(&kernel_as.lock);
    as->prev->next = as->next;
    if (as->next)
        as->next->prev = as->prev;
    spin_unlock(&kernel_as.lock);
    spin_lock(&as->lock);
    pt_destroy_user(as->pml4, free_tables, free_user_frames ? free_frames : NULL);
    spin_unlock(&as->lock);
    pmm_free(as->pml4);
    kfree(as);
}
