/*
 * CNodes: a process's table of capability slots, addressed by number. Slots
 * live in fixed chunks so that growing never moves a slot (the derivation
 * tree links slots by pointer). Callers hold the capability lock (cap.h).
 */
#include "cap/cap.h"

static void slot_clear(cap_slot_t *s, cnode_t *cn, uint32_t index)
{
    s->type = MN_CAP_EMPTY;
    s->rights = 0;
    s->flags = 0;
    s->index = index;
    s->cnode = cn;
    s->object = NULL;
    s->data[0] = s->data[1] = 0;
    s->parent = s->first_child = s->next_sibling = s->prev_sibling = NULL;
}

static void chunk_init(cnode_t *cn, cap_slot_t *chunk, uint32_t first_index)
{
    for (uint32_t i = 0; i < CNODE_CHUNK_SLOTS; i++)
        slot_clear(&chunk[i], cn, first_index + i);
}

void cnode_init(cnode_t *cn, cap_slot_t *first_chunk)
{
    for (uint32_t i = 0; i < CNODE_MAX_CHUNKS; i++)
        cn->chunks[i] = NULL;
    cn->chunks[0] = first_chunk;
    cn->nchunks = 1;
    cn->used = 0;
    cn->free_hint = 1;
    chunk_init(cn, first_chunk, 0);
}

int cnode_add_chunk(cnode_t *cn, cap_slot_t *chunk)
{
    cap_assert_locked();
    if (cn->nchunks >= CNODE_MAX_CHUNKS)
        return MN_ERR_NO_SPACE;
    chunk_init(cn, chunk, cn->nchunks * CNODE_CHUNK_SLOTS);
    cn->chunks[cn->nchunks++] = chunk;
    return MN_ERR_OK;
}

uint32_t cnode_capacity(const cnode_t *cn)
{
    return cn->nchunks * CNODE_CHUNK_SLOTS;
}

cap_slot_t *cnode_slot(cnode_t *cn, uint64_t index)
{
    if (index == 0 || index >= cnode_capacity(cn))
        return NULL;
    return &cn->chunks[index / CNODE_CHUNK_SLOTS][index % CNODE_CHUNK_SLOTS];
}

int cnode_find_free(cnode_t *cn, uint32_t *index)
{
    cap_assert_locked();
    uint32_t cap = cnode_capacity(cn);
    if (cn->used >= cap - 1)
        return MN_ERR_NO_SPACE;
    uint32_t start = (cn->free_hint > 0 && cn->free_hint < cap) ? cn->free_hint : 1;
    uint32_t i = start;
    do {
        if (!cap_present(cnode_slot(cn, i))) {
            *index = i;
            cn->free_hint = i + 1 < cap ? i + 1 : 1;
            return MN_ERR_OK;
        }
        i = i + 1 < cap ? i + 1 : 1;
    } while (i != start);
    return MN_ERR_NO_SPACE; /* unreachable while `used` is right */
}

int cnode_lookup(cnode_t *cn, uint64_t index, uint8_t type, uint8_t need, cap_slot_t **out)
{
    cap_assert_locked();
    cap_slot_t *s = cnode_slot(cn, index);
    if (!cap_present(s))
        return MN_ERR_INVALID_SLOT;
    if (type != MN_CAP_EMPTY && s->type != type)
        return MN_ERR_WRONG_TYPE;
    if ((s->rights & need) != need)
        return MN_ERR_NO_RIGHTS;
    *out = s;
    return MN_ERR_OK;
}

uint32_t cnode_clear(cnode_t *cn)
{
    cap_assert_locked();
    uint32_t deleted = 0;
    uint32_t cap = cnode_capacity(cn);
    for (uint32_t i = 1; i < cap && cn->used > 0; i++) {
        cap_slot_t *s = cnode_slot(cn, i);
        if (cap_present(s) && cap_delete(s) == MN_ERR_OK)
            deleted++;
    }
    return deleted;
}
