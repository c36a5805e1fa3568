/*
 * Memory calls: ALLOC_MEMORY (a MemoryFrame of 2^order pages from a
 * PmmAllocator), MAP_MEMORY (a whole frame into a process's address space),
 * MAP_MMIO (a whole MmioRegion, uncached) and UNMAP (whole mappings made
 * either way). Objects and their lifetime: mm/umem.h.
 *
 * Rights: the allocator cap needs WRITE; the Process cap of MAP/UNMAP needs
 * WRITE; a frame or MMIO cap needs READ to be mapped at all, WRITE to be
 * mapped writable, EXEC (frames only: device memory is never executable) to
 * be mapped executable. Every argument is checked (decode), with the
 * objects pinned by references taken under cap_lock, before anything
 * changes (invoke).
 */
#include <mnos/layout.h>

#include "cap/cspace.h"
#include "mm/heap.h"
#include "mm/hhdm.h"
#include "mm/pmm.h"
#include "mm/umem.h"
#include "mm/vmm.h"
#include "sched/process.h"
#include "sched/sched.h"
#include "syscall/syscall.h"
#include "syscall/uaccess.h"

#define UNMAP_MAX_PAGES 1024u

/* The highest page a mapping may use: a SYSCALL from the last user page would return to a non-canonical RIP. */
#define USER_MAP_LAST (USER_SPACE_END - 2 * PAGE_SIZE)

static struct process *self(void)
{
    return sched_current()->process;
}

/*
 * `pages` pages from va: aligned (else MN_ERR_NO_MEMORY, the roadmap's
 * alignment code), inside [MN_USER_MIN, USER_MAP_LAST] (else MN_ERR_BAD_ARG).
 */
static int check_range(uint64_t va, uint64_t pages)
{
    if (va & (PAGE_SIZE - 1))
        return MN_ERR_NO_MEMORY;
    if (va < MN_USER_MIN || va > USER_MAP_LAST || pages - 1 > (USER_MAP_LAST - va) / PAGE_SIZE)
        return MN_ERR_BAD_ARG;
    return MN_ERR_OK;
}

/* The PmmAllocator in `slot` with `need`, with a reference the caller puts. */
static int get_allocator(uint64_t slot, uint8_t need, struct mem_allocator **out)
{
    cap_slot_t *s;
    spin_lock(&cap_lock);
    int r = cspace_lookup(self(), slot, MN_CAP_PMM_ALLOCATOR, need, &s);
    if (r == MN_ERR_OK) {
        *out = (struct mem_allocator *)s->object;
        __atomic_fetch_add(&(*out)->refs, 1, __ATOMIC_RELAXED);
    }
    spin_unlock(&cap_lock);
    return r;
}

/* A MemoryFrame of 2^order pages from the allocator in `aslot` into the empty slot `tslot`. */
static int64_t alloc_frame(uint64_t aslot, uint64_t tslot, uint64_t order)
{
    if (order > MEM_FRAME_MAX_ORDER)
        return MN_ERR_BAD_ARG;
    struct process *p = self();
    int r = cspace_prepare_target(p, tslot);
    if (r != MN_ERR_OK)
        return r;
    struct mem_allocator *alloc;
    r = get_allocator(aslot, MN_RIGHT_WRITE, &alloc);
    if (r != MN_ERR_OK)
        return r;
    struct mem_frame *f = mem_frame_alloc(alloc, (unsigned)order);
    mem_allocator_put(alloc);
    if (!f)
        return MN_ERR_NO_MEMORY;
    r = cspace_mint(p, tslot, MN_CAP_MEMORY_FRAME, MN_RIGHTS_ALL, &f->obj, f->phys, f->order, NULL);
    if (r != MN_ERR_OK)
        mem_frame_put(f); /* another thread filled the slot meanwhile */
    return r;
}

/* allocator slot, target slot */
int64_t sys_ALLOC_MEMORY(uint64_t a[6])
{
    return alloc_frame(a[0], a[1], 0);
}

/* allocator slot, target slot, order */
int64_t sys_ALLOC_PAGES(uint64_t a[6])
{
    return alloc_frame(a[0], a[1], a[2]);
}

/* The VMM flags for MN_MAP_* `flags`, and the rights they need; MN_ERR_BAD_ARG for unknown bits or W+X. */
static int decode_map_flags(uint64_t flags, unsigned *vflags, uint8_t *need)
{
    if ((flags & ~(uint64_t)(MN_MAP_WRITE | MN_MAP_EXEC)) || flags == (MN_MAP_WRITE | MN_MAP_EXEC))
        return MN_ERR_BAD_ARG;
    *need = MN_RIGHT_READ | (flags & MN_MAP_WRITE ? MN_RIGHT_WRITE : 0) | (flags & MN_MAP_EXEC ? MN_RIGHT_EXEC : 0);
    *vflags = (flags & MN_MAP_WRITE ? VMM_WRITE : 0) | (flags & MN_MAP_EXEC ? VMM_EXEC : 0);
    return MN_ERR_OK;
}

/* process slot, frame slot, vaddr, flags (MN_MAP_WRITE, MN_MAP_EXEC; not both): the whole frame */
int64_t sys_MAP_MEMORY(uint64_t a[6])
{
    unsigned vflags;
    uint8_t need;
    int r = decode_map_flags(a[3], &vflags, &need);
    if (r != MN_ERR_OK)
        return r;
    struct process *target = NULL;
    struct mem_frame *f = NULL;
    cap_slot_t *fs;
    spin_lock(&cap_lock);
    r = cspace_lookup(self(), a[1], MN_CAP_MEMORY_FRAME, need, &fs);
    if (r == MN_ERR_OK)
        r = check_range(a[2], 1ull << fs->data[1]);
    if (r == MN_ERR_OK)
        r = cspace_get_process(self(), a[0], MN_RIGHT_WRITE, &target);
    if (r == MN_ERR_OK) {
        f = (struct mem_frame *)fs->object;
        mem_frame_get(f);
    }
    spin_unlock(&cap_lock);
    if (r != MN_ERR_OK)
        return r;
    r = umem_map(target, f, a[2], vflags);
    mem_frame_put(f);
    process_put(target);
    return r;
}

/* process slot, mmio slot, vaddr, flags (MN_MAP_WRITE only): the whole region, uncached (but the initrd's) */
int64_t sys_MAP_MMIO(uint64_t a[6])
{
    if (a[3] & MN_MAP_EXEC)
        return MN_ERR_BAD_ARG;
    unsigned vflags;
    uint8_t need;
    int r = decode_map_flags(a[3], &vflags, &need);
    if (r != MN_ERR_OK)
        return r;
    struct process *target = NULL;
    cap_slot_t *ms;
    uint64_t phys = 0, pages = 0;
    spin_lock(&cap_lock);
    r = cspace_lookup(self(), a[1], MN_CAP_MMIO_REGION, need, &ms);
    if (r == MN_ERR_OK) {
        phys = ms->data[0];
        pages = ms->data[1] / PAGE_SIZE;
        if (!(ms->flags & CAP_MMIO_CACHED))
            vflags |= VMM_UC;
        r = check_range(a[2], pages);
    }
    if (r == MN_ERR_OK)
        r = cspace_get_process(self(), a[0], MN_RIGHT_WRITE, &target);
    spin_unlock(&cap_lock);
    if (r != MN_ERR_OK)
        return r;
    r = umem_map_mmio(target, phys, pages, a[2], vflags);
    process_put(target);
    return r;
}

/* process slot, vaddr, page count: whole mappings made by MAP_MEMORY or MAP_MMIO */
int64_t sys_UNMAP(uint64_t a[6])
{
    if (a[2] == 0 || a[2] > UNMAP_MAX_PAGES)
        return MN_ERR_BAD_ARG;
    int r = check_range(a[1], a[2]);
    if (r != MN_ERR_OK)
        return r;
    struct process *target = NULL;
    spin_lock(&cap_lock);
    r = cspace_get_process(self(), a[0], MN_RIGHT_WRITE, &target);
    spin_unlock(&cap_lock);
    if (r != MN_ERR_OK)
        return r;
    r = umem_unmap(target, a[1], a[2]);
    process_put(target);
    return r;
}

/* frame slot (READ) -> physical address, order: what a driver programs into a device for DMA */
int64_t sys_FRAME_INFO(uint64_t a[6])
{
    cap_slot_t *s;
    spin_lock(&cap_lock);
    int r = cspace_lookup(self(), a[0], MN_CAP_MEMORY_FRAME, MN_RIGHT_READ, &s);
    if (r == MN_ERR_OK) {
        a[0] = s->data[0];
        a[1] = s->data[1];
        a[2] = 0;
    }
    spin_unlock(&cap_lock);
    return r;
}

/* allocator slot (WRITE), target slot, budget in pages: a sub-allocator whose frames count against this one too */
int64_t sys_ALLOCATOR_CREATE(uint64_t a[6])
{
    if (a[2] == 0)
        return MN_ERR_BAD_ARG;
    struct process *p = self();
    int r = cspace_prepare_target(p, a[1]);
    if (r != MN_ERR_OK)
        return r;
    struct mem_allocator *parent;
    r = get_allocator(a[0], MN_RIGHT_WRITE, &parent);
    if (r != MN_ERR_OK)
        return r;
    struct mem_allocator *child = mem_allocator_create(a[2], parent);
    mem_allocator_put(parent);
    if (!child)
        return MN_ERR_NO_MEMORY;
    r = cspace_mint(p, a[1], MN_CAP_PMM_ALLOCATOR, MN_RIGHTS_ALL, &child->obj, 0, 0, NULL);
    if (r != MN_ERR_OK)
        mem_allocator_put(child);
    return r;
}

/*
 * allocator slot (READ) -> free frames (with those the kernel heap and the page-table cache keep for reuse),
 * kernel heap bytes in use, processes alive: for leak checks from Ring 3
 */
int64_t sys_MEM_STATS(uint64_t a[6])
{
    struct mem_allocator *alloc;
    int r = get_allocator(a[0], MN_RIGHT_READ, &alloc);
    if (r != MN_ERR_OK)
        return r;
    mem_allocator_put(alloc);
    /* Frames the heap keeps (arenas) and page tables kept for reuse count as free: they are not in use. */
    struct heap_stats h = kheap_stats();
    a[0] = pmm_free_count() + (h.arena_bytes + h.big_bytes) / PAGE_SIZE + vmm_table_frames();
    a[1] = h.bytes_in_use;
    a[2] = process_live_count();
    return MN_ERR_OK;
}

/*
 * frame slot (WRITE), offset, user pointer, length: copies bytes from the
 * caller into the frame without mapping it (how a parent fills a child's
 * pages: no mapping in its own space, no TLB shootdown to undo one).
 */
int64_t sys_FRAME_WRITE(uint64_t a[6])
{
    cap_slot_t *s;
    struct mem_frame *f = NULL;
    spin_lock(&cap_lock);
    int r = cspace_lookup(self(), a[0], MN_CAP_MEMORY_FRAME, MN_RIGHT_WRITE, &s);
    if (r == MN_ERR_OK) {
        f = (struct mem_frame *)s->object;
        mem_frame_get(f);
    }
    spin_unlock(&cap_lock);
    if (r != MN_ERR_OK)
        return r;
    uint64_t size = PAGE_SIZE << f->order;
    if (a[1] > size || a[3] > size - a[1])
        r = MN_ERR_BAD_ARG;
    else
        r = copy_from_user((uint8_t *)phys_to_virt(f->phys) + a[1], a[2], a[3]);
    mem_frame_put(f);
    return r;
}
