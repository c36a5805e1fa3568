/* PmmAllocator and MemoryFrame objects, and a process's cap mappings (see umem.h). */
#include "mm/umem.h"

#include "lib/string.h"
#include "mm/heap.h"
#include "mm/hhdm.h"
#include "mm/pmm.h"
#include "mm/vmm.h"
#include "sched/process.h"

static volatile uint64_t frames_live, allocators_live;

/* ---- allocators ---------------------------------------------------------- */

/* The last capability is gone (under cap_lock). */
static void allocator_release(cap_object_t *obj)
{
    mem_allocator_put((struct mem_allocator *)obj);
}

struct mem_allocator *mem_allocator_create(uint64_t limit, struct mem_allocator *parent)
{
    struct mem_allocator *a = kzalloc(sizeof *a);
    if (!a)
        return NULL;
    cap_object_init(&a->obj, MN_CAP_PMM_ALLOCATOR, allocator_release);
    a->refs = 1;
    a->limit = limit;
    a->parent = parent;
    if (parent)
        __atomic_fetch_add(&parent->refs, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&allocators_live, 1, __ATOMIC_RELAXED);
    return a;
}

void mem_allocator_put(struct mem_allocator *a)
{
    while (a && __atomic_sub_fetch(&a->refs, 1, __ATOMIC_ACQ_REL) == 0) {
        struct mem_allocator *parent = a->parent;
        kfree(a);
        __atomic_fetch_sub(&allocators_live, 1, __ATOMIC_RELAXED);
        a = parent;
    }
}

/* Takes back `pages` from a and every allocator above it, up to (not including) `stop`. */
static void uncharge(struct mem_allocator *a, struct mem_allocator *stop, uint64_t pages)
{
    for (; a != stop; a = a->parent)
        __atomic_sub_fetch(&a->used, pages, __ATOMIC_ACQ_REL);
}

/* Charges `pages` to a and every allocator above it; false (nothing charged) when one of them is over budget. */
static bool charge(struct mem_allocator *a, uint64_t pages)
{
    for (struct mem_allocator *x = a; x; x = x->parent) {
        if (__atomic_add_fetch(&x->used, pages, __ATOMIC_ACQ_REL) > x->limit) {
            uncharge(a, x->parent, pages);
            return false;
        }
    }
    return true;
}

/* ---- frames ---------------------------------------------------------------- */

static void frame_release(cap_object_t *obj)
{
    mem_frame_put((struct mem_frame *)obj);
}

struct mem_frame *mem_frame_alloc(struct mem_allocator *a, unsigned order)
{
    uint64_t pages = 1ull << order;
    if (!charge(a, pages))
        return NULL;
    struct mem_frame *f = kzalloc(sizeof *f);
    uint64_t phys = 0;
    if (f)
        phys = order == 0 ? pmm_alloc_zeroed() : pmm_alloc_contig(pages, pages);
    if (!phys) {
        kfree(f);
        uncharge(a, NULL, pages);
        return NULL;
    }
    if (order)
        memset(phys_to_virt(phys), 0, pages * PAGE_SIZE);
    cap_object_init(&f->obj, MN_CAP_MEMORY_FRAME, frame_release);
    f->refs = 1;
    f->order = order;
    f->phys = phys;
    f->from = a;
    __atomic_fetch_add(&a->refs, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&frames_live, 1, __ATOMIC_RELAXED);
    return f;
}

void mem_frame_get(struct mem_frame *f)
{
    __atomic_fetch_add(&f->refs, 1, __ATOMIC_RELAXED);
}

void mem_frame_put(struct mem_frame *f)
{
    if (__atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    struct mem_allocator *a = f->from;
    uint64_t pages = 1ull << f->order;
    pmm_free_contig(f->phys, pages);
    kfree(f);
    __atomic_fetch_sub(&frames_live, 1, __ATOMIC_RELAXED);
    uncharge(a, NULL, pages);
    mem_allocator_put(a);
}

uint64_t mem_frame_live_count(void)
{
    return frames_live;
}

uint64_t mem_allocator_live_count(void)
{
    return allocators_live;
}

/* ---- mappings ---------------------------------------------------------------- */

/* Maps `pages` pages of [phys...] at va, all or nothing; p->umap_lock held. */
static int map_range(struct process *p, uint64_t va, uint64_t phys, uint64_t pages, unsigned flags)
{
    for (uint64_t i = 0; i < pages; i++) {
        int r = vmm_map(p->as, va + i * PAGE_SIZE, phys + i * PAGE_SIZE, flags | VMM_USER);
        if (r != MN_ERR_OK) {
            if (i)
                vmm_unmap_range(p->as, va, i, NULL);
            return r;
        }
    }
    return MN_ERR_OK;
}

static int map_record(struct process *p, struct mem_frame *f, uint64_t phys, uint64_t pages, uint64_t va,
                      unsigned flags)
{
    struct umap *m = kmalloc(sizeof *m);
    if (!m)
        return MN_ERR_NO_MEMORY;
    spin_lock(&p->umap_lock);
    int r = p->umap_closed ? MN_ERR_DEAD : map_range(p, va, phys, pages, flags);
    if (r == MN_ERR_OK) {
        if (f)
            mem_frame_get(f);
        m->va = va;
        m->pages = pages;
        m->frame = f;
        m->next = p->umaps;
        p->umaps = m;
    }
    spin_unlock(&p->umap_lock);
    if (r != MN_ERR_OK)
        kfree(m);
    return r;
}

int umem_map(struct process *p, struct mem_frame *f, uint64_t va, unsigned flags)
{
    return map_record(p, f, f->phys, 1ull << f->order, va, flags);
}

int umem_map_mmio(struct process *p, uint64_t phys, uint64_t pages, uint64_t va, unsigned flags)
{
    return map_record(p, NULL, phys, pages, va, flags);
}

/* Undoes one mapping's page-table entries (flushing every TLB), then drops what it held. */
static void unmap_one(struct process *p, struct umap *m)
{
    vmm_unmap_range(p->as, m->va, m->pages, NULL); /* addr_space_destroy must not free these frames too */
    if (m->frame)
        mem_frame_put(m->frame);
    kfree(m);
}

int umem_unmap(struct process *p, uint64_t va, uint64_t pages)
{
    uint64_t end = va + pages * PAGE_SIZE, covered = 0;
    spin_lock(&p->umap_lock);
    int r = p->umap_closed ? MN_ERR_DEAD : MN_ERR_OK;
    /* Check first: every mapping the range touches lies inside it, and they cover it. */
    for (struct umap *m = p->umaps; r == MN_ERR_OK && m; m = m->next) {
        uint64_t mend = m->va + m->pages * PAGE_SIZE;
        if (mend <= va || m->va >= end)
            continue;
        if (m->va < va || mend > end)
            r = MN_ERR_BAD_ARG;
        covered += m->pages;
    }
    if (r == MN_ERR_OK && covered != pages)
        r = MN_ERR_NOT_FOUND;
    struct umap *gone = NULL;
    for (struct umap **pp = &p->umaps; r == MN_ERR_OK && *pp;) {
        struct umap *m = *pp;
        if (m->va >= va && m->va < end) {
            *pp = m->next;
            m->next = gone;
            gone = m;
        } else {
            pp = &m->next;
        }
    }
    while (gone) {
        struct umap *m = gone;
        gone = m->next;
        unmap_one(p, m);
    }
    spin_unlock(&p->umap_lock);
    return r;
}

void umem_teardown(struct process *p)
{
    spin_lock(&p->umap_lock);
    p->umap_closed = true;
    struct umap *list = p->umaps;
    p->umaps = NULL;
    spin_unlock(&p->umap_lock);
    while (list) {
        struct umap *m = list;
        list = m->next;
        unmap_one(p, m);
    }
}
