/* x86-64 4-level page tables: the walker behind the VMM (see arch/paging.h). */
#include <arch/cpu.h>
#include <arch/cpu_features.h>
#include <arch/paging.h>

#include "mm/hhdm.h"
#include "mm/vmm.h"

#define MSR_PAT 0x277u
/*
 * PAT entries 0-3 (and again 4-7, so the PAT bit never matters):
 * WB (PTE: -), WC (PWT), UC- (PCD), UC (PCD|PWT).
 */
#define PAT_VALUE 0x0007010600070106ull
#define CACHE_BITS_WC PTE_PWT
#define CACHE_BITS_UC (PTE_PCD | PTE_PWT)

static inline uint64_t *table(uint64_t phys)
{
    return phys_to_virt(phys & PTE_ADDR);
}

static inline bool is_user(uint64_t va)
{
    return va < USER_SPACE_END;
}

void paging_flush_all(void)
{
    uint64_t cr4;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    if (cr4 & (1u << 7)) {
        __asm__ volatile("mov %0, %%cr4" ::"r"(cr4 & ~(1ull << 7)) : "memory");
        __asm__ volatile("mov %0, %%cr4" ::"r"(cr4) : "memory");
    } else {
        cr3_write(cr3_read());
    }
}

void paging_pat_init(void)
{
    if (!cpu_features.pat)
        return;
    uint64_t flags = irq_save();
    __asm__ volatile("wbinvd" ::: "memory");
    wrmsr(MSR_PAT, PAT_VALUE);
    paging_flush_all();
    irq_restore(flags);
}

static uint64_t leaf_bits(uint64_t va, unsigned flags, uint64_t size)
{
    uint64_t e = PTE_P;
    if (flags & VMM_WRITE)
        e |= PTE_W;
    if (flags & VMM_USER)
        e |= PTE_U;
    else if (!is_user(va) && cpu_features.pge)
        e |= PTE_G;
    if (!(flags & VMM_EXEC) && cpu_features.nx)
        e |= PTE_NX;
    if (flags & VMM_UC)
        e |= CACHE_BITS_UC;
    else if (flags & VMM_WC)
        e |= CACHE_BITS_WC;
    if (size != PAGE_4K)
        e |= PTE_PS;
    return e;
}

static unsigned leaf_flags(uint64_t e)
{
    unsigned f = 0;
    if (e & PTE_W)
        f |= VMM_WRITE;
    if (e & PTE_U)
        f |= VMM_USER;
    if (!(e & PTE_NX))
        f |= VMM_EXEC;
    if ((e & (PTE_PCD | PTE_PWT)) == CACHE_BITS_UC)
        f |= VMM_UC;
    else if ((e & (PTE_PCD | PTE_PWT)) == CACHE_BITS_WC)
        f |= VMM_WC;
    return f;
}

int pt_map(uint64_t root, uint64_t va, uint64_t pa, uint64_t size, unsigned flags, pt_alloc_fn alloc)
{
    int leaf_level = size == PAGE_1G ? 3 : size == PAGE_2M ? 2 : 1;
    uint64_t *t = table(root);
    for (int level = 4; level > leaf_level; level--) {
        uint64_t *e = &t[pt_index(va, level)];
        if (!(*e & PTE_P)) {
            uint64_t phys = alloc();
            if (!phys)
                return VMM_ENOMEM;
            /* Intermediate entries allow everything; the leaf decides. */
            *e = phys | PTE_P | PTE_W | (is_user(va) ? PTE_U : 0);
        } else if (*e & PTE_PS) {
            return VMM_EEXIST;
        }
        t = table(*e);
    }
    uint64_t *e = &t[pt_index(va, leaf_level)];
    if (*e & PTE_P)
        return VMM_EEXIST;
    *e = (pa & PTE_ADDR) | leaf_bits(va, flags, size);
    return 0;
}

/* The leaf entry mapping va and its page size, or NULL. */
static uint64_t *find_leaf(uint64_t root, uint64_t va, uint64_t *size)
{
    uint64_t *t = table(root);
    for (int level = 4; level >= 1; level--) {
        uint64_t *e = &t[pt_index(va, level)];
        if (!(*e & PTE_P))
            return NULL;
        if (level == 1 || (level <= 3 && (*e & PTE_PS))) {
            *size = level == 3 ? PAGE_1G : level == 2 ? PAGE_2M : PAGE_4K;
            return e;
        }
        t = table(*e);
    }
    return NULL;
}

bool pt_translate(uint64_t root, uint64_t va, uint64_t *pa, unsigned *flags, uint64_t *size)
{
    uint64_t sz;
    uint64_t *e = find_leaf(root, va, &sz);
    if (!e)
        return false;
    uint64_t base = *e & PTE_ADDR & ~(sz - 1);
    if (pa)
        *pa = base + (va & (sz - 1));
    if (flags)
        *flags = leaf_flags(*e);
    if (size)
        *size = sz;
    return true;
}

int pt_unmap(uint64_t root, uint64_t va, uint64_t *pa)
{
    uint64_t sz;
    uint64_t *e = find_leaf(root, va, &sz);
    if (!e || sz != PAGE_4K)
        return VMM_ENOENT;
    if (pa)
        *pa = *e & PTE_ADDR;
    *e = 0;
    return 0;
}

int pt_protect(uint64_t root, uint64_t va, unsigned flags)
{
    uint64_t sz;
    uint64_t *e = find_leaf(root, va, &sz);
    if (!e)
        return VMM_ENOENT;
    *e = (*e & PTE_ADDR & ~(sz - 1)) | leaf_bits(va, flags, sz);
    return 0;
}

int pt_split(uint64_t root, uint64_t va, pt_alloc_fn alloc)
{
    uint64_t sz;
    uint64_t *e = find_leaf(root, va, &sz);
    if (!e || sz == PAGE_4K)
        return VMM_ENOENT;
    uint64_t phys = alloc();
    if (!phys)
        return VMM_ENOMEM;
    uint64_t small = sz == PAGE_1G ? PAGE_2M : PAGE_4K;
    uint64_t base = *e & PTE_ADDR & ~(sz - 1);
    uint64_t bits = *e & ~PTE_ADDR;
    if (small == PAGE_4K)
        bits &= ~PTE_PS; /* in a PT, bit 7 is the PAT bit; our PAT encodings never set it */
    uint64_t *t = table(phys);
    for (int i = 0; i < 512; i++)
        t[i] = (base + i * small) | bits;
    uint64_t inter = PTE_P | PTE_W | (is_user(va) ? PTE_U : 0);
    __atomic_store_n(e, phys | inter, __ATOMIC_RELEASE);
    return 0;
}

bool pt_top_present(uint64_t root, uint64_t va)
{
    return table(root)[pt_index(va, 4)] & PTE_P;
}

/* Frees the subtree under a table at `level`, then the table itself. */
static void destroy_table(uint64_t phys, int level, pt_free_fn free_table, pt_free_fn free_frame)
{
    uint64_t *t = table(phys);
    for (int i = 0; i < 512; i++) {
        uint64_t e = t[i];
        if (!(e & PTE_P))
            continue;
        if (level == 1 || (e & PTE_PS)) {
            uint64_t size = level == 3 ? PAGE_1G : level == 2 ? PAGE_2M : PAGE_4K;
            if (free_frame)
                free_frame(e & PTE_ADDR & ~(size - 1), size / PAGE_4K);
        } else {
            destroy_table(e, level - 1, free_table, free_frame);
        }
    }
    free_table(phys & PTE_ADDR, 1);
}

void pt_destroy_user(uint64_t root, pt_free_fn free_table, pt_free_fn free_frame)
{
    uint64_t *pml4 = table(root);
    for (int i = 0; i < 256; i++) {
        if (pml4[i] & PTE_P)
            destroy_table(pml4[i], 3, free_table, free_frame);
        pml4[i] = 0;
    }
}
