/*
 * BAR and expansion ROM decoding and sizing (PCI 3.0 6.2.5). A BAR's size is
 * found by writing all-ones and reading back: the device hardwires to zero
 * the address bits below its size, so the lowest bit that reads back as one
 * is the size. The low type bits are read-only and say what the BAR is.
 */
#include "pci_internal.h"

#define BAR_IO 0x1u
#define BAR_MEM_TYPE_MASK 0x6u
#define BAR_MEM_TYPE_64 0x4u
#define BAR_MEM_PREFETCH 0x8u
#define BAR_IO_ADDR_MASK 0xFFFFFFFCu
#define BAR_MEM_ADDR_MASK 0xFFFFFFF0u
#define ROM_ADDR_MASK 0xFFFFF800u
#define ROM_ENABLE 0x1u

/* What sizing read back for each BAR register (all-ones written, low and high halves alike). */
struct bar_probe {
    uint32_t raw[PCI_MAX_BARS];
    uint32_t mask[PCI_MAX_BARS];
    uint32_t rom_raw, rom_mask;
};

static uint32_t size_register(const struct pci_loc *l, uint16_t off, uint32_t raw, uint32_t ones)
{
    pci_wr32(l, off, ones);
    uint32_t back = pci_rd32(l, off);
    pci_wr32(l, off, raw);
    return back;
}

/*
 * Fills p->mask by writing all-ones to every BAR (and ROM) and restoring it.
 * The order matters:
 *  1. I/O and memory decoding are turned off first: while a BAR holds
 *     all-ones the device would otherwise claim the top of the address space
 *     (where the firmware flash, the LAPIC and I/O APIC, or another device's
 *     window live) and steal or corrupt accesses meant for them.
 *  2. Each BAR gets its original value back before decoding returns; both
 *     halves of a 64-bit BAR are written back first, since a pair with only
 *     one half restored is just as bogus an address.
 *  3. The command register is restored last, to exactly what it was.
 */
static void size_all(const struct pci_loc *l, const struct pci_device *d, uint16_t rom_reg, struct bar_probe *p)
{
    uint16_t cmd = d->command;
    bool decoding = (cmd & (PCI_CMD_IO | PCI_CMD_MEMORY)) != 0;
    if (decoding)
        pci_wr_command(l, (uint16_t)(cmd & ~(PCI_CMD_IO | PCI_CMD_MEMORY)));
    for (unsigned i = 0; i < d->bar_count; i++) {
        uint16_t off = (uint16_t)(PCI_CFG_BAR0 + 4 * i);
        bool pair = !(p->raw[i] & BAR_IO) && (p->raw[i] & BAR_MEM_TYPE_MASK) == BAR_MEM_TYPE_64 && i + 1 < d->bar_count;
        if (!pair) {
            p->mask[i] = size_register(l, off, p->raw[i], 0xFFFFFFFFu);
            continue;
        }
        pci_wr32(l, off, 0xFFFFFFFFu);
        pci_wr32(l, off + 4, 0xFFFFFFFFu);
        p->mask[i] = pci_rd32(l, off);
        p->mask[i + 1] = pci_rd32(l, off + 4);
        pci_wr32(l, off, p->raw[i]);
        pci_wr32(l, off + 4, p->raw[i + 1]);
        i++;
    }
    /* All-ones but the enable bit, so the ROM is never switched on by the probe. */
    if (rom_reg)
        p->rom_mask = size_register(l, rom_reg, p->rom_raw, ROM_ADDR_MASK);
    if (decoding)
        pci_wr_command(l, cmd);
}

/* Fills one BAR slot (two for a 64-bit pair) from raw values and, when sized, the read-back masks; returns slots used.
 */
static unsigned decode_bar(struct pci_device *d, unsigned i, const struct bar_probe *p, bool sized)
{
    pci_bar_t *b = &d->bars[i];
    uint32_t raw = p->raw[i];
    if (raw & BAR_IO) {
        uint64_t size = sized ? pci_lowest_bit(p->mask[i] & BAR_IO_ADDR_MASK) : 0;
        if (sized ? size == 0 : (raw & BAR_IO_ADDR_MASK) == 0)
            return 1;
        b->type = PCI_BAR_IO;
        b->size = size;
        b->base = raw & BAR_IO_ADDR_MASK;
    } else if ((raw & BAR_MEM_TYPE_MASK) == BAR_MEM_TYPE_64 && i + 1 < d->bar_count) {
        uint64_t base = ((uint64_t)p->raw[i + 1] << 32) | (raw & BAR_MEM_ADDR_MASK);
        uint64_t mask = ((uint64_t)p->mask[i + 1] << 32) | (p->mask[i] & BAR_MEM_ADDR_MASK);
        uint64_t size = sized ? pci_lowest_bit(mask) : 0;
        if (sized ? size == 0 : base == 0)
            return 2;
        b->type = PCI_BAR_MEM64;
        b->size = size;
        b->base = base;
        b->prefetchable = (raw & BAR_MEM_PREFETCH) != 0;
        d->bars[i + 1].type = PCI_BAR_MEM64_HIGH;
    } else {
        /* A 64-bit type in the last slot has no upper half: flagged, and decoded as its 32-bit low half.
         * Types 01b (below 1 MiB, PCI 2.x) and 11b (reserved) are decoded as 32-bit too. */
        if ((raw & BAR_MEM_TYPE_MASK) == BAR_MEM_TYPE_64)
            d->flags |= PCI_DEV_BAR_BROKEN;
        uint64_t size = sized ? pci_lowest_bit(p->mask[i] & BAR_MEM_ADDR_MASK) : 0;
        if (sized ? size == 0 : (raw & BAR_MEM_ADDR_MASK) == 0)
            return 1;
        b->type = PCI_BAR_MEM32;
        b->size = size;
        b->base = raw & BAR_MEM_ADDR_MASK;
        b->prefetchable = (raw & BAR_MEM_PREFETCH) != 0;
    }
    /* The device cannot decode address bits below its size; a base that has them set is not what it decodes. */
    if (b->size)
        b->base &= ~(b->size - 1);
    return b->type == PCI_BAR_MEM64 ? 2 : 1;
}

void pci_bars_probe(const struct pci_loc *l, struct pci_device *d, bool size)
{
    struct bar_probe p = {{0}, {0}, 0, 0};
    uint16_t rom_reg = d->header_type == PCI_HEADER_DEVICE   ? PCI_CFG_ROM
                       : d->header_type == PCI_HEADER_BRIDGE ? PCI_CFG_BRIDGE_ROM
                                                             : 0;
    if (d->bar_count > PCI_MAX_BARS)
        d->bar_count = PCI_MAX_BARS;
    for (unsigned i = 0; i < d->bar_count; i++)
        p.raw[i] = pci_rd32(l, (uint16_t)(PCI_CFG_BAR0 + 4 * i));
    if (rom_reg)
        p.rom_raw = pci_rd32(l, rom_reg);

    /* Host bridges are left alone: on some chipsets turning off their memory decoding cuts the CPU off from
     * RAM, this code's own included. Their BARs are reported unsized. */
    bool host_bridge = d->class_code == 0x06 && d->subclass == 0x00;
    if (host_bridge)
        d->flags |= PCI_DEV_BARS_UNSIZED;
    bool sized = size && !host_bridge;
    if (sized)
        size_all(l, d, rom_reg, &p);

    for (unsigned i = 0; i < d->bar_count;)
        i += decode_bar(d, i, &p, sized);

    if (rom_reg && sized) {
        uint32_t rom_size = (uint32_t)pci_lowest_bit(p.rom_mask & ROM_ADDR_MASK);
        if (rom_size) {
            d->rom_size = rom_size;
            d->rom_base = p.rom_raw & ROM_ADDR_MASK & ~(rom_size - 1);
            d->rom_enabled = (p.rom_raw & ROM_ENABLE) != 0;
        }
    }
}
