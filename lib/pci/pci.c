/*
 * PCI enumeration (see pci.h): the bus walk, the per-function header decode,
 * and config access and command-register helpers for functions already
 * found. BARs are in pci_bars.c, capabilities in pci_caps.c.
 */
#include "pci_internal.h"

static bool ops_valid(const struct pci_config_ops *ops)
{
    return ops && ops->read32 && ops->write32 && (ops->max_offset == 0xFF || ops->max_offset == 0xFFF);
}

static void zero_device(struct pci_device *d)
{
    /* A byte loop rather than memset: the library links without libc. */
    volatile uint8_t *p = (volatile uint8_t *)d;
    for (size_t i = 0; i < sizeof *d; i++)
        p[i] = 0;
}

/* Vendor ID 0xFFFF is what a read of an absent function returns; 0 is no valid vendor either. */
static bool vendor_absent(uint32_t id_dword)
{
    uint16_t vendor = (uint16_t)id_dword;
    return vendor == 0xFFFF || vendor == 0;
}

/* Decodes the header of a present function at *l into *d (zeroed first) and probes BARs and capabilities. */
static void probe_function(const struct pci_loc *l, uint32_t id_dword, struct pci_device *d, bool size_bars)
{
    zero_device(d);
    d->segment = l->seg;
    d->bus = l->bus;
    d->dev = l->dev;
    d->fn = l->fn;
    d->vendor_id = (uint16_t)id_dword;
    d->device_id = (uint16_t)(id_dword >> 16);
    uint32_t v = pci_rd32(l, PCI_CFG_COMMAND);
    d->command = (uint16_t)v;
    d->status = (uint16_t)(v >> 16);
    v = pci_rd32(l, PCI_CFG_REVISION);
    d->revision = (uint8_t)v;
    d->prog_if = (uint8_t)(v >> 8);
    d->subclass = (uint8_t)(v >> 16);
    d->class_code = (uint8_t)(v >> 24);
    uint8_t ht = pci_rd8(l, PCI_CFG_HEADER_TYPE);
    d->header_type = ht & 0x7F;
    d->multifunction = (ht & PCI_HEADER_MULTIFUNCTION) != 0;

    uint8_t cap_ptr_reg = 0;
    switch (d->header_type) {
    case PCI_HEADER_DEVICE:
        d->bar_count = 6;
        v = pci_rd32(l, PCI_CFG_SUBSYS_VENDOR);
        d->subsys_vendor_id = (uint16_t)v;
        d->subsys_id = (uint16_t)(v >> 16);
        cap_ptr_reg = PCI_CFG_CAP_PTR;
        break;
    case PCI_HEADER_BRIDGE:
    case PCI_HEADER_CARDBUS:
        d->bar_count = d->header_type == PCI_HEADER_BRIDGE ? 2 : 1;
        v = pci_rd32(l, PCI_CFG_PRIMARY_BUS);
        d->primary_bus = (uint8_t)v;
        d->secondary_bus = (uint8_t)(v >> 8);
        d->subordinate_bus = (uint8_t)(v >> 16);
        if (d->header_type == PCI_HEADER_CARDBUS) {
            v = pci_rd32(l, PCI_CFG_CARDBUS_SUBSYS);
            d->subsys_vendor_id = (uint16_t)v;
            d->subsys_id = (uint16_t)(v >> 16);
            cap_ptr_reg = PCI_CFG_CARDBUS_CAP_PTR;
        } else {
            cap_ptr_reg = PCI_CFG_CAP_PTR;
        }
        break;
    default: d->flags |= PCI_DEV_UNKNOWN_HEADER; return;
    }
    v = pci_rd32(l, PCI_CFG_IRQ_LINE);
    d->irq_line = (uint8_t)v;
    d->irq_pin = (uint8_t)(v >> 8);
    pci_bars_probe(l, d, size_bars);
    pci_caps_probe(l, d, cap_ptr_reg);
}

/* One function at a location (ops already checked); `size_bars`: probe BAR sizes (writes) or only decode. */
static int probe_at(const struct pci_config_ops *ops, uint16_t segment, uint8_t bus, uint8_t dev, uint8_t fn,
                    struct pci_device *out, bool size_bars)
{
    if (dev > 31 || fn > 7 || !out)
        return MN_ERR_BAD_ARG;
    struct pci_loc l = {ops, segment, bus, dev, fn};
    uint32_t id = pci_rd32(&l, PCI_CFG_VENDOR_ID);
    if (vendor_absent(id)) {
        zero_device(out);
        out->segment = segment;
        out->bus = bus;
        out->dev = dev;
        out->fn = fn;
        return MN_ERR_NOT_FOUND;
    }
    probe_function(&l, id, out, size_bars);
    return MN_ERR_OK;
}

int pci_probe(const struct pci_config_ops *ops, uint16_t segment, uint8_t bus, uint8_t dev, uint8_t fn,
              struct pci_device *out)
{
    if (!ops_valid(ops))
        return MN_ERR_BAD_ARG;
    return probe_at(ops, segment, bus, dev, fn, out, true);
}

int pci_probe_readonly(const struct pci_config_ops *ops, uint16_t segment, uint8_t bus, uint8_t dev, uint8_t fn,
                       struct pci_device *out)
{
    if (!ops || !ops->read32 || (ops->max_offset != 0xFF && ops->max_offset != 0xFFF))
        return MN_ERR_BAD_ARG;
    return probe_at(ops, segment, bus, dev, fn, out, false);
}

/* ---- the bus walk ---------------------------------------------------------- */

struct bus_set {
    uint64_t bits[4];
};

static bool bus_has(const struct bus_set *s, uint8_t bus)
{
    return (s->bits[bus / 64] >> (bus % 64)) & 1;
}

static void bus_add(struct bus_set *s, uint8_t bus)
{
    s->bits[bus / 64] |= 1ull << (bus % 64);
}

int pci_enumerate(const struct pci_config_ops *ops, uint16_t segment, uint8_t first_bus, uint8_t last_bus,
                  struct pci_device *devs, size_t max, size_t *found)
{
    if (!ops_valid(ops) || first_bus > last_bus || !found || (!devs && max))
        return MN_ERR_BAD_ARG;

    /* Each bus enters the queue at most once (it is marked when queued), so the walk ends after at most
     * 256 buses whatever the bridges claim; no recursion, so the stack use is fixed. */
    struct bus_set queued = {{0}}, only_device0 = {{0}};
    uint8_t queue[256];
    unsigned head = 0, tail = 0;
    queue[tail++] = first_bus;
    bus_add(&queued, first_bus);

    struct pci_device scratch; /* for functions that no longer fit in devs: read, never written */
    size_t n = 0;
    while (head < tail) {
        uint8_t bus = queue[head++];
        unsigned devices = bus_has(&only_device0, bus) ? 1 : 32;
        for (uint8_t dev = 0; dev < devices; dev++) {
            unsigned functions = 1;
            for (uint8_t fn = 0; fn < functions; fn++) {
                struct pci_loc l = {ops, segment, bus, dev, fn};
                uint32_t id = pci_rd32(&l, PCI_CFG_VENDOR_ID);
                /* An absent function 0 leaves `functions` at 1: the device is absent, whatever functions 1-7
                 * would read (a multi-function device must implement function 0). */
                if (vendor_absent(id))
                    continue;
                struct pci_device *d = n < max ? &devs[n] : &scratch;
                probe_function(&l, id, d, d != &scratch);
                n++;
                if (fn == 0 && d->multifunction)
                    functions = 8;
                if (d->header_type != PCI_HEADER_BRIDGE && d->header_type != PCI_HEADER_CARDBUS)
                    continue;

                /* Firmware numbers buses depth first, so a child's number is above its parent's; anything
                 * else (0 for an unconfigured bridge, a loop back, a bus seen through another bridge) is
                 * recorded and not followed. */
                uint8_t sec = d->secondary_bus;
                if (sec <= bus || sec < first_bus || sec > last_bus || bus_has(&queued, sec)) {
                    d->flags |= PCI_DEV_BRIDGE_SKIPPED;
                    continue;
                }
                bus_add(&queued, sec);
                queue[tail++] = sec;
                /* Below a PCIe root or downstream port only device 0 exists (the link has one device); without
                 * ARI, functions of devices 1-31 would be aliases of device 0 on some hardware. */
                if (d->pcie.cap && !d->pcie.ari_forwarding &&
                    (d->pcie.port_type == PCI_PCIE_ROOT_PORT || d->pcie.port_type == PCI_PCIE_DOWNSTREAM_PORT))
                    bus_add(&only_device0, sec);
            }
        }
    }
    *found = n;
    return n > max ? MN_ERR_NO_SPACE : MN_ERR_OK;
}

/* ---- access to a found function ------------------------------------------- */

static bool access_valid(const struct pci_config_ops *ops, const struct pci_device *d, uint16_t offset, unsigned width)
{
    if (!ops_valid(ops) || !d || d->dev > 31 || d->fn > 7 || (width != 1 && width != 2 && width != 4))
        return false;
    return offset % width == 0 && (uint32_t)offset + width - 1 <= ops->max_offset;
}

int pci_config_read(const struct pci_config_ops *ops, const struct pci_device *d, uint16_t offset, unsigned width,
                    uint32_t *value)
{
    if (!access_valid(ops, d, offset, width) || !value)
        return MN_ERR_BAD_ARG;
    struct pci_loc l = {ops, d->segment, d->bus, d->dev, d->fn};
    uint32_t v = pci_rd32(&l, offset & ~3u);
    if (width < 4)
        v = (v >> (8 * (offset & 3))) & ((1u << (8 * width)) - 1);
    *value = v;
    return MN_ERR_OK;
}

/* The RW1C halves of a dword that a narrow write must not write back: a mask of the bytes to zero. */
static uint32_t rw1c_bytes(const struct pci_device *d, uint16_t dword)
{
    if (dword == PCI_CFG_COMMAND)
        return 0xFFFF0000u; /* status */
    if (d->header_type == PCI_HEADER_BRIDGE && dword == (PCI_CFG_SEC_STATUS & ~3u))
        return 0xFFFF0000u; /* secondary status */
    if (d->pcie.cap) {
        uint16_t c = d->pcie.cap;
        /* device status (cap + 0x0A), link status (+ 0x12), slot status (+ 0x1A): upper halves */
        if (dword == c + 0x08 || dword == c + 0x10 || dword == c + 0x18)
            return 0xFFFF0000u;
    }
    return 0;
}

int pci_config_write(const struct pci_config_ops *ops, const struct pci_device *d, uint16_t offset, unsigned width,
                     uint32_t value)
{
    if (!access_valid(ops, d, offset, width))
        return MN_ERR_BAD_ARG;
    struct pci_loc l = {ops, d->segment, d->bus, d->dev, d->fn};
    uint16_t dword = offset & ~3u;
    if (width == 4) {
        pci_wr32(&l, dword, value);
        return MN_ERR_OK;
    }
    unsigned shift = 8 * (offset & 3);
    uint32_t mask = ((1u << (8 * width)) - 1) << shift;
    uint32_t v = pci_rd32(&l, dword);
    v = (v & ~mask) | ((value << shift) & mask);
    v &= ~(rw1c_bytes(d, dword) & ~mask);
    pci_wr32(&l, dword, v);
    return MN_ERR_OK;
}

int pci_command_update(const struct pci_config_ops *ops, struct pci_device *d, uint16_t set, uint16_t clear)
{
    if (!ops_valid(ops) || !d || d->dev > 31 || d->fn > 7)
        return MN_ERR_BAD_ARG;
    struct pci_loc l = {ops, d->segment, d->bus, d->dev, d->fn};
    uint16_t cmd = (uint16_t)((pci_rd16(&l, PCI_CFG_COMMAND) | set) & ~clear);
    pci_wr_command(&l, cmd);
    d->command = cmd;
    return MN_ERR_OK;
}

int pci_set_decoding(const struct pci_config_ops *ops, struct pci_device *d, bool on)
{
    if (!d)
        return MN_ERR_BAD_ARG;
    uint16_t want = 0;
    for (unsigned i = 0; i < d->bar_count && i < PCI_MAX_BARS; i++) {
        if (d->bars[i].type == PCI_BAR_IO)
            want |= PCI_CMD_IO;
        else if (d->bars[i].type == PCI_BAR_MEM32 || d->bars[i].type == PCI_BAR_MEM64)
            want |= PCI_CMD_MEMORY;
    }
    if (d->rom_size)
        want |= PCI_CMD_MEMORY;
    if (on)
        return pci_command_update(ops, d, want, 0);
    return pci_command_update(ops, d, 0, PCI_CMD_IO | PCI_CMD_MEMORY);
}

int pci_set_bus_master(const struct pci_config_ops *ops, struct pci_device *d, bool on)
{
    return on ? pci_command_update(ops, d, PCI_CMD_BUS_MASTER, 0) : pci_command_update(ops, d, 0, PCI_CMD_BUS_MASTER);
}

uint16_t pci_find_cap(const struct pci_device *d, uint16_t id, bool extended)
{
    if (!d)
        return 0;
    for (unsigned i = 0; i < d->cap_count && i < PCI_MAX_CAPS; i++)
        if (d->caps[i].id == id && d->caps[i].extended == extended)
            return d->caps[i].offset;
    return 0;
}
