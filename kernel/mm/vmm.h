/*
 * The virtual memory manager: address spaces (one PML4 each; the kernel
 * half is shared by all of them), 4 KiB mappings with W^X permissions, and
 * the kernel's own page tables built at boot:
 *
 *   0x0000000000000000 - 0x00007FFFFFFFFFFF  user space (per address space)
 *   0xFFFF800000000000 +                     HHDM: all RAM, MMIO on request
 *   0xFFFFFE0000000000 + 1 GiB               kernel virtual area: kernel
 *                                            stacks (guard page below each),
 *                                            large kmalloc blocks
 *   0xFFFFFFFF80000000 +                     the kernel image, W^X per section
 *
 * Mappings are non-executable and cached (write-back) unless flags say
 * otherwise. Every function takes the address space's lock itself.
 */
#ifndef MM_VMM_H
#define MM_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <mnos/errors.h>
#include <stdint.h>

#include <arch/paging.h>

#include "boot/boot_info.h"
#include "lib/spinlock.h"

/* Mapping flags. Without VMM_EXEC a page is no-execute (when the CPU has NX). */
#define VMM_WRITE 0x01u
#define VMM_EXEC 0x02u
#define VMM_USER 0x04u
#define VMM_UC 0x08u /* uncached (MMIO registers) */
#define VMM_WC 0x10u /* write-combining (framebuffers) */
#define VMM_FLAGS_ALL (VMM_WRITE | VMM_EXEC | VMM_USER | VMM_UC | VMM_WC)

/* Errors: the ABI's codes (abi/include/mnos/errors.h). */
#define VMM_ENOMEM MN_ERR_NO_MEMORY /* no frame for a page table */
#define VMM_EINVAL MN_ERR_BAD_ARG /* misaligned, non-canonical, wrong half, bad flags */
#define VMM_EEXIST MN_ERR_MAP_FAILED /* already mapped */
#define VMM_ENOENT MN_ERR_NOT_FOUND /* not mapped */

#define USER_SPACE_END ((uint64_t)0x0000800000000000)
#define KVA_BASE ((uint64_t)0xFFFFFE0000000000)
#define KVA_SIZE ((uint64_t)1 << 30)

struct addr_space {
    uint64_t pml4; /* physical address of the top-level table */
    spinlock_t lock; /* guards this space's page tables */
    struct addr_space *next, *prev; /* all address spaces, for kernel-half updates */
};

/* The kernel's address space (its lower half stays empty). */
extern struct addr_space kernel_as;

/*
 * Builds the kernel's page tables (HHDM over all RAM, device ranges already
 * handed out by hhdm_map, the kernel image with W^X) and switches to them.
 * Needs the PMM. Panics when out of memory.
 */
void vmm_init(const struct boot_info *bi);

/* True once vmm_init has switched to the kernel's own tables. */
bool vmm_ready(void);

/*
 * Maps the 4 KiB page at `va` to frame `pa` with `flags` in `as`. User
 * address spaces take lower-half addresses only, kernel_as upper-half ones.
 * Returns 0, VMM_EINVAL (misaligned, wrong half, bad flags, pa beyond what
 * the CPU can address), VMM_EEXIST (va
 * already mapped, including inside a large page) or VMM_ENOMEM.
 */
int vmm_map(struct addr_space *as, uintptr_t va, uint64_t pa, unsigned flags);

/*
 * Removes the 4 KiB mapping at `va` and flushes it from the TLB. Stores the
 * frame it mapped in *pa (if pa is not NULL). Returns 0, VMM_EINVAL or
 * VMM_ENOENT (nothing mapped, or va is inside a large page).
 */
int vmm_unmap(struct addr_space *as, uintptr_t va, uint64_t *pa);

/*
 * Unmaps `pages` consecutive pages from `va` with one TLB shootdown per
 * batch of 16, then hands each unmapped frame to `release` (e.g. pmm_free;
 * may be NULL). Returns 0, VMM_EINVAL, or VMM_ENOENT at the first page that
 * was not mapped (the pages before it are unmapped and released).
 */
int vmm_unmap_range(struct addr_space *as, uintptr_t va, size_t pages, void (*release)(uint64_t pa));

/*
 * Looks `va` up: true and the physical address (with va's offset) in *pa and
 * the mapping's VMM_* flags in *flags (either may be NULL), or false.
 */
bool vmm_translate(struct addr_space *as, uintptr_t va, uint64_t *pa, unsigned *flags);

/* Changes the flags of the page mapping `va`. Returns 0, VMM_EINVAL or VMM_ENOENT. */
int vmm_protect(struct addr_space *as, uintptr_t va, unsigned flags);

/*
 * TLB shootdown hook: invalidates [va, va+len) of `as` wherever it may be
 * cached: on this CPU (invlpg, or a full flush for long ranges) and, once
 * the SMP code has set vmm_remote_flush, on every other CPU. Called after
 * every unmap or permission change; may be called with locks held.
 */
void vmm_tlb_flush_range(struct addr_space *as, uintptr_t va, size_t len);

/*
 * Set by the SMP code when other CPUs run (e.g. to smp_tlb_shootdown):
 * invalidates [va, va+len) of `as` (NULL: the kernel half) on every other
 * CPU and returns when they are done. NULL while only this CPU runs.
 */
extern void (*vmm_remote_flush)(struct addr_space *as, uintptr_t va, size_t len);

/*
 * A new address space: an empty lower half and the kernel half shared with
 * every other space. NULL when out of memory.
 */
struct addr_space *addr_space_create(void);

/*
 * Tears `as` down bottom-up: frees every page-table page of the user half
 * and, if free_frames, every frame mapped there (only for spaces whose user
 * frames all came from pmm_alloc). `as` must not be active on any CPU.
 */
void addr_space_destroy(struct addr_space *as, bool free_frames);

/*
 * Page-table frames in use below the top level (kernel-half tables are
 * kept once made). With pmm_free_count() and the heap's own frames it makes
 * an exact leak check.
 */
uint64_t vmm_table_frames(void);

/* Makes `as` this CPU's active address space (loads CR3; inline: every switch between processes does it). */
static inline void addr_space_activate(struct addr_space *as)
{
    cr3_write(as->pml4);
}

#endif
