/* Capability lock and minting (see cspace.h). */
#include "cap/cspace.h"

#include "sched/process.h"

spinlock_t cap_lock = SPINLOCK_INIT("capabilities");

int cspace_mint(struct process *p, uint64_t slot, uint8_t type, uint8_t rights, cap_object_t *object, uint64_t data0,
                uint64_t data1, uint32_t *out)
{
    spin_lock(&cap_lock);
    int r = p->cnode_chunk ? MN_ERR_OK : MN_ERR_DEAD;
    if (r == MN_ERR_OK && slot == 0) {
        uint32_t idx;
        r = cnode_find_free(&p->cnode, &idx);
        slot = idx;
    }
    if (r == MN_ERR_OK) {
        struct process *target = NULL;
        if (type == MN_CAP_PROCESS && object && object->refs == 0)
            target = (struct process *)((char *)object - __builtin_offsetof(struct process, obj));
        r = cap_create(&p->cnode, slot, type, rights, object, data0, data1);
        /* The first Process capability pins the struct; the object's release drops it. */
        if (r == MN_ERR_OK && target)
            process_get(target);
    }
    spin_unlock(&cap_lock);
    if (r == MN_ERR_OK && out)
        *out = (uint32_t)slot;
    return r;
}

int cspace_lookup(struct process *p, uint64_t slot, uint8_t type, uint8_t need, cap_slot_t **out)
{
    return cnode_lookup(&p->cnode, slot, type, need, out);
}
