/* Capability lock, CNode growth and minting (see cspace.h). */
#include "cap/cspace.h"

#include "mm/heap.h"
#include "sched/process.h"

spinlock_t cap_lock = SPINLOCK_INIT("capabilities");

static bool cap_lock_held(void)
{
    return spin_held(&cap_lock);
}

void cspace_init(void)
{
    cap_set_lock_check(cap_lock_held);
}

/* Adds one chunk to p's CNode (allocated here, outside cap_lock). */
static int grow(struct process *p)
{
    cap_slot_t *chunk = kmalloc(sizeof(cap_slot_t) * CNODE_CHUNK_SLOTS);
    if (!chunk)
        return MN_ERR_NO_MEMORY;
    spin_lock(&cap_lock);
    int r = p->cnode_chunk ? cnode_add_chunk(&p->cnode, chunk) : MN_ERR_DEAD;
    spin_unlock(&cap_lock);
    if (r != MN_ERR_OK)
        kfree(chunk);
    return r;
}

int cspace_reserve(struct process *p, uint64_t slot)
{
    if (slot == 0 || slot >= CNODE_MAX_SLOTS)
        return MN_ERR_INVALID_SLOT;
    for (;;) {
        spin_lock(&cap_lock);
        bool dead = !p->cnode_chunk;
        bool there = slot < cnode_capacity(&p->cnode);
        spin_unlock(&cap_lock);
        if (dead)
            return MN_ERR_DEAD;
        if (there)
            return MN_ERR_OK;
        int r = grow(p);
        if (r != MN_ERR_OK)
            return r == MN_ERR_NO_SPACE ? MN_ERR_INVALID_SLOT : r;
    }
}

int cspace_prepare_target(struct process *p, uint64_t slot)
{
    int r = cspace_reserve(p, slot);
    if (r != MN_ERR_OK)
        return r;
    cap_slot_t *t;
    spin_lock(&cap_lock);
    r = cspace_target(p, slot, &t);
    spin_unlock(&cap_lock);
    return r;
}

int cspace_mint(struct process *p, uint64_t slot, uint8_t type, uint8_t rights, cap_object_t *object, uint64_t data0,
                uint64_t data1, uint32_t *out)
{
    int r = slot ? cspace_reserve(p, slot) : MN_ERR_OK;
    if (r != MN_ERR_OK)
        return r;
    for (;;) {
        spin_lock(&cap_lock);
        r = p->cnode_chunk ? MN_ERR_OK : MN_ERR_DEAD;
        uint64_t index = slot;
        if (r == MN_ERR_OK && slot == 0) {
            uint32_t idx;
            r = cnode_find_free(&p->cnode, &idx);
            index = idx;
        }
        if (r == MN_ERR_OK) {
            struct process *target = NULL;
            if (type == MN_CAP_PROCESS && object && object->refs == 0)
                target = process_of_obj(object);
            r = cap_create(&p->cnode, index, type, rights, object, data0, data1);
            /* The first Process capability pins the struct; the object's release drops it. */
            if (r == MN_ERR_OK && target)
                process_get(target);
        }
        spin_unlock(&cap_lock);
        if (r == MN_ERR_NO_SPACE && slot == 0) {
            r = grow(p); /* full: add a chunk and look again */
            if (r == MN_ERR_OK)
                continue;
        }
        if (r == MN_ERR_OK && out)
            *out = (uint32_t)index;
        return r;
    }
}

int cspace_lookup(struct process *p, uint64_t slot, uint8_t type, uint8_t need, cap_slot_t **out)
{
    return cnode_lookup(&p->cnode, slot, type, need, out);
}

int cspace_target(struct process *p, uint64_t slot, cap_slot_t **out)
{
    cap_slot_t *s = p->cnode_chunk ? cnode_slot(&p->cnode, slot) : NULL;
    if (!p->cnode_chunk)
        return MN_ERR_DEAD;
    if (!s)
        return MN_ERR_INVALID_SLOT;
    if (cap_present(s))
        return MN_ERR_SLOT_OCCUPIED;
    *out = s;
    return MN_ERR_OK;
}

int cspace_get_process(struct process *p, uint64_t slot, uint8_t need, struct process **out)
{
    cap_slot_t *s;
    int r = cspace_lookup(p, slot, MN_CAP_PROCESS, need, &s);
    if (r != MN_ERR_OK)
        return r;
    struct process *target = process_of_obj(s->object);
    if (!target->cnode_chunk) /* torn down */
        return MN_ERR_DEAD;
    process_get(target);
    *out = target;
    return MN_ERR_OK;
}
