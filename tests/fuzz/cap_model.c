/* The capability-space reference model; see cap_model.h. */
#include "cap_model.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cap/cap.h"

#define M_CNODES 4
#define M_CHUNKS 4
#define M_SLOTS ((int)(M_CHUNKS * CNODE_CHUNK_SLOTS))
#define M_LOCS (M_CNODES * M_SLOTS)
#define M_OBJECTS 96

struct m_cap {
    int present;
    uint8_t type, rights;
    int obj; /* -1: none */
    uint64_t d0, d1;
    int parent; /* location, -1: root */
};

struct m_obj {
    cap_object_t hdr;
    int in_use; /* handed to a create */
    int had_caps; /* some capability referred to it */
    int released; /* times the release callback ran */
    int bad_release; /* callback ran while refs != 0 */
};

struct world {
    cnode_t cn[M_CNODES];
    cap_slot_t chunks[M_CNODES][M_CHUNKS][CNODE_CHUNK_SLOTS];
    struct m_cap m[M_LOCS];
    int nchunks[M_CNODES];
    struct m_obj objs[M_OBJECTS];
};

struct cap_model_stats cap_model_stats;

struct reader {
    const uint8_t *p;
    size_t n;
};

static unsigned rd8(struct reader *r)
{
    if (!r->n)
        return 0;
    r->n--;
    return *r->p++;
}

static unsigned rd16(struct reader *r)
{
    unsigned lo = rd8(r);
    return lo | rd8(r) << 8;
}

static int loc(int c, uint32_t slot)
{
    return c * M_SLOTS + (int)slot;
}

static cap_slot_t *real_slot(struct world *w, int l)
{
    return cnode_slot(&w->cn[l / M_SLOTS], (uint64_t)(l % M_SLOTS));
}

static void on_release(cap_object_t *obj)
{
    struct m_obj *o = (struct m_obj *)obj; /* hdr is the first member */
    o->released++;
    if (obj->refs != 0)
        o->bad_release = 1;
    cap_model_stats.released++;
}

/* Counts the model's references to every object. */
static void obj_refs(struct world *w, int refs[M_OBJECTS])
{
    memset(refs, 0, sizeof(int) * M_OBJECTS);
    for (int l = 0; l < M_LOCS; l++)
        if (w->m[l].present && w->m[l].obj >= 0)
            refs[w->m[l].obj]++;
}

/* Removes model capability l (children go to its parent). */
static void m_delete(struct world *w, int l)
{
    for (int k = 0; k < M_LOCS; k++)
        if (w->m[k].present && w->m[k].parent == l)
            w->m[k].parent = w->m[l].parent;
    memset(&w->m[l], 0, sizeof w->m[l]);
    w->m[l].parent = -1;
    w->m[l].obj = -1;
}

static int m_is_descendant(struct world *w, int k, int ancestor, unsigned long *depth)
{
    unsigned long d = 0;
    for (int p = w->m[k].parent; p >= 0; p = w->m[p].parent) {
        d++;
        if (p == ancestor) {
            if (d > *depth)
                *depth = d;
            return 1;
        }
    }
    return 0;
}

/* Picks a location: mostly one holding a capability, sometimes any. */
static int pick_loc(struct world *w, struct reader *r)
{
    unsigned v = rd16(r);
    if (v % 8 == 0)
        return (int)((v >> 3) % M_LOCS);
    int present[M_LOCS], n = 0;
    for (int l = 0; l < M_LOCS; l++)
        if (w->m[l].present)
            present[n++] = l;
    if (!n)
        return (int)((v >> 3) % M_LOCS);
    return present[(v >> 3) % (unsigned)n];
}

/* A slot number in cnode c: mostly a valid one, sometimes 0 or past the end. */
static uint32_t pick_slot(struct world *w, int c, struct reader *r)
{
    unsigned v = rd16(r);
    uint32_t cap = (uint32_t)w->nchunks[c] * CNODE_CHUNK_SLOTS;
    return v % (cap + 2);
}

static int fail(char *why, size_t size, unsigned long op, const char *fmt, ...)
{
    int n = snprintf(why, size, "op %lu: ", op);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < size)
        vsnprintf(why + n, size - (size_t)n, fmt, ap);
    va_end(ap);
    return 1;
}

/* Compares everything; returns a description of the first difference or NULL. */
static const char *compare(struct world *w, char *buf, size_t size)
{
    cnode_t *cns[M_CNODES];
    for (int c = 0; c < M_CNODES; c++) {
        cns[c] = &w->cn[c];
        if (cnode_capacity(&w->cn[c]) != (uint32_t)w->nchunks[c] * CNODE_CHUNK_SLOTS)
            return "capacity differs";
    }
    const char *inv = cap_check_invariants(cns, M_CNODES);
    if (inv)
        return inv;
    for (int l = 0; l < M_LOCS; l++) {
        int c = l / M_SLOTS;
        if (l % M_SLOTS >= w->nchunks[c] * (int)CNODE_CHUNK_SLOTS) {
            if (w->m[l].present)
                return "model has a capability beyond the capacity";
            continue;
        }
        cap_slot_t *s = real_slot(w, l);
        struct m_cap *m = &w->m[l];
        if (!s) {
            if (m->present)
                return "model has a capability in slot 0";
            continue;
        }
        if (cap_present(s) != !!m->present) {
            snprintf(buf, size, "cnode %d slot %d: present %d, model %d", c, l % M_SLOTS, cap_present(s), m->present);
            return buf;
        }
        if (!m->present)
            continue;
        cap_object_t *want_obj = m->obj >= 0 ? &w->objs[m->obj].hdr : NULL;
        cap_slot_t *want_parent = m->parent >= 0 ? real_slot(w, m->parent) : NULL;
        if (s->type != m->type || s->rights != m->rights || s->object != want_obj || s->data[0] != m->d0 ||
            s->data[1] != m->d1 || s->parent != want_parent) {
            snprintf(buf, size, "cnode %d slot %d: type %u/%u rights %#x/%#x object %d parent %d differ", c,
                     l % M_SLOTS, s->type, m->type, s->rights, m->rights, s->object != want_obj,
                     s->parent != want_parent);
            return buf;
        }
    }
    int all_refs[M_OBJECTS];
    obj_refs(w, all_refs);
    for (int i = 0; i < M_OBJECTS; i++) {
        struct m_obj *o = &w->objs[i];
        if (!o->in_use)
            continue;
        int refs = all_refs[i];
        int want = o->had_caps && refs == 0;
        if (o->bad_release)
            return "release ran while references remained";
        if ((int)o->hdr.refs != refs || o->released != want) {
            snprintf(buf, size, "object %d: refs %u model %d, released %d times, want %d", i, o->hdr.refs, refs,
                     o->released, want);
            return buf;
        }
    }
    return NULL;
}

/* An object for a create: a recycled (released or never used) one, or none. */
static int pick_object(struct world *w, struct reader *r)
{
    unsigned v = rd8(r);
    if (v % 4 == 0)
        return -1;
    int refs[M_OBJECTS];
    obj_refs(w, refs);
    for (int k = 0; k < M_OBJECTS; k++) {
        int i = (int)((v + (unsigned)k) % M_OBJECTS);
        struct m_obj *o = &w->objs[i];
        if (refs[i] == 0) { /* unused, released, or its create failed */
            memset(o, 0, sizeof *o);
            cap_object_init(&o->hdr, MN_CAP_ENDPOINT, on_release);
            o->in_use = 1;
            return i;
        }
    }
    return -1;
}

static int step(struct world *w, struct reader *r, unsigned bias, unsigned long op, char *why, size_t why_size)
{
    /* Kinds 16 and up (present when bias > 0) are extra derives: deeper trees. */
    unsigned kind = rd8(r) % (16 + bias);
    if (kind >= 16)
        kind = 2;
    int want = MN_ERR_OK, got = MN_ERR_OK;
    switch (kind) {
    case 0:
    case 1: { /* create */
        int c = (int)(rd8(r) % M_CNODES);
        uint32_t slot = pick_slot(w, c, r);
        uint8_t type = (uint8_t)(rd8(r) % (MN_CAP_TYPE_COUNT + 1));
        unsigned rv = rd8(r);
        uint8_t rights = (uint8_t)(rv % 16 == 0 ? rv : rv & MN_RIGHTS_ALL);
        int obj = pick_object(w, r);
        uint64_t d0 = op, d1 = ~op;
        cap_slot_t *s = cnode_slot(&w->cn[c], slot);
        if (!s)
            want = MN_ERR_INVALID_SLOT;
        else if (w->m[loc(c, slot)].present)
            want = MN_ERR_SLOT_OCCUPIED;
        else if (type == MN_CAP_EMPTY || type >= MN_CAP_TYPE_COUNT || (rights & ~MN_RIGHTS_ALL))
            want = MN_ERR_BAD_ARG;
        else
            want = MN_ERR_OK;
        got = cap_create(&w->cn[c], slot, type, rights, obj >= 0 ? &w->objs[obj].hdr : NULL, d0, d1);
        if (want == MN_ERR_OK) {
            struct m_cap *m = &w->m[loc(c, slot)];
            *m = (struct m_cap){1, type, rights, obj, d0, d1, -1};
            if (obj >= 0)
                w->objs[obj].had_caps = 1;
        }
        if (got != want)
            return fail(why, why_size, op, "create: got %d want %d", got, want);
        break;
    }
    case 2:
    case 3:
    case 4: { /* derive: copy or delegate */
        int src = pick_loc(w, r);
        int c = (int)(rd8(r) % M_CNODES);
        uint32_t slot = pick_slot(w, c, r);
        uint8_t mask = (uint8_t)rd8(r);
        cap_slot_t *s = real_slot(w, src);
        cap_slot_t *d = cnode_slot(&w->cn[c], slot);
        if (!s || !w->m[src].present || !d)
            want = MN_ERR_INVALID_SLOT;
        else if (w->m[loc(c, slot)].present)
            want = MN_ERR_SLOT_OCCUPIED;
        else
            want = MN_ERR_OK;
        cap_slot_t *out = NULL;
        got = s ? cap_derive(s, &w->cn[c], slot, mask, &out) : MN_ERR_INVALID_SLOT;
        if (want == MN_ERR_OK) {
            struct m_cap *m = &w->m[loc(c, slot)];
            *m = w->m[src];
            m->rights = w->m[src].rights & mask;
            m->parent = src;
            if (out != d || (out->rights & ~s->rights))
                return fail(why, why_size, op, "derive: wrong slot or rights grew");
        }
        if (got != want)
            return fail(why, why_size, op, "derive: got %d want %d", got, want);
        break;
    }
    case 5:
    case 6: { /* delete */
        int l = pick_loc(w, r);
        cap_slot_t *s = real_slot(w, l);
        want = s && w->m[l].present ? MN_ERR_OK : MN_ERR_INVALID_SLOT;
        got = s ? cap_delete(s) : MN_ERR_INVALID_SLOT;
        if (want == MN_ERR_OK)
            m_delete(w, l);
        if (got != want)
            return fail(why, why_size, op, "delete: got %d want %d", got, want);
        break;
    }
    case 7:
    case 8: { /* revoke */
        int l = pick_loc(w, r);
        cap_slot_t *s = real_slot(w, l);
        want = s && w->m[l].present ? MN_ERR_OK : MN_ERR_INVALID_SLOT;
        uint32_t removed = 12345, want_removed = 0;
        got = s ? cap_revoke(s, &removed) : MN_ERR_INVALID_SLOT;
        if (want == MN_ERR_OK) {
            int doomed[M_LOCS];
            for (int k = 0; k < M_LOCS; k++)
                doomed[k] = w->m[k].present && m_is_descendant(w, k, l, &cap_model_stats.max_depth);
            for (int k = 0; k < M_LOCS; k++)
                if (doomed[k]) {
                    memset(&w->m[k], 0, sizeof w->m[k]);
                    w->m[k].obj = w->m[k].parent = -1;
                    want_removed++;
                }
            cap_model_stats.revoked += want_removed;
            if (removed != want_removed)
                return fail(why, why_size, op, "revoke: removed %u want %u", removed, want_removed);
        }
        if (got != want)
            return fail(why, why_size, op, "revoke: got %d want %d", got, want);
        break;
    }
    case 9:
    case 10: { /* move */
        int src = pick_loc(w, r);
        int c = (int)(rd8(r) % M_CNODES);
        uint32_t slot = pick_slot(w, c, r);
        cap_slot_t *s = real_slot(w, src);
        cap_slot_t *d = cnode_slot(&w->cn[c], slot);
        int dl = loc(c, slot);
        if (!s || !w->m[src].present || !d)
            want = MN_ERR_INVALID_SLOT;
        else if (w->m[dl].present)
            want = MN_ERR_SLOT_OCCUPIED;
        else
            want = MN_ERR_OK;
        got = s ? cap_move(s, &w->cn[c], slot, NULL) : MN_ERR_INVALID_SLOT;
        if (want == MN_ERR_OK) {
            w->m[dl] = w->m[src];
            memset(&w->m[src], 0, sizeof w->m[src]);
            w->m[src].obj = w->m[src].parent = -1;
            for (int k = 0; k < M_LOCS; k++)
                if (w->m[k].present && w->m[k].parent == src)
                    w->m[k].parent = dl;
        }
        if (got != want)
            return fail(why, why_size, op, "move: got %d want %d", got, want);
        break;
    }
    case 11: { /* grow */
        int c = (int)(rd8(r) % M_CNODES);
        want = w->nchunks[c] < M_CHUNKS ? MN_ERR_OK : MN_ERR_NO_SPACE;
        if (want == MN_ERR_OK) {
            got = cnode_add_chunk(&w->cn[c], w->chunks[c][w->nchunks[c]]);
            w->nchunks[c]++;
        } else {
            got = MN_ERR_NO_SPACE; /* the model's limit; the CNode's own is tested in test_cap.c */
        }
        if (got != want)
            return fail(why, why_size, op, "grow: got %d want %d", got, want);
        break;
    }
    case 12:
    case 13: { /* lookup */
        int c = (int)(rd8(r) % M_CNODES);
        uint32_t slot = (uint32_t)rd16(r) % (M_SLOTS + 2);
        uint8_t type = (uint8_t)(rd8(r) % MN_CAP_TYPE_COUNT);
        uint8_t need = (uint8_t)(rd8(r) & MN_RIGHTS_ALL);
        struct m_cap *m = slot < (uint32_t)w->nchunks[c] * CNODE_CHUNK_SLOTS ? &w->m[loc(c, slot)] : NULL;
        if (!m || !m->present)
            want = MN_ERR_INVALID_SLOT;
        else if (type != MN_CAP_EMPTY && type != m->type)
            want = MN_ERR_WRONG_TYPE;
        else if ((m->rights & need) != need)
            want = MN_ERR_NO_RIGHTS;
        else
            want = MN_ERR_OK;
        cap_slot_t *out = NULL;
        got = cnode_lookup(&w->cn[c], slot, type, need, &out);
        if (got != want || (got == MN_ERR_OK && out != cnode_slot(&w->cn[c], slot)) || (got && out))
            return fail(why, why_size, op, "lookup: got %d want %d", got, want);
        break;
    }
    case 14: { /* find a free slot and fill it */
        int c = (int)(rd8(r) % M_CNODES);
        uint32_t idx = 0;
        int used = 0;
        for (uint32_t i = 1; i < (uint32_t)w->nchunks[c] * CNODE_CHUNK_SLOTS; i++)
            used += w->m[loc(c, i)].present;
        want = used < w->nchunks[c] * (int)CNODE_CHUNK_SLOTS - 1 ? MN_ERR_OK : MN_ERR_NO_SPACE;
        got = cnode_find_free(&w->cn[c], &idx);
        if (got != want)
            return fail(why, why_size, op, "find_free: got %d want %d", got, want);
        if (got == MN_ERR_OK) {
            if (idx == 0 || w->m[loc(c, idx)].present)
                return fail(why, why_size, op, "find_free returned slot %u, not free", idx);
            got = cap_create(&w->cn[c], idx, MN_CAP_IO_PORT, MN_RIGHTS_ALL, NULL, 0x3F8, 8);
            w->m[loc(c, idx)] = (struct m_cap){1, MN_CAP_IO_PORT, MN_RIGHTS_ALL, -1, 0x3F8, 8, -1};
        }
        break;
    }
    default: { /* rarely: empty a whole CNode, as process teardown does */
        int c = (int)(rd8(r) % M_CNODES);
        if (rd8(r) % 4)
            break;
        unsigned want_n = 0;
        for (int l = loc(c, 0); l < loc(c + 1, 0); l++)
            if (w->m[l].present) {
                m_delete(w, l);
                want_n++;
            }
        unsigned n = cnode_clear(&w->cn[c]);
        if (n != want_n)
            return fail(why, why_size, op, "clear: deleted %u want %u", n, want_n);
        got = want = MN_ERR_OK;
        break;
    }
    }
    if (got == MN_ERR_OK)
        cap_model_stats.ok++;
    else
        cap_model_stats.errors++;
    char buf[160];
    const char *diff = compare(w, buf, sizeof buf);
    if (diff)
        return fail(why, why_size, op, "after op kind %u: %s", kind, diff);
    return 0;
}

int cap_model_run(const uint8_t *bytes, size_t len, char *why, size_t why_size)
{
    struct world *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(why, why_size, "out of memory");
        return 1;
    }
    for (int c = 0; c < M_CNODES; c++) {
        cnode_init(&w->cn[c], w->chunks[c][0]);
        w->nchunks[c] = 1;
    }
    for (int l = 0; l < M_LOCS; l++)
        w->m[l].obj = w->m[l].parent = -1;
    memset(&cap_model_stats, 0, sizeof cap_model_stats);
    struct reader r = {bytes, len};
    int rc = 0;
    unsigned long op = 0;
    unsigned bias = (rd8(&r) % 4) * 8;
    while (r.n > 0 && !rc) {
        rc = step(w, &r, bias, op++, why, why_size);
        cap_model_stats.ops = op;
    }
    /* Teardown: emptying every CNode must release every object exactly once. */
    if (!rc) {
        for (int c = 0; c < M_CNODES; c++) {
            cnode_clear(&w->cn[c]);
            for (int l = loc(c, 0); l < loc(c + 1, 0); l++)
                if (w->m[l].present)
                    m_delete(w, l);
        }
        char buf[160];
        const char *diff = compare(w, buf, sizeof buf);
        if (diff)
            rc = fail(why, why_size, op, "after teardown: %s", diff);
        for (int c = 0; c < M_CNODES && !rc; c++)
            if (w->cn[c].used)
                rc = fail(why, why_size, op, "cnode %d not empty after clear", c);
    }
    free(w);
    return rc;
}
