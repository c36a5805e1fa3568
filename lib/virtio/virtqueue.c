/*
 * Split virtqueues (virtio 1.x 2.7): the descriptor table, the available
 * ring the driver fills and the used ring the device fills, laid out as
 * the legacy interface requires (2.7.2: descriptors and available ring,
 * then the used ring on the next 4096-byte boundary), which also meets the
 * modern alignments (16, 2, 4), so one layout serves both transports.
 *
 * The driver's view of the queue (free list, chain links and lengths,
 * ring indices) lives in struct virtq, never in DMA memory: the device can
 * write garbage into the rings, but not change which descriptors the
 * driver believes free. A used entry is honoured only when it names the
 * head of a chain in flight that has been published, so each chain comes
 * back at most once, and never before the device could have seen it.
 *
 * Barriers (2.7.13 and 2.7.14): descriptors and ring entries are stored,
 * then WRITE, then the available index; then FULL before the used flags
 * are read to decide on a notification (a store followed by a load). On
 * the other side the used index is loaded, then READ, then the entries and
 * the buffers they describe.
 */
#include "virtio.h"

#define NO_DESC 0xFFFFu

static size_t align_up(size_t v)
{
    return (v + VIRTQ_ALIGN - 1) & ~(size_t)(VIRTQ_ALIGN - 1);
}

size_t virtq_avail_offset(uint16_t size)
{
    return sizeof(struct virtq_desc) * size;
}

size_t virtq_used_offset(uint16_t size)
{
    /* flags, idx, ring[size], used_event */
    return align_up(virtq_avail_offset(size) + sizeof(uint16_t) * (3u + size));
}

size_t virtq_ring_bytes(uint16_t size)
{
    /* flags, idx, ring[size] of id and len, avail_event */
    return virtq_used_offset(size) + align_up(sizeof(uint16_t) * 3u + sizeof(struct virtq_used_elem) * size);
}

int virtq_init(virtq_t *vq, const struct virtio_ops *ops, uint16_t index, uint16_t size, void *mem, uint64_t phys)
{
    if (!vq || !ops || !ops->barrier || !mem || (uintptr_t)mem % 16 || phys % VIRTQ_ALIGN || !size ||
        (size & (size - 1)))
        return MN_ERR_BAD_ARG;
    /* 2.7 / 4.1.5.1.3: the rings start zeroed (used flags 0, indices 0). Stored through volatile so the
     * compiler neither drops nor turns it into a memset call, which a freestanding build does not have. */
    volatile uint64_t *words = mem;
    for (size_t i = 0; i < virtq_ring_bytes(size) / sizeof *words; i++)
        words[i] = 0;
    uint8_t *base = mem;
    vq->ops = ops;
    vq->index = index;
    vq->size = size;
    vq->ndesc = size < VIRTQ_MAX_DESC ? size : VIRTQ_MAX_DESC;
    vq->notify_off = 0;
    vq->desc = (volatile struct virtq_desc *)base;
    vq->avail = (volatile struct virtq_avail *)(base + virtq_avail_offset(size));
    vq->used = (volatile struct virtq_used *)(base + virtq_used_offset(size));
    vq->desc_phys = phys;
    vq->avail_phys = phys + virtq_avail_offset(size);
    vq->used_phys = phys + virtq_used_offset(size);
    vq->free_head = 0;
    vq->num_free = vq->ndesc;
    vq->in_flight = 0;
    vq->avail_idx = vq->published = vq->last_used = 0;
    vq->building = vq->build_len = 0;
    vq->build_head = vq->build_tail = NO_DESC;
    vq->broken = false;
    volatile uint16_t *chain_len = vq->chain_len, *slot = vq->avail_slot;
    for (uint16_t i = 0; i < VIRTQ_MAX_DESC; i++) {
        vq->next[i] = (uint16_t)((i + 1) % VIRTQ_MAX_DESC); /* the last link is never followed */
        chain_len[i] = 0;
        slot[i] = 0;
    }
    return MN_ERR_OK;
}

uint16_t virtq_next_head(const virtq_t *vq)
{
    return vq->free_head;
}

int virtq_chain_begin(virtq_t *vq, unsigned n, uint16_t *head)
{
    if (vq->broken)
        return MN_ERR_DEAD;
    if (vq->building || n == 0 || n > vq->ndesc)
        return MN_ERR_BAD_ARG;
    if (n > vq->num_free)
        return MN_ERR_WOULD_BLOCK;
    /* The chain is the first n entries of the free list, already linked through next[]. */
    vq->building = vq->build_len = (uint16_t)n;
    vq->build_head = vq->free_head;
    vq->build_tail = NO_DESC;
    *head = vq->free_head;
    return MN_ERR_OK;
}

void virtq_chain_add(virtq_t *vq, uint64_t phys, uint32_t len, bool device_writes)
{
    if (!vq->building)
        return;
    uint16_t d = vq->build_tail == NO_DESC ? vq->build_head : vq->next[vq->build_tail];
    bool more = vq->building > 1;
    volatile struct virtq_desc *desc = &vq->desc[d];
    desc->addr = phys;
    desc->len = len;
    desc->flags = (uint16_t)((device_writes ? VIRTQ_DESC_F_WRITE : 0) | (more ? VIRTQ_DESC_F_NEXT : 0));
    desc->next = more ? vq->next[d] : 0;
    vq->build_tail = d;
    vq->building--;
}

void virtq_chain_end(virtq_t *vq)
{
    if (vq->build_head == NO_DESC || vq->building)
        return; /* no chain, or not all its descriptors added: nothing is published */
    uint16_t head = vq->build_head, n = vq->build_len;
    vq->free_head = vq->next[vq->build_tail]; /* meaningless when the list is now empty (num_free 0) */
    vq->num_free = (uint16_t)(vq->num_free - n);
    vq->chain_len[head] = n;
    vq->avail_slot[head] = vq->avail_idx;
    vq->in_flight++;
    vq->avail->ring[vq->avail_idx & (vq->size - 1)] = head;
    vq->avail_idx++;
    vq->build_head = vq->build_tail = NO_DESC;
}

bool virtq_publish(virtq_t *vq)
{
    if (vq->published == vq->avail_idx)
        return false;
    vq->ops->barrier(vq->ops->ctx, VIRTIO_BARRIER_WRITE);
    vq->avail->idx = vq->avail_idx;
    vq->published = vq->avail_idx;
    vq->ops->barrier(vq->ops->ctx, VIRTIO_BARRIER_FULL);
    return !(vq->used->flags & VIRTQ_USED_F_NO_NOTIFY);
}

/* Returns chain `head`'s descriptors to the free list. */
static void free_chain(virtq_t *vq, uint16_t head)
{
    uint16_t tail = head;
    for (uint16_t k = 1; k < vq->chain_len[head]; k++)
        tail = vq->next[tail];
    vq->next[tail] = vq->free_head;
    vq->free_head = head;
    vq->num_free = (uint16_t)(vq->num_free + vq->chain_len[head]);
    vq->chain_len[head] = 0;
    vq->in_flight--;
}

int virtq_get_used(virtq_t *vq, uint16_t *head, uint32_t *len)
{
    if (vq->broken)
        return MN_ERR_DEAD;
    uint16_t idx = vq->used->idx;
    if (idx == vq->last_used)
        return MN_ERR_WOULD_BLOCK;
    if ((uint16_t)(idx - vq->last_used) > vq->size) {
        /* More entries than the ring has slots: the index is garbage, and so is everything behind it. */
        vq->broken = true;
        return MN_ERR_DEAD;
    }
    vq->ops->barrier(vq->ops->ctx, VIRTIO_BARRIER_READ);
    volatile struct virtq_used_elem *e = &vq->used->ring[vq->last_used & (vq->size - 1)];
    uint32_t id = e->id, used_len = e->len; /* each read once: the device may change them meanwhile */
    vq->last_used++;
    *head = (uint16_t)id;
    *len = used_len;
    /* Only a chain in flight, and only one already published: the device cannot have seen the others. */
    if (id >= vq->ndesc || !vq->chain_len[id] || (uint16_t)(vq->published - 1 - vq->avail_slot[id]) >= vq->size)
        return MN_ERR_BAD_FORMAT;
    free_chain(vq, (uint16_t)id);
    return MN_ERR_OK;
}

bool virtq_take_in_flight(virtq_t *vq, uint16_t *head)
{
    for (uint16_t i = 0; i < vq->ndesc; i++) {
        if (vq->chain_len[i]) {
            free_chain(vq, i);
            *head = i;
            return true;
        }
    }
    return false;
}

void virtq_set_interrupts(virtq_t *vq, bool on)
{
    vq->avail->flags = on ? 0 : VIRTQ_AVAIL_F_NO_INTERRUPT;
}
