/*
 * Capability lists: the standard list (PCI 3.0 6.7: status bit 4, pointer
 * at 0x34, entries of ID and next pointer in 0x40-0xFF) and the PCIe
 * extended list (at 0x100, ECAM only). Both walks stop at the first loop,
 * out-of-range pointer or cut-off entry and flag it; each entry read is
 * bounds-checked before decoding, so a hostile list reads nothing outside
 * the config space and ends after at most one visit per dword.
 */
#include "pci_internal.h"

#define STD_FIRST 0x40 /* capabilities live after the 64-byte header */
#define STD_END 0x100
#define EXT_FIRST 0x100
#define EXT_END 0x1000

/* The capability at `off` has `len` bytes of registers inside the standard space. */
static bool std_fits(uint16_t off, unsigned len)
{
    return (uint32_t)off + len <= STD_END;
}

static void record(struct pci_device *d, uint16_t id, uint16_t off, bool extended)
{
    if (d->cap_count >= PCI_MAX_CAPS) {
        d->flags |= PCI_DEV_CAPS_TRUNCATED;
        return;
    }
    d->caps[d->cap_count++] = (pci_cap_t){id, off, extended};
}

static void decode_msi(struct pci_device *d, uint8_t off, uint32_t head)
{
    uint16_t ctrl = (uint16_t)(head >> 16);
    unsigned mmc = (ctrl >> 1) & 7; /* log2 of the vectors; 6 and 7 are reserved */
    d->msi.cap = off;
    d->msi.is64 = (ctrl & 0x80) != 0;
    d->msi.maskable = (ctrl & 0x100) != 0;
    d->msi.vectors = (uint8_t)(1u << (mmc > 5 ? 5 : mmc));
}

static void decode_msix(const struct pci_loc *l, struct pci_device *d, uint8_t off, uint32_t head)
{
    if (!std_fits(off, 12)) {
        d->flags |= PCI_DEV_CAPS_BROKEN;
        return;
    }
    uint32_t table = pci_rd32(l, off + 4), pba = pci_rd32(l, off + 8);
    d->msix.cap = off;
    d->msix.table_size = (uint16_t)(((head >> 16) & 0x7FF) + 1);
    d->msix.table_bar = table & 7;
    d->msix.table_offset = table & ~7u;
    d->msix.pba_bar = pba & 7;
    d->msix.pba_offset = pba & ~7u;
}

static void decode_pcie(const struct pci_loc *l, struct pci_device *d, uint8_t off, uint32_t head)
{
    uint16_t caps = (uint16_t)(head >> 16);
    d->pcie.cap = off;
    d->pcie.version = caps & 0xF;
    d->pcie.port_type = (caps >> 4) & 0xF;
    /* Device Control 2 (cap + 0x28, version 2 and later), bit 5: ARI forwarding enable. */
    if (d->pcie.version >= 2 && std_fits(off, 0x2C))
        d->pcie.ari_forwarding = (pci_rd16(l, off + 0x28) & 0x20) != 0;
}

/* virtio 1.x 4.1.4: struct virtio_pci_cap (16 bytes), + notify_off_multiplier for notify, + 64-bit halves for shm. */
static void decode_virtio(const struct pci_loc *l, struct pci_device *d, uint8_t off, uint32_t head)
{
    unsigned len = (head >> 16) & 0xFF, type = head >> 24;
    if (len < 16 || !std_fits(off, len)) {
        d->flags |= PCI_DEV_CAPS_BROKEN;
        return;
    }
    uint32_t w1 = pci_rd32(l, off + 4);
    pci_virtio_cap_t c = {
        off, (uint8_t)type, (uint8_t)w1, (uint8_t)(w1 >> 8), pci_rd32(l, off + 8), pci_rd32(l, off + 12), 0};
    /* The spec has drivers ignore reserved BAR numbers and cfg types; notify needs its multiplier. */
    bool known = (type >= PCI_VIRTIO_COMMON_CFG && type <= PCI_VIRTIO_PCI_CFG) ||
                 type == PCI_VIRTIO_SHARED_MEMORY_CFG || type == PCI_VIRTIO_VENDOR_CFG;
    if (!known || c.bar > 5 || (type == PCI_VIRTIO_NOTIFY_CFG && len < 20))
        return;
    if (type == PCI_VIRTIO_NOTIFY_CFG)
        c.notify_off_multiplier = pci_rd32(l, off + 16);
    if (type == PCI_VIRTIO_SHARED_MEMORY_CFG && len >= 24) {
        c.offset |= (uint64_t)pci_rd32(l, off + 16) << 32;
        c.length |= (uint64_t)pci_rd32(l, off + 20) << 32;
    }
    if (d->virtio_count >= PCI_MAX_VIRTIO_CAPS) {
        d->flags |= PCI_DEV_CAPS_TRUNCATED;
        return;
    }
    d->virtio[d->virtio_count++] = c;
}

static bool is_virtio(const struct pci_device *d)
{
    return d->vendor_id == PCI_VENDOR_VIRTIO && d->device_id >= 0x1000 && d->device_id <= 0x107F;
}

/* One standard capability; the first of each kind is the one decoded. */
static void decode(const struct pci_loc *l, struct pci_device *d, uint8_t id, uint8_t off, uint32_t head)
{
    switch (id) {
    case PCI_CAP_MSI:
        if (!d->msi.cap)
            decode_msi(d, off, head);
        break;
    case PCI_CAP_MSIX:
        if (!d->msix.cap)
            decode_msix(l, d, off, head);
        break;
    case PCI_CAP_PCIE:
        if (!d->pcie.cap)
            decode_pcie(l, d, off, head);
        break;
    case PCI_CAP_SSVID:
        /* Bridges have no subsystem IDs in their header; this capability holds them (+4 vendor, +6 device). */
        if (d->header_type == PCI_HEADER_BRIDGE && std_fits(off, 8) && !d->subsys_vendor_id) {
            uint32_t v = pci_rd32(l, off + 4);
            d->subsys_vendor_id = (uint16_t)v;
            d->subsys_id = (uint16_t)(v >> 16);
        }
        break;
    case PCI_CAP_VENDOR:
        if (is_virtio(d))
            decode_virtio(l, d, off, head);
        break;
    default: break;
    }
}

static void walk_extended(const struct pci_loc *l, struct pci_device *d)
{
    uint64_t seen[EXT_END / 4 / 64] = {0};
    uint16_t off = EXT_FIRST;
    for (;;) {
        uint32_t head = pci_rd32(l, off);
        /* 0 at 0x100 is the spec's "no extended capabilities"; all-ones is no extended space at all. */
        if (off == EXT_FIRST && (head == 0 || head == 0xFFFFFFFFu))
            return;
        if (head == 0xFFFFFFFFu) {
            d->flags |= PCI_DEV_CAPS_BROKEN;
            return;
        }
        seen[off / 4 / 64] |= 1ull << (off / 4 % 64);
        record(d, (uint16_t)head, off, true);
        uint16_t next = (head >> 20) & 0xFFC; /* the low two bits are reserved: masked, as the spec says */
        if (next == 0)
            return;
        if (next < EXT_FIRST || (seen[next / 4 / 64] >> (next / 4 % 64)) & 1) {
            d->flags |= PCI_DEV_CAPS_BROKEN;
            return;
        }
        off = next;
    }
}

void pci_caps_probe(const struct pci_loc *l, struct pci_device *d, uint8_t ptr_reg)
{
    if (!(d->status & PCI_STATUS_CAP_LIST))
        return;
    uint64_t seen = 0; /* one bit per dword of 0x00-0xFF */
    uint8_t off = pci_rd8(l, ptr_reg) & 0xFC;
    while (off) {
        if (off < STD_FIRST || (seen >> (off / 4)) & 1) {
            d->flags |= PCI_DEV_CAPS_BROKEN;
            break;
        }
        seen |= 1ull << (off / 4);
        uint32_t head = pci_rd32(l, off);
        uint8_t id = (uint8_t)head;
        if (id == 0xFF) { /* what a function that went away reads */
            d->flags |= PCI_DEV_CAPS_BROKEN;
            break;
        }
        record(d, id, off, false);
        decode(l, d, id, off, head);
        off = (uint8_t)(head >> 8) & 0xFC;
    }
    /* Extended capabilities exist only in PCIe functions, and only ECAM reaches them. */
    if (d->pcie.cap && l->ops->max_offset >= EXT_END - 1)
        walk_extended(l, d);
}
