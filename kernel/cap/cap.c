/*
 * Capabilities and the derivation tree: create, derive (copy/delegate),
 * move, delete and revoke. Every function checks its arguments before it
 * changes anything. Callers hold the capability lock (see cap.h).
 */
#include "cap/cap.h"

#ifdef HOST_TEST
#include <assert.h>
#else
#include "debug/panic.h"
#endif

static bool (*lock_held)(void);
volatile uint64_t cap_generation;

/* A capability left its slot: lookups cached under the old generation are stale now. */
static void bump_generation(void)
{
    __atomic_store_n(&cap_generation, cap_generation + 1, __ATOMIC_RELEASE);
}

void cap_set_lock_check(bool (*held)(void))
{
    lock_held = held;
}

void cap_assert_locked(void)
{
    assert(!lock_held || lock_held());
}

void cap_object_init(cap_object_t *obj, uint32_t type, cap_release_fn release)
{
    obj->refs = 0;
    obj->type = type;
    obj->release = release;
    obj->next_released = NULL;
}

/* Takes a reference; false when the count would overflow. */
static bool object_get(cap_object_t *obj)
{
    if (!obj)
        return true;
    if (obj->refs == UINT32_MAX)
        return false;
    obj->refs++;
    return true;
}

/* Drops a reference; the object goes on *pending when it was the last. */
static void object_put(cap_object_t *obj, cap_object_t **pending)
{
    if (!obj)
        return;
    assert(obj->refs > 0);
    if (--obj->refs == 0) {
        obj->next_released = *pending;
        *pending = obj;
    }
}

/* Runs the release callbacks of an operation, once the tree is consistent again. */
static void release_pending(cap_object_t *pending)
{
    while (pending) {
        cap_object_t *obj = pending;
        pending = obj->next_released;
        obj->next_released = NULL;
        if (obj->release)
            obj->release(obj);
    }
}

/* Empties a slot's contents; its number and CNode stay. */
static void slot_reset(cap_slot_t *s)
{
    s->type = MN_CAP_EMPTY;
    s->rights = 0;
    s->flags = 0;
    s->object = NULL;
    s->data[0] = s->data[1] = 0;
    s->parent = s->first_child = s->next_sibling = s->prev_sibling = NULL;
    s->cnode->used--;
}

/* The empty destination slot for a new capability, or an error. */
static int target_slot(cnode_t *cn, uint64_t index, cap_slot_t **out)
{
    cap_slot_t *s = cnode_slot(cn, index);
    if (!s)
        return MN_ERR_INVALID_SLOT;
    if (cap_present(s))
        return MN_ERR_SLOT_OCCUPIED;
    *out = s;
    return MN_ERR_OK;
}

/* Makes `child` the first child of `parent`. */
static void link_child(cap_slot_t *parent, cap_slot_t *child)
{
    child->parent = parent;
    child->prev_sibling = NULL;
    child->next_sibling = parent->first_child;
    if (parent->first_child)
        parent->first_child->prev_sibling = child;
    parent->first_child = child;
}

/* Takes a childless slot out of its sibling list. */
static void unlink_leaf(cap_slot_t *s)
{
    assert(!s->first_child);
    if (s->prev_sibling)
        s->prev_sibling->next_sibling = s->next_sibling;
    else if (s->parent)
        s->parent->first_child = s->next_sibling;
    if (s->next_sibling)
        s->next_sibling->prev_sibling = s->prev_sibling;
}

int cap_create(cnode_t *cn, uint64_t index, uint8_t type, uint8_t rights, cap_object_t *object, uint64_t data0,
               uint64_t data1)
{
    cap_assert_locked();
    cap_slot_t *s;
    int err = target_slot(cn, index, &s);
    if (err)
        return err;
    if (type == MN_CAP_EMPTY || type >= MN_CAP_TYPE_COUNT || (rights & ~MN_RIGHTS_ALL))
        return MN_ERR_BAD_ARG;
    if (!object_get(object))
        return MN_ERR_NO_SPACE;
    s->type = type;
    s->rights = rights;
    s->flags = 0;
    s->object = object;
    s->data[0] = data0;
    s->data[1] = data1;
    s->parent = s->first_child = s->next_sibling = s->prev_sibling = NULL;
    cn->used++;
    return MN_ERR_OK;
}

int cap_derive(cap_slot_t *src, cnode_t *dst, uint64_t index, uint8_t rights_mask, cap_slot_t **out)
{
    cap_assert_locked();
    cap_slot_t *s;
    if (!cap_present(src))
        return MN_ERR_INVALID_SLOT;
    int err = target_slot(dst, index, &s);
    if (err)
        return err;
    if (!object_get(src->object))
        return MN_ERR_NO_SPACE;
    s->type = src->type;
    s->rights = src->rights & rights_mask;
    s->flags = src->flags;
    s->object = src->object;
    s->data[0] = src->data[0];
    s->data[1] = src->data[1];
    s->first_child = NULL;
    link_child(src, s);
    dst->used++;
    if (out)
        *out = s;
    return MN_ERR_OK;
}

int cap_move(cap_slot_t *src, cnode_t *dst, uint64_t index, cap_slot_t **out)
{
    cap_assert_locked();
    cap_slot_t *s;
    if (!cap_present(src))
        return MN_ERR_INVALID_SLOT;
    int err = target_slot(dst, index, &s);
    if (err)
        return err;
    s->type = src->type;
    s->rights = src->rights;
    s->flags = src->flags;
    s->object = src->object;
    s->data[0] = src->data[0];
    s->data[1] = src->data[1];
    s->parent = src->parent;
    s->first_child = src->first_child;
    s->next_sibling = src->next_sibling;
    s->prev_sibling = src->prev_sibling;
    if (s->prev_sibling)
        s->prev_sibling->next_sibling = s;
    else if (s->parent)
        s->parent->first_child = s;
    if (s->next_sibling)
        s->next_sibling->prev_sibling = s;
    for (cap_slot_t *c = s->first_child; c; c = c->next_sibling)
        c->parent = s;
    dst->used++;
    slot_reset(src);
    bump_generation();
    if (out)
        *out = s;
    return MN_ERR_OK;
}

int cap_delete(cap_slot_t *slot)
{
    cap_assert_locked();
    if (!cap_present(slot))
        return MN_ERR_INVALID_SLOT;
    cap_object_t *pending = NULL;
    cap_slot_t *first = slot->first_child;
    if (first) {
        /* Splice the children into the slot's place among its siblings. */
        cap_slot_t *last = first;
        for (cap_slot_t *c = first; c; c = c->next_sibling) {
            c->parent = slot->parent;
            last = c;
        }
        first->prev_sibling = slot->prev_sibling;
        last->next_sibling = slot->next_sibling;
        if (slot->prev_sibling)
            slot->prev_sibling->next_sibling = first;
        else if (slot->parent)
            slot->parent->first_child = first;
        if (slot->next_sibling)
            slot->next_sibling->prev_sibling = last;
        slot->first_child = NULL;
    } else {
        unlink_leaf(slot);
    }
    object_put(slot->object, &pending);
    slot_reset(slot);
    bump_generation();
    release_pending(pending);
    return MN_ERR_OK;
}

int cap_revoke(cap_slot_t *slot, uint32_t *removed)
{
    cap_assert_locked();
    if (!cap_present(slot))
        return MN_ERR_INVALID_SLOT;
    cap_object_t *pending = NULL;
    uint32_t count = 0;
    /*
     * Post-order walk without a stack: go down first children to a leaf,
     * remove it, continue from its parent. Every descendant is entered
     * once and removed once.
     */
    cap_slot_t *cur = slot;
    for (;;) {
        if (cur->first_child) {
            cur = cur->first_child;
            continue;
        }
        if (cur == slot)
            break;
        cap_slot_t *parent = cur->parent;
        unlink_leaf(cur);
        object_put(cur->object, &pending);
        slot_reset(cur);
        count++;
        cur = parent;
    }
    if (removed)
        *removed = count;
    if (count)
        bump_generation();
    release_pending(pending);
    return MN_ERR_OK;
}

const char *cap_check_invariants(cnode_t *const *cnodes, size_t count)
{
    for (size_t n = 0; n < count; n++) {
        cnode_t *cn = cnodes[n];
        uint32_t used = 0, capacity = cnode_capacity(cn);
        for (uint32_t i = 0; i < capacity; i++) {
            cap_slot_t *s = &cn->chunks[i / CNODE_CHUNK_SLOTS][i % CNODE_CHUNK_SLOTS];
            if (s->index != i || s->cnode != cn)
                return "slot does not know its own number or CNode";
            if (!cap_present(s)) {
                if (s->parent || s->first_child || s->next_sibling || s->prev_sibling || s->object)
                    return "empty slot with links or an object";
                continue;
            }
            if (i == 0)
                return "slot 0 is occupied";
            used++;
            if (s->type >= MN_CAP_TYPE_COUNT || (s->rights & ~MN_RIGHTS_ALL))
                return "bad type or rights";
            if (s->object && s->object->refs == 0)
                return "capability refers to an object with no references";
            if (s->parent) {
                if (!cap_present(s->parent))
                    return "parent slot is empty";
                if (s->rights & ~s->parent->rights)
                    return "child has a right its parent lacks";
                if (!s->prev_sibling && s->parent->first_child != s)
                    return "first sibling is not its parent's first child";
            }
            if (s->prev_sibling && (s->prev_sibling->next_sibling != s || s->prev_sibling->parent != s->parent))
                return "broken prev_sibling link";
            if (s->next_sibling && (s->next_sibling->prev_sibling != s || s->next_sibling->parent != s->parent))
                return "broken next_sibling link";
            if (s->first_child && (s->first_child->parent != s || s->first_child->prev_sibling))
                return "broken first_child link";
        }
        if (used != cn->used)
            return "CNode's used count is wrong";
    }
    return NULL;
}
