/*
 * libFuzzer target for the virtio-blk driver core (lib/virtio/) against a
 * hostile device. The input describes the device (tests/host/virtio_sim.h:
 * layout, features, queue size, capacity, segment limits, structure
 * lengths, notify offsets, MSI-X table, reset delay, FEATURES_OK refusal,
 * unstable config) and then a sequence of operations: the driver submitting
 * requests (good and bad), kicking, polling, resetting; the device
 * completing them in any order, failing them, writing bogus status bytes,
 * used lengths, used-ring entries and indices, ISR values and config
 * changes. With flag 0x80 every register value the driver reads is also
 * XORed with bytes from the end of the input.
 *
 * What must hold: no crash, hang or out-of-bounds access (ASan; the DMA
 * area ends at the end of its allocation); the simulator sees no access
 * outside the registers, and, unless registers are garbled, no protocol
 * violation at all (every chain well formed, barriers in place); the
 * queue's private accounting stays consistent; every request submitted is
 * completed exactly once, by the device, as bogus, or as aborted by the
 * final reset; a bogus used-ring entry never completes anything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../host/virtio_sim.h"

#define CHECK(cond) \
    do { \
        if (!(cond)) { \
            fprintf(stderr, "invariant broken: %s:%d: %s (sim: %s)\n", __FILE__, __LINE__, #cond, \
                    sim ? sim->first_error : ""); \
            __builtin_trap(); \
        } \
    } while (0)

#define HEADER 20
#define DATA_SIZE (512u << 10) /* data buffers, then the DMA area */
#define PHYS_BASE 0x200000000ull
#define MAX_REQS 4096

struct input {
    const uint8_t *p;
    size_t n;
};

static struct vsim *sim;
static virtio_blk_t dev;
static uint8_t state[MAX_REQS]; /* per cookie: 0 not submitted, 1 in flight, 2 finished */
static unsigned next_cookie, in_flight;
static bool garbled;
static struct input garbage;

static uint8_t take(struct input *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

static uint16_t take16(struct input *in)
{
    uint16_t lo = take(in);
    return (uint16_t)(lo | take(in) << 8);
}

static uint32_t garble(void *arg, uint8_t bar, uint32_t off, unsigned width, uint32_t value)
{
    (void)arg;
    (void)bar;
    (void)off;
    uint32_t x = 0;
    for (unsigned i = 0; i < width; i++)
        x |= (uint32_t)take(&garbage) << (8 * i);
    return value ^ x;
}

static void on_done(void *arg, const virtio_blk_done_t *d)
{
    (void)arg;
    CHECK(d->cookie < next_cookie && state[d->cookie] == 1);
    state[d->cookie] = 2;
    in_flight--;
    CHECK(d->result <= 0 && d->result >= MN_ERR_MIN);
    if (d->result == MN_ERR_OK)
        CHECK(d->status == VIRTIO_BLK_S_OK);
}

/* The queue's private view is consistent: chains and free list partition the descriptors. */
static void check_queue(void)
{
    const virtq_t *vq = &dev.vq;
    if (!vq->ndesc)
        return;
    uint8_t mark[VIRTQ_MAX_DESC] = {0};
    unsigned used = 0, heads = 0;
    CHECK(vq->ndesc <= VIRTQ_MAX_DESC && vq->ndesc <= vq->size && vq->num_free <= vq->ndesc && !vq->building);
    for (unsigned h = 0; h < vq->ndesc; h++) {
        if (!vq->chain_len[h])
            continue;
        heads++;
        uint16_t d = (uint16_t)h;
        for (unsigned k = 0; k < vq->chain_len[h]; k++) {
            CHECK(d < vq->ndesc && !mark[d]);
            mark[d] = 1;
            used++;
            d = vq->next[d];
        }
    }
    CHECK(heads == vq->in_flight);
    uint16_t d = vq->free_head;
    for (unsigned k = 0; k < vq->num_free; k++) {
        CHECK(d < vq->ndesc && !mark[d]);
        mark[d] = 1;
        d = vq->next[d];
    }
    CHECK(used + vq->num_free == vq->ndesc);
}

static void check(void)
{
    CHECK(sim->access_errors == 0);
    if (!garbled)
        CHECK(sim->errors == 0);
    check_queue();
    CHECK(!dev.ready || in_flight == dev.vq.in_flight);
}

/* The device forgets requests the driver has already finished (a used-ring entry it re-read said so). */
static void resync(void)
{
    for (unsigned k = 0; k < sim->npending;) {
        uint16_t h = sim->pending[k]->head;
        if (h >= dev.vq.ndesc || !dev.vq.chain_len[h])
            vsim_forget(sim, h);
        else
            k++;
    }
}

static void submitted(int err)
{
    if (err == MN_ERR_OK) {
        state[next_cookie++] = 1;
        in_flight++;
    }
}

/* A buffer in guest memory for n sectors: aligned unless `odd`. */
static uint64_t buffer(uint8_t slot, uint32_t bytes, bool odd)
{
    uint64_t room = DATA_SIZE - bytes - 512;
    uint64_t off = ((uint64_t)slot * 4096) % room;
    return PHYS_BASE + (off & ~511ull) + (odd ? (slot & 1 ? 1 : 256) : 0);
}

static void config_device(struct input *in, struct vsim_config *c, virtio_blk_params_t *p, uint8_t *flags)
{
    uint8_t h[HEADER];
    for (unsigned i = 0; i < HEADER; i++)
        h[i] = take(in);
    *flags = h[0];
    vsim_default_config(c, h[0] & 1);
    c->msix = (h[0] & 2) != 0;
    c->refuse_features_ok = (h[0] & 4) != 0;
    c->unstable_generation = (h[0] & 8) != 0;
    if (h[0] & 0x20) {
        c->features |= VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM);
        c->required = VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM);
    }
    c->queue_max = h[1] == 0xFF ? 0 : h[1] < 16 ? (uint16_t)(1u << h[1]) : h[1];
    c->features = (c->features & ~0xFFFFull) | h[2] | (uint64_t)h[3] << 8;
    if (h[4] & 1)
        c->features &= ~VIRTIO_BIT(VIRTIO_F_VERSION_1);
    if (h[4] & 2)
        c->features |= VIRTIO_BIT(VIRTIO_F_RING_PACKED);
    c->capacity = h[6] == 0xFF ? (1ull << 62) + h[5] : (uint64_t)(h[5] | h[6] << 8);
    c->size_max = h[7] ? h[7] * 128u + (h[7] & 1) : 0;
    c->seg_max = h[8];
    c->blk_size = h[9] ? (1u << (h[9] % 32)) + (h[9] >= 128 ? 3 : 0) : 0;
    c->device_len = h[10] ? h[10] : 36;
    c->notify_multiplier = h[11] & 7 ? 1u << ((h[11] & 7) - 1) : 0;
    c->queue_notify_off = h[12];
    c->notify_len = h[11] & 0x80 ? (uint32_t)h[11] * 8 : 0x1000;
    c->msix_table = h[13];
    c->common_len = h[15] & 0x80 ? h[15] & 0x3F : VIRTIO_PCI_COMMON_MIN_LENGTH;
    if (c->legacy)
        c->bar_size = h[16] ? 16u + h[16] : 128;
    c->reset_reads = h[18] % 110;
    c->disk_sectors = 512;
    memset(p, 0, sizeof *p);
    p->legacy = c->legacy;
    p->legacy_bar = VSIM_LEGACY_BAR;
    p->legacy_bar_size = c->bar_size;
    /* The driver is told whether MSI-X is on (it moves the legacy config) but may think the table bigger. */
    p->msix_table_size = c->msix ? (uint16_t)(h[13] + (h[14] & 1) + !(h[13] + (h[14] & 1))) : 0;
    p->config_vector = (h[14] >> 1 & 7) == 7 ? VIRTIO_NO_VECTOR : h[14] >> 1 & 7;
    p->queue_vector = (h[14] >> 4 & 7) == 7 ? VIRTIO_NO_VECTOR : h[14] >> 4 & 7;
    uint16_t q = (uint16_t)(1u << (h[17] % 11));
    p->dma_size = virtio_blk_dma_size(q) + (h[17] >> 4) * 7u;
    p->max_queue_size = h[19];
}

/* Capabilities the driver must skip, put before the real ones. */
static unsigned junk_caps(struct input *in, pci_virtio_cap_t *caps)
{
    unsigned n = take(in) % 4;
    for (unsigned i = 0; i < n; i++) {
        uint8_t b = take(in);
        caps[i] = (pci_virtio_cap_t){0x40, (uint8_t)(1 + b % 4), VSIM_MODERN_BAR, 0, 0, 0, 0};
        switch (b >> 2 & 3) {
        case 0: caps[i].bar = 6 + (b >> 4 & 1); break; /* reserved BAR */
        case 1: caps[i].cfg_type = 5 + b % 8; break; /* PCI cfg, shared memory, vendor, reserved */
        case 2: caps[i].length = 0; break; /* too short for anything */
        default:
            caps[i].offset = 1;
            caps[i].length = 0x1000;
            break; /* misaligned for all but ISR */
        }
        if (caps[i].cfg_type == PCI_VIRTIO_ISR_CFG && (b >> 2 & 3) == 3)
            caps[i].length = 0; /* an ISR has no alignment: make it unusable otherwise */
    }
    return n;
}

static void op(struct input *in, uint64_t capacity_hint)
{
    uint8_t code = take(in) % 20;
    switch (code) {
    case 0:
    case 1: { /* read or write */
        uint16_t l = take16(in);
        uint8_t n = take(in), slot = take(in);
        uint64_t lba = l & 0x8000 ? capacity_hint - (l & 0x7FFF) : l;
        unsigned type = code ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
        submitted(virtio_blk_submit(&dev, type, lba, buffer(slot, n * 512u, slot >= 0xF0), n, next_cookie));
        break;
    }
    case 2: { /* flush (sometimes with arguments it must refuse) */
        uint8_t b = take(in);
        submitted(virtio_blk_submit(&dev, VIRTIO_BLK_T_FLUSH, b & 1, 0, b & 2 ? 1 : 0, next_cookie));
        break;
    }
    case 3:
        submitted(virtio_blk_submit(&dev, VIRTIO_BLK_T_GET_ID, 0, buffer(take(in), 32, true), 0, next_cookie));
        break;
    case 4: { /* scatter-gather */
        uint8_t b = take(in), l = take(in);
        unsigned nsegs = 1 + (b & 7), sectors = 1 + (b >> 3 & 3);
        virtio_blk_seg_t segs[8];
        for (unsigned i = 0; i < nsegs; i++)
            segs[i] = (virtio_blk_seg_t){buffer((uint8_t)(l + i * 3), 2048, false), sectors * 512};
        if (b & 0x80)
            segs[nsegs - 1].len -= 17;
        submitted(virtio_blk_submitv(&dev, b & 0x40 ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, l, segs, nsegs, next_cookie));
        break;
    }
    case 5:
        virtio_blk_kick(&dev);
        vsim_fetch(sim);
        break;
    case 6: {
        uint8_t n = take(in), order = take(in);
        vsim_complete(sim, n, (enum vsim_order)(order % 3));
        break;
    }
    case 7: {
        uint16_t id = take16(in), len = take16(in);
        vsim_push_used(sim, id & 0x8000 ? id & 0xFF : id, len);
        break;
    }
    case 8: vsim_set_used_idx(sim, (uint16_t)(sim->used_idx + take16(in))); break;
    case 9: {
        uint8_t b = take(in);
        sim->status_override = b == 0xFF ? -1 : b;
        break;
    }
    case 10: sim->len_delta = (int8_t)take(in); break;
    case 11: {
        unsigned got = 0;
        int err = virtio_blk_poll(&dev, on_done, NULL, &got);
        CHECK(err == MN_ERR_OK || err == MN_ERR_BAD_FORMAT || err == MN_ERR_DEAD);
        resync();
        break;
    }
    case 12: /* reset (the main loop starts the device again later) */
        if (dev.pci.ops && virtio_blk_reset(&dev, on_done, NULL) == MN_ERR_OK)
            CHECK(in_flight == 0);
        break;
    case 13:
        sim->isr = take(in);
        (void)virtio_blk_isr(&dev);
        break;
    case 14: { /* the device changes its capacity; everything published is fetched first */
        uint16_t cap = take16(in);
        virtio_blk_kick(&dev);
        vsim_fetch(sim);
        vsim_config_change(sim, cap);
        if (virtio_blk_refresh(&dev) != MN_ERR_OK && dev.ready)
            CHECK(virtio_blk_reset(&dev, on_done, NULL) == MN_ERR_OK || garbled);
        break;
    }
    case 15: virtio_blk_set_interrupts(&dev, take(in) & 1); break;
    case 16:
        sim->fail_lo = take(in);
        sim->fail_hi = sim->fail_lo + take(in);
        break;
    case 17: sim->unsupp_types = take(in) & 0x113u; break;
    case 18: sim->skip_status = !sim->skip_status; break;
    default: vsim_set_no_notify(sim, !sim->no_notify); break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = {data, size};
    struct vsim_config c;
    virtio_blk_params_t p;
    uint8_t flags;
    config_device(&in, &c, &p, &flags);
    garbled = (flags & 0x80) != 0;
    garbage = (struct input){data, 0};
    if (garbled) { /* the last quarter of the input garbles register reads */
        size_t g = in.n / 4;
        garbage = (struct input){in.p + in.n - g, g};
        in.n -= g;
    }

    size_t dma_size = p.dma_size;
    uint8_t *mem = malloc(DATA_SIZE + dma_size);
    memset(mem, 0x5A, DATA_SIZE + dma_size);
    sim = vsim_new(&c, mem, DATA_SIZE + dma_size, PHYS_BASE);
    if (garbled) {
        sim->read_filter = garble;
        sim->filter_arg = NULL;
    }
    struct virtio_ops ops = vsim_ops(sim);
    pci_virtio_cap_t caps[8];
    unsigned junk = c.legacy ? 0 : junk_caps(&in, caps);
    vsim_caps(sim, caps + junk);
    p.ops = &ops;
    p.caps = caps;
    p.ncaps = junk + 4;
    p.dma = mem + DATA_SIZE;
    p.dma_phys = PHYS_BASE + DATA_SIZE;
    memset(state, 0, sizeof state);
    next_cookie = in_flight = 0;

    int err = virtio_blk_init(&dev, &p);
    CHECK(err <= 0 && err >= MN_ERR_MIN);
    check();
    for (unsigned steps = 0; in.n && steps < 2000 && next_cookie < MAX_REQS - 8; steps++) {
        if (!dev.ready && dev.pci.ops && take(&in) % 4 == 0 && !in_flight)
            err = virtio_blk_init(&dev, &p); /* try again after a failure or reset */
        op(&in, dev.info.capacity);
        check();
    }
    /* Let the device finish, harvest, then reset: every request must have come back exactly once. */
    sim->status_override = -1;
    virtio_blk_kick(&dev);
    vsim_fetch(sim);
    vsim_complete(sim, ~0u, VSIM_FIFO);
    virtio_blk_poll(&dev, on_done, NULL, NULL);
    check();
    if (dev.pci.ops && virtio_blk_reset(&dev, on_done, NULL) == MN_ERR_OK) {
        CHECK(in_flight == 0);
        for (unsigned i = 0; i < next_cookie; i++)
            CHECK(state[i] == 2);
    } else {
        CHECK(garbled || next_cookie == 0);
    }
    vsim_free(sim);
    sim = NULL;
    free(mem);
    return 0;
}
