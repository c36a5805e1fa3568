/*
 * The virtio PCI transport (virtio 1.x 4.1): the modern interface, whose
 * common, notify, ISR and device-config structures sit wherever the
 * device's vendor capabilities say, and the legacy interface of
 * transitional devices, one register block at the start of I/O BAR 0
 * (4.1.4.10). Both end up as the same four regions, so the rest of the file
 * differs only in register offsets.
 *
 * Every access goes through reg_read/reg_write, which drop anything not
 * inside its region or not aligned to its width: whatever a device
 * presents, the library touches no register outside the structures it
 * described. Register widths follow 4.1.3.1: 8-, 16- and 32-bit fields with
 * accesses of their own width, 64-bit fields as two 32-bit halves.
 */
#include "virtio.h"

#define RESET_POLLS 100 /* status reads while waiting for a reset; 1 ms apart when delay_us exists */
#define RESET_POLL_US 1000

static bool ops_valid(const struct virtio_ops *ops)
{
    return ops && ops->read && ops->write && ops->barrier;
}

static bool in_region(const virtio_region_t *r, uint32_t off, unsigned width)
{
    return (width == 1 || width == 2 || width == 4) && off % width == 0 && r->length >= width &&
           off <= r->length - width;
}

static uint32_t reg_read(const virtio_pci_t *t, const virtio_region_t *r, uint32_t off, unsigned width)
{
    if (!in_region(r, off, width))
        return 0;
    return t->ops->read(t->ops->ctx, r->bar, r->offset + off, width);
}

static void reg_write(const virtio_pci_t *t, const virtio_region_t *r, uint32_t off, unsigned width, uint32_t v)
{
    if (in_region(r, off, width))
        t->ops->write(t->ops->ctx, r->bar, r->offset + off, width, v);
}

/* Register offsets inside t->common that differ between the two interfaces. */
static uint32_t status_reg(const virtio_pci_t *t)
{
    return t->legacy ? VIRTIO_LEGACY_DEVICE_STATUS : VIRTIO_PCI_DEVICE_STATUS;
}

static uint32_t queue_select_reg(const virtio_pci_t *t)
{
    return t->legacy ? VIRTIO_LEGACY_QUEUE_SELECT : VIRTIO_PCI_QUEUE_SELECT;
}

static uint32_t queue_vector_reg(const virtio_pci_t *t)
{
    return t->legacy ? VIRTIO_LEGACY_QUEUE_MSIX_VECTOR : VIRTIO_PCI_QUEUE_MSIX_VECTOR;
}

static uint32_t config_vector_reg(const virtio_pci_t *t)
{
    return t->legacy ? VIRTIO_LEGACY_CONFIG_MSIX_VECTOR : VIRTIO_PCI_CONFIG_MSIX_VECTOR;
}

static void init_transport(virtio_pci_t *t, const struct virtio_ops *ops, bool legacy, bool msix)
{
    t->ops = ops;
    t->legacy = legacy;
    t->msix = msix;
    t->common = t->notify = t->isr = t->device = (virtio_region_t){0, 0, 0};
    t->notify_multiplier = 0;
    t->status = 0;
}

/* Why a capability cannot serve as its structure: 0 when it can, else MN_ERR_BAD_FORMAT. */
static int check_cap(const pci_virtio_cap_t *c)
{
    static const struct {
        uint32_t min_length, align;
    } need[] = {
        [PCI_VIRTIO_COMMON_CFG] = {VIRTIO_PCI_COMMON_MIN_LENGTH, 4},
        [PCI_VIRTIO_NOTIFY_CFG] = {2, 2},
        [PCI_VIRTIO_ISR_CFG] = {1, 1},
        [PCI_VIRTIO_DEVICE_CFG] = {8, 4}, /* the block device's capacity, at least */
    };
    if (c->bar > 5 || c->offset > UINT32_MAX || c->length > UINT32_MAX - c->offset)
        return MN_ERR_BAD_FORMAT;
    if (c->length < need[c->cfg_type].min_length || c->offset % need[c->cfg_type].align)
        return MN_ERR_BAD_FORMAT;
    return MN_ERR_OK;
}

int virtio_pci_open_modern(virtio_pci_t *t, const struct virtio_ops *ops, const pci_virtio_cap_t *caps, unsigned ncaps,
                           bool msix)
{
    if (!t || !ops_valid(ops) || (!caps && ncaps))
        return MN_ERR_BAD_ARG;
    virtio_region_t *slot[] = {
        [PCI_VIRTIO_COMMON_CFG] = &t->common,
        [PCI_VIRTIO_NOTIFY_CFG] = &t->notify,
        [PCI_VIRTIO_ISR_CFG] = &t->isr,
        [PCI_VIRTIO_DEVICE_CFG] = &t->device,
    };
    bool found[5] = {false}, seen[5] = {false};
    init_transport(t, ops, false, msix);
    /* The first usable capability of each type wins (4.1.4.1); unusable ones are remembered for the error. */
    for (unsigned i = 0; i < ncaps; i++) {
        const pci_virtio_cap_t *c = &caps[i];
        if (c->cfg_type < PCI_VIRTIO_COMMON_CFG || c->cfg_type > PCI_VIRTIO_DEVICE_CFG || found[c->cfg_type])
            continue;
        seen[c->cfg_type] = true;
        if (check_cap(c) != MN_ERR_OK)
            continue;
        found[c->cfg_type] = true;
        *slot[c->cfg_type] = (virtio_region_t){c->bar, (uint32_t)c->offset, (uint32_t)c->length};
        if (c->cfg_type == PCI_VIRTIO_NOTIFY_CFG)
            t->notify_multiplier = c->notify_off_multiplier;
    }
    int err = MN_ERR_OK;
    for (unsigned type = PCI_VIRTIO_COMMON_CFG; type <= PCI_VIRTIO_DEVICE_CFG; type++) {
        if (!found[type] && seen[type])
            err = MN_ERR_BAD_FORMAT;
        else if (!found[type] && err == MN_ERR_OK)
            err = MN_ERR_NOT_FOUND;
    }
    if (err != MN_ERR_OK)
        init_transport(t, ops, false, msix);
    return err;
}

int virtio_pci_open_legacy(virtio_pci_t *t, const struct virtio_ops *ops, uint8_t bar, uint32_t bar_size, bool msix)
{
    uint32_t config = msix ? VIRTIO_LEGACY_CONFIG_MSIX : VIRTIO_LEGACY_CONFIG;
    if (!t || !ops_valid(ops) || bar > 5 || bar_size < config + 8)
        return MN_ERR_BAD_ARG;
    init_transport(t, ops, true, msix);
    t->common = (virtio_region_t){bar, 0, config};
    t->notify = (virtio_region_t){bar, VIRTIO_LEGACY_QUEUE_NOTIFY, 2};
    t->isr = (virtio_region_t){bar, VIRTIO_LEGACY_ISR, 1};
    t->device = (virtio_region_t){bar, config, bar_size - config};
    return MN_ERR_OK;
}

uint8_t virtio_pci_status(virtio_pci_t *t)
{
    return (uint8_t)reg_read(t, &t->common, status_reg(t), 1);
}

void virtio_pci_add_status(virtio_pci_t *t, uint8_t bits)
{
    t->status |= bits;
    reg_write(t, &t->common, status_reg(t), 1, t->status);
}

int virtio_pci_reset(virtio_pci_t *t)
{
    t->status = 0;
    reg_write(t, &t->common, status_reg(t), 1, 0);
    for (unsigned i = 0; i < RESET_POLLS; i++) {
        if (virtio_pci_status(t) == 0)
            return MN_ERR_OK;
        if (t->ops->delay_us)
            t->ops->delay_us(t->ops->ctx, RESET_POLL_US);
    }
    return MN_ERR_TIMEOUT;
}

int virtio_pci_negotiate(virtio_pci_t *t, uint64_t supported, uint64_t *accepted)
{
    uint64_t offered, want;
    *accepted = 0;
    if (t->legacy) {
        /* Only bits 0-31 exist here, and there is no FEATURES_OK (3.1.2): the write is the negotiation. */
        offered = reg_read(t, &t->common, VIRTIO_LEGACY_HOST_FEATURES, 4);
        want = offered & supported & 0xFFFFFFFFu;
        reg_write(t, &t->common, VIRTIO_LEGACY_GUEST_FEATURES, 4, (uint32_t)want);
        *accepted = want;
        return MN_ERR_OK;
    }
    reg_write(t, &t->common, VIRTIO_PCI_DEVICE_FEATURE_SELECT, 4, 0);
    offered = reg_read(t, &t->common, VIRTIO_PCI_DEVICE_FEATURE, 4);
    reg_write(t, &t->common, VIRTIO_PCI_DEVICE_FEATURE_SELECT, 4, 1);
    offered |= (uint64_t)reg_read(t, &t->common, VIRTIO_PCI_DEVICE_FEATURE, 4) << 32;
    if (!(offered & VIRTIO_BIT(VIRTIO_F_VERSION_1)))
        return MN_ERR_NOT_FOUND; /* a legacy-only device behind modern capabilities: use the legacy interface */
    want = offered & (supported | VIRTIO_BIT(VIRTIO_F_VERSION_1));
    reg_write(t, &t->common, VIRTIO_PCI_DRIVER_FEATURE_SELECT, 4, 0);
    reg_write(t, &t->common, VIRTIO_PCI_DRIVER_FEATURE, 4, (uint32_t)want);
    reg_write(t, &t->common, VIRTIO_PCI_DRIVER_FEATURE_SELECT, 4, 1);
    reg_write(t, &t->common, VIRTIO_PCI_DRIVER_FEATURE, 4, (uint32_t)(want >> 32));
    virtio_pci_add_status(t, VIRTIO_STATUS_FEATURES_OK);
    if (!(virtio_pci_status(t) & VIRTIO_STATUS_FEATURES_OK))
        return MN_ERR_NOT_FOUND;
    *accepted = want;
    return MN_ERR_OK;
}

int virtio_pci_queue_size(virtio_pci_t *t, uint16_t q, uint16_t *size)
{
    *size = 0;
    if (!t->legacy && q >= reg_read(t, &t->common, VIRTIO_PCI_NUM_QUEUES, 2))
        return MN_ERR_NOT_FOUND;
    reg_write(t, &t->common, queue_select_reg(t), 2, q);
    *size = (uint16_t)reg_read(t, &t->common, t->legacy ? VIRTIO_LEGACY_QUEUE_SIZE : VIRTIO_PCI_QUEUE_SIZE, 2);
    return MN_ERR_OK;
}

/* Writes a queue's MSI-X vector (queue already selected) and checks that the device kept it (4.1.5.1.2). */
static int set_queue_vector(virtio_pci_t *t, uint16_t vector)
{
    if (!t->msix)
        return MN_ERR_OK;
    reg_write(t, &t->common, queue_vector_reg(t), 2, vector);
    return reg_read(t, &t->common, queue_vector_reg(t), 2) == vector ? MN_ERR_OK : MN_ERR_NOT_FOUND;
}

static void write64(virtio_pci_t *t, uint32_t off, uint64_t v)
{
    reg_write(t, &t->common, off, 4, (uint32_t)v);
    reg_write(t, &t->common, off + 4, 4, (uint32_t)(v >> 32));
}

static bool pow2(uint32_t v)
{
    return v && !(v & (v - 1));
}

static int enable_legacy(virtio_pci_t *t, uint16_t q, uint16_t size, uint64_t desc, uint64_t avail, uint64_t used,
                         uint16_t vector, uint32_t *notify_off)
{
    /* The device derives the ring parts from one page number (2.7.2): they must sit where it will look. */
    if (desc % VIRTQ_ALIGN || (desc >> VIRTIO_LEGACY_PFN_SHIFT) > UINT32_MAX ||
        avail != desc + virtq_avail_offset(size) || used != desc + virtq_used_offset(size))
        return MN_ERR_BAD_ARG;
    reg_write(t, &t->common, VIRTIO_LEGACY_QUEUE_SELECT, 2, q);
    reg_write(t, &t->common, VIRTIO_LEGACY_QUEUE_PFN, 4, (uint32_t)(desc >> VIRTIO_LEGACY_PFN_SHIFT));
    int err = set_queue_vector(t, vector);
    if (err != MN_ERR_OK)
        return err;
    *notify_off = 0;
    return MN_ERR_OK;
}

int virtio_pci_queue_enable(virtio_pci_t *t, uint16_t q, uint16_t size, uint64_t desc, uint64_t avail, uint64_t used,
                            uint16_t vector, uint32_t *notify_off)
{
    *notify_off = 0;
    if (!pow2(size) || size > VIRTQ_MAX_SIZE)
        return MN_ERR_BAD_ARG;
    if (t->legacy)
        return enable_legacy(t, q, size, desc, avail, used, vector, notify_off);
    if (desc % 16 || avail % 2 || used % 4) /* 2.7, the split ring's alignments */
        return MN_ERR_BAD_ARG;
    reg_write(t, &t->common, VIRTIO_PCI_QUEUE_SELECT, 2, q);
    reg_write(t, &t->common, VIRTIO_PCI_QUEUE_SIZE, 2, size);
    write64(t, VIRTIO_PCI_QUEUE_DESC, desc);
    write64(t, VIRTIO_PCI_QUEUE_DRIVER, avail);
    write64(t, VIRTIO_PCI_QUEUE_DEVICE, used);
    int err = set_queue_vector(t, vector);
    if (err != MN_ERR_OK)
        return err;
    uint64_t off = (uint64_t)reg_read(t, &t->common, VIRTIO_PCI_QUEUE_NOTIFY_OFF, 2) * t->notify_multiplier;
    if (off + 2 > t->notify.length) /* 4.1.4.4: the device promises cap.length >= this + 2 */
        return MN_ERR_BAD_FORMAT;
    *notify_off = (uint32_t)off;
    reg_write(t, &t->common, VIRTIO_PCI_QUEUE_ENABLE, 2, 1);
    return MN_ERR_OK;
}

void virtio_pci_notify(virtio_pci_t *t, uint16_t q, uint32_t notify_off)
{
    reg_write(t, &t->notify, notify_off, 2, q);
}

int virtio_pci_set_config_vector(virtio_pci_t *t, uint16_t vector)
{
    if (!t->msix)
        return MN_ERR_BAD_ARG;
    reg_write(t, &t->common, config_vector_reg(t), 2, vector);
    return reg_read(t, &t->common, config_vector_reg(t), 2) == vector ? MN_ERR_OK : MN_ERR_NOT_FOUND;
}

uint8_t virtio_pci_isr(virtio_pci_t *t)
{
    return (uint8_t)reg_read(t, &t->isr, 0, 1);
}

uint8_t virtio_pci_config_generation(virtio_pci_t *t)
{
    return t->legacy ? 0 : (uint8_t)reg_read(t, &t->common, VIRTIO_PCI_CONFIG_GENERATION, 1);
}

int virtio_pci_config_read(virtio_pci_t *t, uint32_t off, unsigned width, uint32_t *value)
{
    *value = 0;
    if (!in_region(&t->device, off, width))
        return MN_ERR_BAD_ARG;
    *value = reg_read(t, &t->device, off, width);
    return MN_ERR_OK;
}
