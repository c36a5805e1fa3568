/*
 * MSI-X table entries (PCI Local Bus 3.0 6.8.2): 16 bytes each, at the
 * table offset inside the memory BAR the capability's BIR names: message
 * address low and high, message data, vector control (bit 0: masked).
 * The kernel writes the address and data (where the device's interrupt
 * goes is the kernel's business); the mask bit stays the driver's.
 */
#include "mm/hhdm.h"
#include "pci/pci_kernel.h"

#define MSIX_ENTRY_SIZE 16u
#define MSIX_ADDR_LO 0
#define MSIX_ADDR_HI 1
#define MSIX_DATA 2
#define MSIX_VECTOR_CTRL 3
#define MSIX_MASKED 0x1u

/* The physical address of entry `entry` of d's MSI-X table, after every check. */
static int table_entry(const struct pci_device *d, unsigned entry, uint64_t *phys)
{
    if (!d || !d->msix.cap)
        return MN_ERR_NOT_FOUND;
    if (entry >= d->msix.table_size)
        return MN_ERR_BAD_ARG;
    unsigned bir = d->msix.table_bar;
    uint8_t type;
    uint64_t base, size;
    /* The BAR must be one a driver could be given (assigned, sized, not kernel memory): pci_bar_region says. */
    if (bir >= PCI_MAX_BARS || pci_bar_region(d, bir, &type, &base, &size) != MN_ERR_OK || type != MN_CAP_MMIO_REGION)
        return MN_ERR_NOT_FOUND;
    const pci_bar_t *b = &d->bars[bir];
    uint64_t off = d->msix.table_offset + (uint64_t)entry * MSIX_ENTRY_SIZE;
    if (off + MSIX_ENTRY_SIZE > b->size)
        return MN_ERR_NOT_FOUND;
    *phys = b->base + off;
    return MN_ERR_OK;
}

int pci_msix_check(const struct pci_device *d, unsigned entry)
{
    uint64_t phys;
    return table_entry(d, entry, &phys);
}

int pci_msix_write_entry(const struct pci_device *d, unsigned entry, uint64_t address, uint32_t data)
{
    uint64_t phys;
    int r = table_entry(d, entry, &phys);
    if (r != MN_ERR_OK)
        return r;
    volatile uint32_t *e = hhdm_map_device(phys, MSIX_ENTRY_SIZE);
    if (!e)
        return MN_ERR_NO_MEMORY;
    /* The table answers only while the function decodes memory: switch that on for the update if the driver has
     * not yet (and back off after). */
    uint32_t cmd = 0;
    r = pci_cfg_read(d, PCI_CFG_COMMAND, 2, &cmd);
    if (r != MN_ERR_OK)
        return r;
    bool decoding = cmd & PCI_CMD_MEMORY;
    if (!decoding)
        pci_cfg_write(d, PCI_CFG_COMMAND, 2, cmd | PCI_CMD_MEMORY);
    /* An unmasked entry is masked while its message changes, so the device never sends half of an old and half
     * of a new message (6.8.3.5); then the mask bit returns to what the driver had. */
    uint32_t ctrl = e[MSIX_VECTOR_CTRL];
    if (!(ctrl & MSIX_MASKED))
        e[MSIX_VECTOR_CTRL] = ctrl | MSIX_MASKED;
    e[MSIX_ADDR_LO] = (uint32_t)address;
    e[MSIX_ADDR_HI] = (uint32_t)(address >> 32);
    e[MSIX_DATA] = data;
    if (!(ctrl & MSIX_MASKED))
        e[MSIX_VECTOR_CTRL] = ctrl;
    (void)e[MSIX_VECTOR_CTRL]; /* a read flushes the posted writes before decoding may go off */
    if (!decoding)
        pci_cfg_write(d, PCI_CFG_COMMAND, 2, cmd);
    return MN_ERR_OK;
}
