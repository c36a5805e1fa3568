/*
 * Memory calls: ALLOC_MEMORY (a MemoryFrame from a PmmAllocator),
 * MAP_MEMORY (a frame into a process's address space) and UNMAP (pages
 * mapped that way). Objects and their lifetime: mm/umem.h.
 *
 * Rights: the allocator cap needs WRITE; the Process cap of MAP/UNMAP needs
 * WRITE; a frame cap needs READ to be mapped at all, WRITE to be mapped
 * writable, EXEC to be mapped executable. Every argument is checked
 * (decode), with the objects pinned by references taken under cap_lock,
 * before anything changes (invoke).
 */
#include <mnos/layout.h>

#include "cap/cspace.h"
#include "mm/pmm.h"
#include "mm/umem.h"
#include "mm/vmm.h"
#include "sched/process.h"
#include "sched/sched.h"
#include "syscall/syscall.h"

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

/* The live process a Process cap in slot `slot` names, with a reference; cap_lock held. */
static int lookup_process(uint64_t slot, struct process **out)
{
    cap_slot_t *s;
    int r = cspace_lookup(self(), slot, MN_CAP_PROCESS, MN_RIGHT_WRITE, &s);
    if (r != MN_ERR_OK)
        return r;
    struct process *p = (struct process *)((char *)s->object - __builtin_offsetof(struct process, obj));
    if (!p->cnode_chunk) /* torn down */
        return MN_ERR_DEAD;
    process_get(p);
    *out = p;
    return MN_ERR_OK;
}

/* allocator slot, target slot */
int64_t sys_ALLOC_MEMORY(uint64_t a[6])
{
    struct process *p = self();
    cap_slot_t *s, *t;
    struct mem_allocator *alloc = NULL;
    spin_lock(&cap_lock);
    int r = cspace_lookup(p, a[0], MN_CAP_PMM_ALLOCATOR, MN_RIGHT_WRITE, &s);
    if (r == MN_ERR_OK) {
        t = cnode_slot(&p->cnode, a[1]);
        r = !t ? MN_ERR_INVALID_SLOT : cap_present(t) ? MN_ERR_SLOT_OCCUPIED : MN_ERR_OK;
    }
    if (r == MN_ERR_OK) {
        alloc = (struct mem_allocator *)s->object;
        __atomic_fetch_add(&alloc->refs, 1, __ATOMIC_RELAXED);
    }
    spin_unlock(&cap_lock);
    if (r != MN_ERR_OK)
        return r;
    struct mem_frame *f = mem_frame_alloc(alloc);
    mem_allocator_put(alloc);
    if (!f)
        return MN_ERR_NO_MEMORY;
    r = cspace_mint(p, a[1], MN_CAP_MEMORY_FRAME, MN_RIGHTS_ALL, &f->obj, f->phys, 0, NULL);
    if (r != MN_ERR_OK)
        mem_frame_put(f); /* another thread filled the slot meanwhile */
    return r;
}

/* process slot, frame slot, vaddr, flags (MN_MAP_WRITE, MN_MAP_EXEC; not both) */
int64_t sys_MAP_MEMORY(uint64_t a[6])
{
    uint64_t flags = a[3];
    if ((flags & ~(uint64_t)(MN_MAP_WRITE | MN_MAP_EXEC)) || flags == (MN_MAP_WRITE | MN_MAP_EXEC))
        return MN_ERR_BAD_ARG;
    int r = check_range(a[2], 1);
    if (r != MN_ERR_OK)
        return r;
    uint8_t need =
        MN_RIGHT_READ | (flags & MN_MAP_WRITE ? MN_RIGHT_WRITE : 0) | (flags & MN_MAP_EXEC ? MN_RIGHT_EXEC : 0);
    struct process *target = NULL;
    struct mem_frame *f = NULL;
    cap_slot_t *fs;
    spin_lock(&cap_lock);
    r = cspace_lookup(self(), a[1], MN_CAP_MEMORY_FRAME, need, &fs);
    if (r == MN_ERR_OK)
        r = lookup_process(a[0], &target);
    if (r == MN_ERR_OK) {
        f = (struct mem_frame *)fs->object;
        mem_frame_get(f);
    }
    spin_unlock(&cap_lock);
    if (r != MN_ERR_OK)
        return r;
    unsigned vflags = (flags & MN_MAP_WRITE ? VMM_WRITE : 0) | (flags & MN_MAP_EXEC ? VMM_EXEC : 0);
    r = umem_map(target, f, a[2], vflags);
    mem_frame_put(f);
    process_put(target);
    return r;
}

/* process slot, vaddr, page count: pages mapped with MAP_MEMORY only */
int64_t sys_UNMAP(uint64_t a[6])
{
    if (a[2] == 0 || a[2] > UNMAP_MAX_PAGES)
        return MN_ERR_BAD_ARG;
    int r = check_range(a[1], a[2]);
    if (r != MN_ERR_OK)
        return r;
    struct process *target = NULL;
    spin_lock(&cap_lock);
    r = lookup_process(a[0], &target);
    spin_unlock(&cap_lock);
    if (r != MN_ERR_OK)
        return r;
    r = umem_unmap(target, a[1], a[2]);
    process_put(target);
    return r;
}
