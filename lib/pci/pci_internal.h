/*
 * What the files of lib/pci share: one function's address and the bounded
 * config accessors every other file goes through. An access outside the
 * function's config space (misaligned, or past max_offset) never reaches
 * the ops: reads return all-ones, as absent hardware does, writes are
 * dropped. So no caller bug and no value read from a device can make the
 * library touch a register the ops did not promise.
 */
#ifndef PCI_INTERNAL_H
#define PCI_INTERNAL_H

#include "pci.h"

struct pci_loc {
    const struct pci_config_ops *ops;
    uint16_t seg;
    uint8_t bus, dev, fn;
};

static inline bool pci_in_range(const struct pci_loc *l, uint16_t off, unsigned width)
{
    return off % width == 0 && (uint32_t)off + width - 1 <= l->ops->max_offset;
}

static inline uint32_t pci_rd32(const struct pci_loc *l, uint16_t off)
{
    if (!pci_in_range(l, off, 4))
        return 0xFFFFFFFFu;
    return l->ops->read32(l->ops->ctx, l->seg, l->bus, l->dev, l->fn, off);
}

static inline void pci_wr32(const struct pci_loc *l, uint16_t off, uint32_t value)
{
    if (pci_in_range(l, off, 4))
        l->ops->write32(l->ops->ctx, l->seg, l->bus, l->dev, l->fn, off, value);
}

static inline uint16_t pci_rd16(const struct pci_loc *l, uint16_t off)
{
    return (uint16_t)(pci_rd32(l, off & ~3u) >> (8 * (off & 2)));
}

static inline uint8_t pci_rd8(const struct pci_loc *l, uint16_t off)
{
    return (uint8_t)(pci_rd32(l, off & ~3u) >> (8 * (off & 3)));
}

/* Writes the command register; the status half of its dword is RW1C, so it is written as zero (no effect). */
static inline void pci_wr_command(const struct pci_loc *l, uint16_t command)
{
    pci_wr32(l, PCI_CFG_COMMAND, command);
}

/* The lowest set bit of x (0 for 0): the size a BAR's read-back mask encodes. */
static inline uint64_t pci_lowest_bit(uint64_t x)
{
    return x & (~x + 1);
}

/* pci_bars.c: decodes (and with `size`, sizes) the BARs and ROM of the function whose header is in *d. */
void pci_bars_probe(const struct pci_loc *l, struct pci_device *d, bool size);

/* pci_caps.c: walks the capability list(s) whose pointer is at `ptr_reg` and decodes what it knows. */
void pci_caps_probe(const struct pci_loc *l, struct pci_device *d, uint8_t ptr_reg);

#endif
