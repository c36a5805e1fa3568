/*
 * What a driver may write to its function's configuration space
 * (PCI_CONFIG_WRITE). The kernel owns address decoding and interrupt
 * routing; the driver owns the rest of the device. So a write is refused
 * (MN_ERR_NO_RIGHTS, nothing written) when any byte it covers is:
 *
 *   - a BAR or the expansion ROM BAR: 0x10-0x27 and 0x30-0x33 (header
 *     type 0); for PCI-to-PCI bridges (type 1) BAR0-1 0x10-0x17, the bus
 *     numbers 0x18-0x1A, and the address windows 0x1C-0x1D and 0x20-0x33
 *     that decide what reaches the devices behind (the windows are BARs for
 *     a whole bus), and the ROM 0x38-0x3B; for CardBus bridges (type 2) the
 *     socket base 0x10-0x13, the bus numbers 0x18-0x1A, the windows
 *     0x1C-0x3B and the legacy base 0x44-0x47; for an unknown header type
 *     all of 0x10-0x3F;
 *   - the interrupt line register 0x3C (the kernel resolves INTx itself);
 *   - the MSI message address and data (capability + 4 up to + 0xB, or
 *     + 0xF with 64-bit addresses);
 *   - the MSI-X table and PBA offset/BIR registers (capability + 4 .. + 0xB).
 *
 * In the MSI message control register the driver may change the enable
 * bit (and write back the read-only bits as they read) but not the
 * multiple message enable field (bits 6:4: more vectors than the kernel
 * gave) nor extended message data enable (bit 10). The MSI-X message
 * control register (enable, function mask; the table size is read-only) and
 * everything else are the driver's: the command register (I/O, memory,
 * bus-master enable, INTx disable), status, BIST, the capability bodies
 * (PCIe device control, power management, virtio's configuration window,
 * per-vector MSI mask bits), the bridge control register and the whole
 * PCIe extended space.
 *
 * Known gaps: capabilities that redefine BARs (Resizable BAR, SR-IOV,
 * Enhanced Allocation) are not protected yet (no device QEMU gives us has
 * them enabled), and the command register may switch decoding on even for
 * a BAR the kernel would not hand out (pci_bar_region). And none of this
 * confines DMA: see docs/devices.md.
 */
#include "pci/pci_kernel.h"

#define RULE_KERNEL 0x100u /* the byte is the kernel's: any write touching it is refused */

static bool in(uint16_t off, unsigned first, unsigned last)
{
    return off >= first && off <= last;
}

static bool header_byte_is_kernels(const struct pci_device *d, uint16_t off)
{
    if (off == PCI_CFG_IRQ_LINE)
        return true;
    switch (d->header_type) {
    case PCI_HEADER_DEVICE: return in(off, 0x10, 0x27) || in(off, 0x30, 0x33);
    case PCI_HEADER_BRIDGE:
        return in(off, 0x10, 0x1A) || in(off, 0x1C, 0x1D) || in(off, 0x20, 0x33) || in(off, 0x38, 0x3B);
    case PCI_HEADER_CARDBUS:
        return in(off, 0x10, 0x13) || in(off, 0x18, 0x1A) || in(off, 0x1C, 0x3B) || in(off, 0x44, 0x47);
    default: return in(off, 0x10, 0x3F);
    }
}

/* RULE_KERNEL, or the mask of bits of byte `off` the driver must leave as they are. */
static unsigned byte_rule(const struct pci_device *d, uint16_t off)
{
    if (header_byte_is_kernels(d, off))
        return RULE_KERNEL;
    unsigned c = d->msi.cap;
    if (c) {
        if (off == c + 2)
            return 0x70; /* multiple message enable */
        if (off == c + 3)
            return 0x04; /* extended message data enable (control bit 10) */
        if (in(off, c + 4, d->msi.is64 ? c + 0x0F : c + 0x0B))
            return RULE_KERNEL;
    }
    c = d->msix.cap;
    if (c && in(off, c + 4, c + 0x0B))
        return RULE_KERNEL;
    return 0;
}

int pci_write_policy(const struct pci_device *d, uint16_t off, unsigned width, uint32_t value, uint32_t current)
{
    for (unsigned i = 0; i < width && i < 4; i++) {
        unsigned rule = byte_rule(d, (uint16_t)(off + i));
        uint8_t now = (uint8_t)(current >> (8 * i)), want = (uint8_t)(value >> (8 * i));
        if (rule == RULE_KERNEL || ((now ^ want) & rule))
            return MN_ERR_NO_RIGHTS;
    }
    return MN_ERR_OK;
}
