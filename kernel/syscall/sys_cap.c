/*
 * Capability-space calls on the caller's own CNode (drop, inspect, copy,
 * move, revoke), delegation to another process, and endpoint creation.
 * Each looks everything up and checks it under cap_lock before changing
 * anything; a destination slot beyond the CNode grows it first
 * (cspace_reserve), up to CNODE_MAX_SLOTS.
 */
#include "cap/cspace.h"
#include "ipc/endpoint.h"
#include "sched/process.h"
#include "sched/sched.h"
#include "syscall/syscall.h"

static struct process *self(void)
{
    return sched_current()->process;
}

int64_t sys_DROP_CAP(uint64_t a[6])
{
    cap_slot_t *s;
    spin_lock(&cap_lock);
    int r = cspace_lookup(self(), a[0], MN_CAP_EMPTY, 0, &s);
    if (r == MN_ERR_OK)
        r = cap_delete(s);
    spin_unlock(&cap_lock);
    return r;
}

int64_t sys_INSPECT(uint64_t a[6])
{
    cap_slot_t *s;
    spin_lock(&cap_lock);
    int64_t r = cspace_lookup(self(), a[0], MN_CAP_EMPTY, 0, &s);
    if (r == MN_ERR_OK)
        r = (int64_t)MN_INSPECT_MAKE(s->type, s->rights);
    spin_unlock(&cap_lock);
    return r;
}

int64_t sys_REVOKE(uint64_t a[6])
{
    cap_slot_t *s;
    spin_lock(&cap_lock);
    int r = cspace_lookup(self(), a[0], MN_CAP_EMPTY, MN_RIGHT_REVOKE, &s);
    if (r == MN_ERR_OK)
        r = cap_revoke(s, NULL);
    spin_unlock(&cap_lock);
    return r;
}

/* Source slot, destination slot, rights mask: a derived copy in the caller's own CNode. */
int64_t sys_COPY_CAP(uint64_t a[6])
{
    if (a[2] & ~(uint64_t)MN_RIGHTS_ALL)
        return MN_ERR_BAD_ARG;
    struct process *p = self();
    int r = cspace_reserve(p, a[1]);
    if (r != MN_ERR_OK)
        return r;
    cap_slot_t *s;
    spin_lock(&cap_lock);
    r = cspace_lookup(p, a[0], MN_CAP_EMPTY, 0, &s);
    if (r == MN_ERR_OK)
        r = cap_derive(s, &p->cnode, a[1], (uint8_t)a[2], NULL);
    spin_unlock(&cap_lock);
    return r;
}

/* Source slot, destination slot: the capability changes slots, keeping its place in the derivation tree. */
int64_t sys_MOVE_CAP(uint64_t a[6])
{
    struct process *p = self();
    int r = cspace_reserve(p, a[1]);
    if (r != MN_ERR_OK)
        return r;
    cap_slot_t *s;
    spin_lock(&cap_lock);
    r = cspace_lookup(p, a[0], MN_CAP_EMPTY, 0, &s);
    if (r == MN_ERR_OK)
        r = cap_move(s, &p->cnode, a[1], NULL);
    spin_unlock(&cap_lock);
    return r;
}

/*
 * Process slot (needs WRITE), source slot (needs GRANT), destination slot
 * in the target's CNode, rights mask: a derived copy in another process.
 */
int64_t sys_DELEGATE(uint64_t a[6])
{
    if (a[3] & ~(uint64_t)MN_RIGHTS_ALL)
        return MN_ERR_BAD_ARG;
    struct process *p = self(), *target = NULL;
    cap_slot_t *src;
    spin_lock(&cap_lock);
    int r = cspace_get_process(p, a[0], MN_RIGHT_WRITE, &target);
    if (r == MN_ERR_OK && (r = cspace_lookup(p, a[1], MN_CAP_EMPTY, MN_RIGHT_GRANT, &src)) != MN_ERR_OK)
        process_put(target);
    spin_unlock(&cap_lock);
    if (r != MN_ERR_OK)
        return r;
    r = cspace_reserve(target, a[2]);
    if (r == MN_ERR_OK) {
        /* Looked up again: the slots may have changed while cap_lock was not held. */
        spin_lock(&cap_lock);
        r = cspace_lookup(p, a[1], MN_CAP_EMPTY, MN_RIGHT_GRANT, &src);
        cap_slot_t *t;
        if (r == MN_ERR_OK)
            r = cspace_target(target, a[2], &t);
        if (r == MN_ERR_OK)
            r = cap_derive(src, &target->cnode, a[2], (uint8_t)a[3], NULL);
        spin_unlock(&cap_lock);
    }
    process_put(target);
    return r;
}

int64_t sys_ENDPOINT_CREATE(uint64_t a[6])
{
    struct process *p = self();
    int r = cspace_prepare_target(p, a[0]);
    if (r != MN_ERR_OK)
        return r;
    struct endpoint *ep = endpoint_create();
    if (!ep)
        return MN_ERR_NO_MEMORY;
    r = cspace_mint(p, a[0], MN_CAP_ENDPOINT, MN_RIGHTS_ALL, &ep->obj, 0, 0, NULL);
    if (r != MN_ERR_OK)
        endpoint_put(ep); /* another thread filled the slot meanwhile */
    return r;
}

/*
 * Endpoint slot (unbadged, needs GRANT), destination slot, badge (1 to
 * 2^62 - 1): a derived copy carrying the badge, which every message sent
 * through it delivers to the receiver (a server tells its clients apart).
 */
int64_t sys_BADGE_CAP(uint64_t a[6])
{
    if (a[2] == 0 || a[2] >= (1ull << 62))
        return MN_ERR_BAD_ARG;
    struct process *p = self();
    int r = cspace_reserve(p, a[1]);
    if (r != MN_ERR_OK)
        return r;
    cap_slot_t *s, *copy;
    spin_lock(&cap_lock);
    r = cspace_lookup(p, a[0], MN_CAP_ENDPOINT, MN_RIGHT_GRANT, &s);
    if (r == MN_ERR_OK && s->data[0] != 0)
        r = MN_ERR_BAD_ARG; /* a badge is set once */
    if (r == MN_ERR_OK)
        r = cap_derive(s, &p->cnode, a[1], MN_RIGHTS_ALL, &copy);
    if (r == MN_ERR_OK)
        copy->data[0] = a[2];
    spin_unlock(&cap_lock);
    return r;
}
