/*
 * The virtio block device (virtio 1.x 5.2) on the PCI transport: device
 * initialization (3.1), the configuration (capacity, segment limits, block
 * size, geometry, topology), requests and their completions.
 *
 * A request is one chain: a 16-byte device-readable header (type, sector),
 * the data descriptors (device-writable for reads), and a 1-byte
 * device-writable status, in three separate descriptors as the legacy
 * framing rules require too (5.2.6.4). The header and status of the chain
 * whose head is descriptor d live in slot d of two arrays in the DMA area,
 * so no allocation happens per request. The status byte is preset to
 * VIRTIO_BLK_S_NONE; a device that "completes" a request without writing
 * it is caught.
 *
 * Every request is checked completely before anything is written (range,
 * alignment, segment count, rights); completions are checked against the
 * request they claim to finish (see complete()).
 */
#include "virtio.h"

#define CONFIG_TRIES 8 /* reads of the config before giving up on getting the same values twice */
#define MIN_QUEUE 4 /* a read needs 3 descriptors; queue sizes are powers of two */

/* The config fields the driver reads: where, how wide, and which feature makes them exist. */
enum cfg_index {
    CFG_CAPACITY_LO,
    CFG_CAPACITY_HI,
    CFG_SIZE_MAX,
    CFG_SEG_MAX,
    CFG_CYLINDERS,
    CFG_HEADS,
    CFG_SECTORS,
    CFG_BLK_SIZE,
    CFG_PHYS_BLOCK_EXP,
    CFG_ALIGN_OFFSET,
    CFG_MIN_IO_SIZE,
    CFG_OPT_IO_SIZE,
    CFG_COUNT
};

#define ALWAYS 0xFF

static const struct {
    uint8_t off, width, feature;
} cfg_fields[CFG_COUNT] = {
    [CFG_CAPACITY_LO] = {VIRTIO_BLK_CFG_CAPACITY, 4, ALWAYS},
    [CFG_CAPACITY_HI] = {VIRTIO_BLK_CFG_CAPACITY + 4, 4, ALWAYS},
    [CFG_SIZE_MAX] = {VIRTIO_BLK_CFG_SIZE_MAX, 4, VIRTIO_BLK_F_SIZE_MAX},
    [CFG_SEG_MAX] = {VIRTIO_BLK_CFG_SEG_MAX, 4, VIRTIO_BLK_F_SEG_MAX},
    [CFG_CYLINDERS] = {VIRTIO_BLK_CFG_CYLINDERS, 2, VIRTIO_BLK_F_GEOMETRY},
    [CFG_HEADS] = {VIRTIO_BLK_CFG_HEADS, 1, VIRTIO_BLK_F_GEOMETRY},
    [CFG_SECTORS] = {VIRTIO_BLK_CFG_SECTORS, 1, VIRTIO_BLK_F_GEOMETRY},
    [CFG_BLK_SIZE] = {VIRTIO_BLK_CFG_BLK_SIZE, 4, VIRTIO_BLK_F_BLK_SIZE},
    [CFG_PHYS_BLOCK_EXP] = {VIRTIO_BLK_CFG_PHYS_BLOCK_EXP, 1, VIRTIO_BLK_F_TOPOLOGY},
    [CFG_ALIGN_OFFSET] = {VIRTIO_BLK_CFG_ALIGN_OFFSET, 1, VIRTIO_BLK_F_TOPOLOGY},
    [CFG_MIN_IO_SIZE] = {VIRTIO_BLK_CFG_MIN_IO_SIZE, 2, VIRTIO_BLK_F_TOPOLOGY},
    [CFG_OPT_IO_SIZE] = {VIRTIO_BLK_CFG_OPT_IO_SIZE, 4, VIRTIO_BLK_F_TOPOLOGY},
};

int virtio_blk_status_error(uint8_t status)
{
    switch (status) {
    case VIRTIO_BLK_S_OK: return MN_ERR_OK;
    case VIRTIO_BLK_S_IOERR: return VIRTIO_BLK_ERR_IO;
    case VIRTIO_BLK_S_UNSUPP: return VIRTIO_BLK_ERR_UNSUPP;
    case VIRTIO_BLK_S_ABORTED: return VIRTIO_BLK_ERR_ABORTED;
    default: return VIRTIO_BLK_ERR_PROTOCOL;
    }
}

static uint16_t ndesc_for(uint16_t queue_size)
{
    return queue_size < VIRTQ_MAX_DESC ? queue_size : (uint16_t)VIRTQ_MAX_DESC;
}

size_t virtio_blk_dma_size(uint16_t queue_size)
{
    size_t n = ndesc_for(queue_size);
    return virtq_ring_bytes(queue_size) + n * sizeof(struct virtio_blk_req_hdr) + n;
}

static void zero_dev(virtio_blk_t *dev)
{
    /* A byte loop rather than memset: the library links without libc. */
    volatile uint8_t *p = (volatile uint8_t *)dev;
    for (size_t i = 0; i < sizeof *dev; i++)
        p[i] = 0;
}

/* The features we take whose config fields the device's config structure is long enough to hold. */
static uint64_t supported_features(const virtio_pci_t *t)
{
    uint64_t f = VIRTIO_BLK_FEATURES;
    for (unsigned i = 0; i < CFG_COUNT; i++)
        if (cfg_fields[i].feature != ALWAYS && cfg_fields[i].off + cfg_fields[i].width > t->device.length)
            f &= ~VIRTIO_BIT(cfg_fields[i].feature);
    return f;
}

/* Reads the fields that exist under `features` into v (0 for the others). */
static void read_fields(virtio_blk_t *dev, uint64_t features, uint32_t v[CFG_COUNT])
{
    for (unsigned i = 0; i < CFG_COUNT; i++) {
        v[i] = 0;
        if (cfg_fields[i].feature == ALWAYS || (features & VIRTIO_BIT(cfg_fields[i].feature)))
            virtio_pci_config_read(&dev->pci, cfg_fields[i].off, cfg_fields[i].width, &v[i]);
    }
}

/*
 * Reads a consistent snapshot of the config into dev->info: on the modern
 * transport, until the generation is the same before and after (2.5.1);
 * on the legacy one, which has no generation, until two reads agree
 * (2.5.2). Returns MN_ERR_OK or MN_ERR_BAD_FORMAT.
 */
static int read_config(virtio_blk_t *dev)
{
    uint64_t f = dev->info.features;
    uint32_t v[CFG_COUNT], again[CFG_COUNT];
    bool stable = false;
    for (unsigned tries = 0; tries < CONFIG_TRIES && !stable; tries++) {
        uint8_t before = virtio_pci_config_generation(&dev->pci);
        read_fields(dev, f, v);
        if (dev->pci.legacy) {
            read_fields(dev, f, again);
            stable = true;
            for (unsigned i = 0; i < CFG_COUNT; i++)
                stable &= v[i] == again[i];
        } else {
            stable = virtio_pci_config_generation(&dev->pci) == before;
        }
    }
    if (!stable)
        return MN_ERR_BAD_FORMAT;
    virtio_blk_info_t *in = &dev->info;
    in->capacity = v[CFG_CAPACITY_LO] | (uint64_t)v[CFG_CAPACITY_HI] << 32;
    in->size_max = v[CFG_SIZE_MAX]; /* 0 (absent or bogus) means no limit */
    /* A device offering SEG_MAX with 0 gets one segment per request rather than a limit of none. */
    in->seg_max = (f & VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX)) && !v[CFG_SEG_MAX] ? 1 : v[CFG_SEG_MAX];
    in->has_geometry = (f & VIRTIO_BIT(VIRTIO_BLK_F_GEOMETRY)) != 0;
    in->cylinders = (uint16_t)v[CFG_CYLINDERS];
    in->heads = (uint8_t)v[CFG_HEADS];
    in->sectors = (uint8_t)v[CFG_SECTORS];
    uint32_t bs = v[CFG_BLK_SIZE];
    /* Only a hint for performance (5.2.5): a nonsensical value is ignored rather than trusted. */
    in->blk_size = bs >= VIRTIO_BLK_SECTOR && !(bs & (bs - 1)) ? bs : VIRTIO_BLK_SECTOR;
    in->has_topology = (f & VIRTIO_BIT(VIRTIO_BLK_F_TOPOLOGY)) != 0;
    in->physical_block_exp = (uint8_t)v[CFG_PHYS_BLOCK_EXP];
    in->alignment_offset = (uint8_t)v[CFG_ALIGN_OFFSET];
    in->min_io_size = (uint16_t)v[CFG_MIN_IO_SIZE];
    in->opt_io_size = v[CFG_OPT_IO_SIZE];
    return MN_ERR_OK;
}

static bool vector_ok(const virtio_blk_params_t *p, uint16_t v)
{
    return v == VIRTIO_NO_VECTOR || v < p->msix_table_size;
}

static int open_transport(virtio_blk_t *dev, const virtio_blk_params_t *p)
{
    bool msix = p->msix_table_size > 0;
    if (p->legacy)
        return virtio_pci_open_legacy(&dev->pci, p->ops, p->legacy_bar, p->legacy_bar_size, msix);
    return virtio_pci_open_modern(&dev->pci, p->ops, p->caps, p->ncaps, msix);
}

/*
 * Picks the ring size: legacy devices dictate it; modern ones take any
 * power of two up to their maximum, so the largest that the caller allows
 * and the DMA area holds. Sets dev->dma_needed.
 */
static int choose_queue_size(virtio_blk_t *dev, const virtio_blk_params_t *p, uint16_t offered, uint16_t *size)
{
    uint32_t n = offered;
    if (dev->pci.legacy) {
        if (offered & (offered - 1))
            return MN_ERR_BAD_FORMAT;
    } else {
        uint32_t limit = p->max_queue_size && p->max_queue_size < offered ? p->max_queue_size : offered;
        for (n = VIRTQ_MAX_SIZE; n > limit; n >>= 1)
            continue;
        while (n > MIN_QUEUE && virtio_blk_dma_size((uint16_t)n) > p->dma_size)
            n >>= 1;
    }
    if (n < MIN_QUEUE)
        return MN_ERR_BAD_FORMAT;
    dev->dma_needed = virtio_blk_dma_size((uint16_t)n);
    if (dev->dma_needed > p->dma_size)
        return MN_ERR_NO_MEMORY;
    if (dev->pci.legacy && ((p->dma_phys >> VIRTIO_LEGACY_PFN_SHIFT) > UINT32_MAX))
        return MN_ERR_NO_MEMORY; /* the PFN register is 32 bits wide */
    *size = (uint16_t)n;
    return MN_ERR_OK;
}

static int setup_queue(virtio_blk_t *dev, const virtio_blk_params_t *p)
{
    uint16_t offered, size;
    int err = virtio_pci_queue_size(&dev->pci, 0, &offered);
    if (err != MN_ERR_OK || offered == 0)
        return MN_ERR_NOT_FOUND;
    if ((err = choose_queue_size(dev, p, offered, &size)) != MN_ERR_OK)
        return err;
    if ((err = virtq_init(&dev->vq, p->ops, 0, size, p->dma, p->dma_phys)) != MN_ERR_OK)
        return err;
    size_t ring = virtq_ring_bytes(size);
    dev->hdr = (volatile struct virtio_blk_req_hdr *)((uint8_t *)p->dma + ring);
    dev->hdr_phys = p->dma_phys + ring;
    dev->status = (volatile uint8_t *)(dev->hdr + dev->vq.ndesc);
    dev->status_phys = dev->hdr_phys + sizeof(struct virtio_blk_req_hdr) * dev->vq.ndesc;
    if (dev->pci.msix && (err = virtio_pci_set_config_vector(&dev->pci, p->config_vector)) != MN_ERR_OK)
        return err;
    uint16_t vector = dev->pci.msix ? p->queue_vector : VIRTIO_NO_VECTOR;
    err = virtio_pci_queue_enable(&dev->pci, 0, size, dev->vq.desc_phys, dev->vq.avail_phys, dev->vq.used_phys, vector,
                                  &dev->vq.notify_off);
    if (err != MN_ERR_OK)
        return err;
    dev->info.queue_size = size;
    uint32_t segs = (uint32_t)dev->vq.ndesc - 2;
    dev->info.max_segments = (uint16_t)(dev->info.seg_max && dev->info.seg_max < segs ? dev->info.seg_max : segs);
    return MN_ERR_OK;
}

int virtio_blk_init(virtio_blk_t *dev, const virtio_blk_params_t *p)
{
    if (!dev || !p)
        return MN_ERR_BAD_ARG;
    zero_dev(dev);
    if (!p->ops || !p->dma || (uintptr_t)p->dma % 16 || p->dma_phys % VIRTQ_ALIGN)
        return MN_ERR_BAD_ARG;
    if (p->msix_table_size && (!vector_ok(p, p->config_vector) || !vector_ok(p, p->queue_vector)))
        return MN_ERR_BAD_ARG;
    int err = open_transport(dev, p);
    if (err != MN_ERR_OK)
        return err;
    /* 3.1.1: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK (modern), device setup, DRIVER_OK. */
    if ((err = virtio_pci_reset(&dev->pci)) != MN_ERR_OK)
        goto failed;
    virtio_pci_add_status(&dev->pci, VIRTIO_STATUS_ACKNOWLEDGE);
    virtio_pci_add_status(&dev->pci, VIRTIO_STATUS_DRIVER);
    if ((err = virtio_pci_negotiate(&dev->pci, supported_features(&dev->pci), &dev->info.features)) != MN_ERR_OK)
        goto failed;
    dev->info.read_only = (dev->info.features & VIRTIO_BIT(VIRTIO_BLK_F_RO)) != 0;
    dev->info.flush = (dev->info.features & VIRTIO_BIT(VIRTIO_BLK_F_FLUSH)) != 0;
    if ((err = read_config(dev)) != MN_ERR_OK || (err = setup_queue(dev, p)) != MN_ERR_OK)
        goto failed;
    virtio_pci_add_status(&dev->pci, VIRTIO_STATUS_DRIVER_OK);
    dev->ready = true;
    return MN_ERR_OK;
failed:
    virtio_pci_add_status(&dev->pci, VIRTIO_STATUS_FAILED);
    return err;
}

/* Data descriptors segment `len` becomes: one per size_max bytes, or one. */
static uint64_t pieces(const virtio_blk_t *dev, uint32_t len)
{
    uint32_t max = dev->info.size_max;
    return max ? (len + (uint64_t)max - 1) / max : 1;
}

/* Checks a read or write's segments; *ndata gets the data descriptors and *sectors the length. */
static int check_data(const virtio_blk_t *dev, uint64_t lba, const virtio_blk_seg_t *segs, unsigned nsegs,
                      unsigned *ndata, uint64_t *sectors)
{
    uint64_t bytes = 0, descs = 0;
    if (!segs || nsegs == 0 || nsegs > dev->info.max_segments)
        return MN_ERR_BAD_ARG;
    for (unsigned i = 0; i < nsegs; i++) {
        uint64_t phys = segs[i].phys, len = segs[i].len;
        if (len == 0 || len % VIRTIO_BLK_SECTOR || phys % VIRTIO_BLK_SECTOR || phys > UINT64_MAX - len)
            return MN_ERR_BAD_ARG;
        bytes += len;
        descs += pieces(dev, segs[i].len);
    }
    *sectors = bytes / VIRTIO_BLK_SECTOR;
    if (*sectors > VIRTIO_BLK_MAX_SECTORS || descs > dev->info.max_segments)
        return MN_ERR_BAD_ARG;
    if (lba > dev->info.capacity || *sectors > dev->info.capacity - lba)
        return MN_ERR_BAD_ARG;
    *ndata = (unsigned)descs;
    return MN_ERR_OK;
}

/* Checks a request of any type and queues it as one chain; changes nothing unless it returns MN_ERR_OK. */
static int queue_request(virtio_blk_t *dev, unsigned type, uint64_t lba, const virtio_blk_seg_t *segs, unsigned nsegs,
                         uint64_t cookie)
{
    unsigned ndata = 0;
    uint64_t sectors = 0;
    int err;
    if (!dev)
        return MN_ERR_BAD_ARG;
    if (!dev->ready || dev->vq.broken)
        return MN_ERR_DEAD;
    switch (type) {
    case VIRTIO_BLK_T_IN:
    case VIRTIO_BLK_T_OUT:
        if ((err = check_data(dev, lba, segs, nsegs, &ndata, &sectors)) != MN_ERR_OK)
            return err;
        if (type == VIRTIO_BLK_T_OUT && dev->info.read_only)
            return MN_ERR_NO_RIGHTS;
        break;
    case VIRTIO_BLK_T_FLUSH:
        if (!dev->info.flush || lba || nsegs)
            return MN_ERR_BAD_ARG;
        break;
    case VIRTIO_BLK_T_GET_ID:
        if (lba || nsegs != 1 || segs[0].len != VIRTIO_BLK_ID_BYTES || segs[0].phys > UINT64_MAX - VIRTIO_BLK_ID_BYTES)
            return MN_ERR_BAD_ARG;
        ndata = 1;
        break;
    default: return MN_ERR_BAD_ARG;
    }
    uint16_t head;
    if ((err = virtq_chain_begin(&dev->vq, ndata + 2, &head)) != MN_ERR_OK)
        return err;
    bool device_writes = type != VIRTIO_BLK_T_OUT;
    uint32_t writable = 1;
    dev->hdr[head].type = type;
    dev->hdr[head].reserved = 0;
    dev->hdr[head].sector = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_OUT ? lba : 0;
    dev->status[head] = VIRTIO_BLK_S_NONE;
    virtq_chain_add(&dev->vq, dev->hdr_phys + sizeof(struct virtio_blk_req_hdr) * head,
                    sizeof(struct virtio_blk_req_hdr), false);
    for (unsigned i = 0; i < nsegs; i++) {
        uint64_t phys = segs[i].phys;
        uint32_t left = segs[i].len;
        while (left) {
            uint32_t piece = dev->info.size_max && left > dev->info.size_max ? dev->info.size_max : left;
            virtq_chain_add(&dev->vq, phys, piece, device_writes);
            phys += piece;
            left -= piece;
            if (device_writes)
                writable += piece;
        }
    }
    virtq_chain_add(&dev->vq, dev->status_phys + head, 1, true);
    virtq_chain_end(&dev->vq);
    dev->req[head].cookie = cookie;
    dev->req[head].writable = writable;
    dev->req[head].type = (uint8_t)type;
    return MN_ERR_OK;
}

int virtio_blk_submit(virtio_blk_t *dev, unsigned type, uint64_t lba, uint64_t buf, uint32_t nsectors, uint64_t cookie)
{
    virtio_blk_seg_t seg = {buf, 0};
    switch (type) {
    case VIRTIO_BLK_T_IN:
    case VIRTIO_BLK_T_OUT:
        if (nsectors == 0 || nsectors > VIRTIO_BLK_MAX_SECTORS)
            return MN_ERR_BAD_ARG;
        seg.len = nsectors * VIRTIO_BLK_SECTOR;
        return queue_request(dev, type, lba, &seg, 1, cookie);
    case VIRTIO_BLK_T_FLUSH:
        if (buf || nsectors)
            return MN_ERR_BAD_ARG;
        return queue_request(dev, type, lba, NULL, 0, cookie);
    case VIRTIO_BLK_T_GET_ID:
        if (nsectors)
            return MN_ERR_BAD_ARG;
        seg.len = VIRTIO_BLK_ID_BYTES;
        return queue_request(dev, type, lba, &seg, 1, cookie);
    default: return MN_ERR_BAD_ARG;
    }
}

int virtio_blk_submitv(virtio_blk_t *dev, unsigned type, uint64_t lba, const virtio_blk_seg_t *segs, unsigned nsegs,
                       uint64_t cookie)
{
    if (type != VIRTIO_BLK_T_IN && type != VIRTIO_BLK_T_OUT)
        return MN_ERR_BAD_ARG;
    return queue_request(dev, type, lba, segs, nsegs, cookie);
}

void virtio_blk_kick(virtio_blk_t *dev)
{
    if (dev && dev->ready && virtq_publish(&dev->vq))
        virtio_pci_notify(&dev->pci, dev->vq.index, dev->vq.notify_off);
}

/*
 * Finishes the request whose chain came back with used length len. On the
 * modern transport the length must fit: never more than the chain's
 * device-writable bytes, and all of them when the device says OK (the
 * status byte is the last of them, so a shorter length means it may not
 * have been written, 2.7.8.2). Legacy devices are known to put anything
 * there, so their lengths are ignored (5.2.6.3).
 */
static void complete(virtio_blk_t *dev, uint16_t head, uint32_t len, virtio_blk_done_fn *fn, void *arg)
{
    virtio_blk_done_t done;
    done.cookie = dev->req[head].cookie;
    done.type = dev->req[head].type;
    done.len = len;
    done.status = dev->status[head];
    done.result = virtio_blk_status_error(done.status);
    if (done.status == VIRTIO_BLK_S_ABORTED) /* not a byte the device may write */
        done.result = VIRTIO_BLK_ERR_PROTOCOL;
    uint32_t writable = dev->req[head].writable;
    if (!dev->pci.legacy && (len > writable || (done.status == VIRTIO_BLK_S_OK && len != writable)))
        done.result = VIRTIO_BLK_ERR_PROTOCOL;
    if (fn)
        fn(arg, &done);
}

int virtio_blk_poll(virtio_blk_t *dev, virtio_blk_done_fn *fn, void *arg, unsigned *completed)
{
    unsigned count = 0;
    int rc = MN_ERR_OK;
    if (!dev || !dev->ready) {
        rc = MN_ERR_DEAD;
        goto out;
    }
    /* An honest device returns at most the chains in flight when the call began (the callback's new
     * requests are not published before the next kick); the bound keeps a dishonest one from holding us. */
    for (unsigned i = 0; i < dev->vq.size; i++) {
        uint16_t head;
        uint32_t len;
        int err = virtq_get_used(&dev->vq, &head, &len);
        if (err == MN_ERR_WOULD_BLOCK)
            break;
        if (err == MN_ERR_DEAD) {
            rc = MN_ERR_DEAD;
            break;
        }
        if (err == MN_ERR_BAD_FORMAT) {
            dev->bad_completions++;
            rc = MN_ERR_BAD_FORMAT;
            continue;
        }
        count++;
        complete(dev, head, len, fn, arg);
    }
out:
    if (completed)
        *completed = count;
    return rc;
}

uint8_t virtio_blk_isr(virtio_blk_t *dev)
{
    return dev && dev->pci.ops ? virtio_pci_isr(&dev->pci) : 0;
}

int virtio_blk_refresh(virtio_blk_t *dev)
{
    if (!dev || !dev->ready || (virtio_pci_status(&dev->pci) & VIRTIO_STATUS_NEEDS_RESET))
        return MN_ERR_DEAD;
    return read_config(dev);
}

void virtio_blk_set_interrupts(virtio_blk_t *dev, bool on)
{
    if (dev && dev->ready)
        virtq_set_interrupts(&dev->vq, on);
}

int virtio_blk_reset(virtio_blk_t *dev, virtio_blk_done_fn *fn, void *arg)
{
    if (!dev || !dev->pci.ops)
        return MN_ERR_BAD_ARG;
    dev->ready = false;
    int err = virtio_pci_reset(&dev->pci);
    if (err != MN_ERR_OK)
        return err;
    /* The device has forgotten the queue: what it had not returned will never come back. */
    uint16_t head;
    while (virtq_take_in_flight(&dev->vq, &head)) {
        virtio_blk_done_t done = {dev->req[head].cookie, VIRTIO_BLK_ERR_ABORTED, VIRTIO_BLK_S_ABORTED,
                                  dev->req[head].type, 0};
        if (fn)
            fn(arg, &done);
    }
    return MN_ERR_OK;
}
