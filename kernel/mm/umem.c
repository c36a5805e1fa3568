/* PmmAllocator and MemoryFrame objects, and a process's cap mappings (see umem.h). */
#include "mm/umem.h"

#include "mm/heap.h"
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

struct mem_allocator *mem_allocator_create(uint64_t limit)
{
    struct mem_allocator *a = kzalloc(sizeof *a);
    if (!a)
        return NULL;
    cap_object_init(&a->obj, MN_CAP_PMM_ALLOCATOR, allocator_release);
    a->refs = 1;
    a->limit = limit;
    __atomic_fetch_add(&allocators_live, 1, __ATOMIC_RELAXED);
    return a;
}

void mem_allocator_put(struct mem_allocator *a)
{
    if (__atomic_sub_fetch(&a->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    kfree(a);
    __atomic_fetch_sub(&allocators_live, 1, __ATOMIC_RELAXED);
}

/* ---- frames ---------------------------------------------------------------- */

static void frame_release(cap_object_t *obj)
{
    mem_frame_put((struct mem_frame *)obj);
}

struct mem_frame *mem_frame_alloc(struct mem_allocator *a)
{
    if (__atomic_add_fetch(&a->used, 1, __ATOMIC_ACQ_REL) > a->limit) {
        __atomic_sub_fetch(&a->used, 1, __ATOMIC_ACQ_REL);
        return NULL;
    }
    struct mem_frame *f = kzalloc(sizeof *f);
    uint64_t phys = f ? pmm_alloc_zeroed() : 0;
    if (!phys) {
        kfree(f);
        __atomic_sub_fetch(&a->used, 1, __ATOMIC_ACQ_REL);
        return NULL;
    }
    cap_object_init(&f->obj, MN_CAP_MEMORY_FRAME, frame_release);
    f->refs = 1;
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
    pmm_free(f->phys);
    kfree(f);
    __atomic_fetch_sub(&frames_live, 1, __ATOMIC_RELAXED);
    __atomic_sub_fetch(&a->used, 1, __ATOMIC_ACQ_REL);
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

int umem_map(struct process *p, struct mem_frame *f, uint64_t va, unsigned flags)
{
    struct umap *m = kmalloc(sizeof *m);
    if (!m)
        return MN_ERR_NO_MEMORY;
    spin_lock(&p->umap_lock);
    int r = p->umap_closed ? MN_ERR_DEAD : vmm_map(p->as, va, f->phys, flags | VMM_USER);
    if (r == MN_ERR_OK) {
        mem_frame_get(f);
        m->va = va;
        m->frame = f;
        m->next = p->umaps;
        p->umaps = m;
    }
    spin_unlock(&p->umap_lock);
    if (r != MN_ERR_OK)
        kfree(m);
    return r;
}

static struct umap **find(struct process *p, uint64_t va)
{
    for (struct umap **pp = &p->umaps; *pp; pp = &(*pp)->next)
        if ((*pp)->va == va)
            return pp;
    return NULL;
}

int umem_unmap(struct process *p, uint64_t va, uint64_t pages)
{
    spin_lock(&p->umap_lock);
    int r = p->umap_closed ? MN_ERR_DEAD : MN_ERR_OK;
    for (uint64_t i = 0; r == MN_ERR_OK && i < pages; i++)
        if (!find(p, va + i * PAGE_SIZE))
            r = MN_ERR_NOT_FOUND;
    struct umap *gone = NULL;
    for (uint64_t i = 0; r == MN_ERR_OK && i < pages; i++) {
        struct umap **pp = find(p, va + i * PAGE_SIZE), *m = *pp;
        *pp = m->next;
        m->next = gone;
        gone = m;
        vmm_unmap(p->as, m->va, NULL); /* flushes every TLB before the frame can be freed below */
    }
    spin_unlock(&p->umap_lock);
    while (gone) {
        struct umap *m = gone;
        gone = m->next;
        mem_frame_put(m->frame);
        kfree(m);
    }
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
        vmm_unmap(p->as, m->va, NULL); /* so that addr_space_destroy does not free the frame too */
        mem_frame_put(m->frame);
        kfree(m);
    }
}
