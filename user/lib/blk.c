/* mn_blk: the block protocol's client side (see mn_blk.h and <mnos/block.h>). */
#include "mn_blk.h"

#include "libmnos.h"
#include "string.h"

int64_t mn_blk_call(uint32_t ep, uint64_t label, uint64_t data0, uint64_t out[3])
{
    int64_t r = mn_sys_CALL(ep, label, data0, 0, out);
    if (r < 0)
        return r;
    return (int64_t)out[0];
}

int mn_blk_open(struct mn_blk *b, uint32_t ep, unsigned order, uint32_t entries)
{
    memset(b, 0, sizeof *b);
    b->ep = ep;
    uint64_t m[3];
    int64_t r = mn_blk_call(ep, MN_BLK_INFO, 0, m);
    if (r != MN_ERR_OK)
        return (int)r;
    b->capacity = m[1];
    b->flags = MN_BLK_INFO_FLAGS(m[2]);
    b->max_sectors = MN_BLK_INFO_MAX_SECTORS(m[2]);
    b->va = mn_map_pages(order, &b->frame);
    if (!b->va)
        return MN_ERR_NO_MEMORY;
    b->order = order;
    b->bytes = MN_PAGE_SIZE << order;
    r = mn_sys_SEND_CAP(ep, MN_BLK_FRAME, entries, b->frame, MN_RIGHT_READ | MN_RIGHT_WRITE);
    if (r == MN_ERR_OK)
        r = mn_blk_call(ep, MN_BLK_ATTACH, 0, m);
    if (r != MN_ERR_OK) {
        mn_unmap_pages((void *)b->va, order);
        mn_sys_DROP_CAP(b->frame);
        mn_slot_free(b->frame);
        b->va = NULL;
        return (int)r;
    }
    b->entries = (uint32_t)m[1];
    b->ring = (volatile struct mn_blk_ring *)b->va;
    b->sq = (volatile struct mn_blk_sqe *)(b->va + MN_BLK_SQ_OFFSET);
    b->cq = (volatile struct mn_blk_cqe *)(b->va + MN_BLK_CQ_OFFSET(b->entries));
    return MN_ERR_OK;
}

int mn_blk_close(struct mn_blk *b)
{
    if (!b->va)
        return MN_ERR_NOT_FOUND;
    uint64_t m[3];
    int64_t r = mn_blk_call(b->ep, MN_BLK_DETACH, 0, m);
    mn_unmap_pages((void *)b->va, b->order);
    mn_sys_DROP_CAP(b->frame);
    mn_slot_free(b->frame);
    b->va = NULL;
    return (int)r;
}

uint64_t mn_blk_data_offset(const struct mn_blk *b)
{
    return (MN_BLK_RING_BYTES(b->entries) + MN_PAGE_SIZE - 1) & ~(MN_PAGE_SIZE - 1);
}

void *mn_blk_buf(const struct mn_blk *b, uint64_t offset)
{
    return (void *)(b->va + offset);
}

int mn_blk_queue(struct mn_blk *b, uint8_t op, uint64_t lba, uint32_t count, uint64_t offset, uint64_t tag)
{
    if (b->sq_tail - b->cq_head >= b->entries)
        return MN_ERR_NO_SPACE;
    volatile struct mn_blk_sqe *e = &b->sq[b->sq_tail & (b->entries - 1)];
    e->op = op;
    e->count = count;
    e->lba = lba;
    e->offset = offset;
    e->tag = tag;
    b->sq_tail++;
    return MN_ERR_OK;
}

int64_t mn_blk_submit(struct mn_blk *b, uint32_t wait)
{
    __atomic_store_n(&b->ring->sq_tail, b->sq_tail, __ATOMIC_RELEASE);
    uint64_t m[3];
    int64_t r = mn_blk_call(b->ep, MN_BLK_SUBMIT, wait, m);
    return r == MN_ERR_OK ? (int64_t)m[2] : r;
}

bool mn_blk_complete(struct mn_blk *b, struct mn_blk_cqe *c)
{
    if (b->cq_head == __atomic_load_n(&b->ring->cq_tail, __ATOMIC_ACQUIRE))
        return false;
    volatile struct mn_blk_cqe *e = &b->cq[b->cq_head & (b->entries - 1)];
    c->tag = e->tag;
    c->result = e->result;
    c->count = e->count;
    b->cq_head++;
    __atomic_store_n(&b->ring->cq_head, b->cq_head, __ATOMIC_RELEASE);
    return true;
}

int mn_blk_io(struct mn_blk *b, uint8_t op, uint64_t lba, uint32_t count, uint64_t offset)
{
    int r = mn_blk_queue(b, op, lba, count, offset, 0);
    if (r != MN_ERR_OK)
        return r;
    int64_t n = mn_blk_submit(b, 1);
    if (n < 0)
        return (int)n;
    struct mn_blk_cqe c;
    return mn_blk_complete(b, &c) ? c.result : MN_ERR_BAD_FORMAT;
}
