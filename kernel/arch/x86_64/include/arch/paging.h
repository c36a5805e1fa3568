/*
 * x86-64 4-level paging: entry bits, TLB and CR3 primitives, the PAT, and
 * the page-table walker the VMM drives. The walker works on a table tree
 * named by its PML4's physical address and reaches tables through the HHDM;
 * it takes no locks (the VMM holds the address space's lock).
 */
#ifndef ARCH_PAGING_H
#define ARCH_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_U (1ull << 2)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_A (1ull << 5)
#define PTE_D (1ull << 6)
#define PTE_PS (1ull << 7)
#define PTE_G (1ull << 8)
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000FFFFFFFFFF000ull

#define PAGE_4K ((uint64_t)1 << 12)
#define PAGE_2M ((uint64_t)1 << 21)
#define PAGE_1G ((uint64_t)1 << 30)

/* Index of `va` in the table of `level` (4 = PML4 ... 1 = PT). */
static inline unsigned pt_index(uint64_t va, int level)
{
    return (va >> (12 + 9 * (level - 1))) & 511;
}

static inline uint64_t cr3_read(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}

static inline void cr3_write(uint64_t v)
{
    __asm__ volatile("mov %0, %%cr3" ::"r"(v) : "memory");
}

static inline void invlpg(uintptr_t va)
{
    __asm__ volatile("invlpg (%0)" ::"r"(va) : "memory");
}

/* Flushes this CPU's whole TLB, global entries included. */
void paging_flush_all(void);

/* Programs this CPU's PAT so that WB, WC and UC have fixed PTE encodings. */
void paging_pat_init(void);

/* Allocates a zeroed page-table frame (physical address, 0 if none). */
typedef uint64_t (*pt_alloc_fn)(void);
/* Frees `count` frames starting at `phys`. */
typedef void (*pt_free_fn)(uint64_t phys, uint64_t count);

/*
 * Maps one page of `size` (PAGE_4K, PAGE_2M, or PAGE_1G) at `va` to `pa`
 * with VMM_* `flags`, creating intermediate tables with `alloc`. Returns 0,
 * VMM_EEXIST (something is mapped there or a large page covers va) or
 * VMM_ENOMEM. Kernel-half mappings are global.
 */
int pt_map(uint64_t root, uint64_t va, uint64_t pa, uint64_t size, unsigned flags, pt_alloc_fn alloc);

/* Looks va up: true with *pa (va's offset included), *flags (VMM_*) and *size of the page. */
bool pt_translate(uint64_t root, uint64_t va, uint64_t *pa, unsigned *flags, uint64_t *size);

/* Clears the 4 KiB mapping of va; *pa gets the frame. 0 or VMM_ENOENT. No TLB flush. */
int pt_unmap(uint64_t root, uint64_t va, uint64_t *pa);

/* Rewrites the flags of the page (of any size) mapping va. 0 or VMM_ENOENT. No TLB flush. */
int pt_protect(uint64_t root, uint64_t va, unsigned flags);

/*
 * Splits the large page mapping va into 512 pages of the next smaller size
 * with the same flags. Returns 0, VMM_ENOENT (no large page there) or
 * VMM_ENOMEM. No TLB flush.
 */
int pt_split(uint64_t root, uint64_t va, pt_alloc_fn alloc);

/* True if the PML4 entry covering va is present. */
bool pt_top_present(uint64_t root, uint64_t va);

/*
 * Frees the user half bottom-up: every page-table page through free_table
 * and, when free_frame is not NULL, every mapped frame. Clears the PML4's
 * lower half; the PML4 itself stays.
 */
void pt_destroy_user(uint64_t root, pt_free_fn free_table, pt_free_fn free_frame);

#endif
