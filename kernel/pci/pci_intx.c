/*
 * Which GSI a function's INTx pin raises. The firmware's answer is the
 * DSDT's _PRT, which needs an AML interpreter we do not have; so this
 * resolves INTx the way QEMU 7.2's two PC chipsets are wired, and gives up
 * (MN_ERR_NOT_FOUND) on anything else:
 *
 *   1. Behind bridges, the pin is swizzled at each one up to the root bus
 *      (PCI-to-PCI Bridge 1.2 9.1, PCIe Base 2.2.8.1): the bridge sees
 *      INT((pin + device) mod 4), pin 0 = INTA, device = the function's
 *      device number on the bridge's secondary bus.
 *   2. Q35 (host bridge 8086:29c0, ICH9 LPC 8086:2918): on bus 0, device
 *      `slot` pin p drives PIRQ[E + (slot + p) mod 4] for slots 0-24,
 *      PIRQ[E + p] for slot 30 (the DMI-to-PCI bridge) and PIRQ[A + p] for
 *      slots 25-29 and 31 (whose D25IR-D31IR chipset registers reset to
 *      0x3210 and which firmware leaves alone). In APIC mode PIRQ A-H are
 *      GSI 16-23, one GSI per PIRQ. Source: QEMU hw/isa/lpc_ich9.c
 *      (ich9_cc_init, ich9_cc_update, ich9_lpc_map_irq, ich9_pirq_to_gsi)
 *      and the _PRT that hw/i386/acpi-build.c (build_q35_routing_table)
 *      generates from the same rule.
 *   3. i440FX (host bridge 8086:1237, PIIX3 8086:7000): on bus 0, device
 *      `slot` pin p drives PIRQ[(slot + p - 1) mod 4] (QEMU's PIIX
 *      slot-to-PIRQ map, pci_slot_get_pirq); the PIIX3's PIRQ route
 *      registers 0x60-0x63 (bit 7 = disabled, bits 3:0 = ISA IRQ; firmware
 *      programs them) give the ISA IRQ, and the MADT's interrupt source
 *      overrides its GSI and mode (QEMU overrides IRQs 5, 9, 10 and 11 as
 *      level, active high).
 *
 * Polarity: QEMU's DSDT declares its PCI link devices level-triggered and
 * active HIGH (hw/i386/acpi-build.c, build_gsi_link_dev and
 * build_link_dev), and so does its MADT for the PIIX IRQs: that is what
 * this returns. (Real ICH9 PIRQs are active low; QEMU's emulated I/O APIC
 * ignores polarity, but KVM's in-kernel one honours it, so following the
 * tables is what works on both.)
 *
 * Limits: firmware that reprograms D<N>IR, an IRQ shared by two devices
 * (irq_line_create_gsi then says MN_ERR_BUSY to the second), extra root
 * buses (pxb) and other segments are not handled.
 */
#include "acpi/system.h"
#include "pci/pci_kernel.h"

#define PIIX_PIRQ_ROUTE 0x60
#define PIIX_PIRQ_DISABLED 0x80
#define Q35_PIRQ_GSI_BASE 16
#define PCI_LEVEL_HIGH (ACPI_TRIGGER_LEVEL | ACPI_POLARITY_HIGH)

/* The bridge whose secondary bus is `bus` on segment `seg`, or NULL. */
static const struct pci_device *bridge_to(uint16_t seg, uint8_t bus)
{
    for (unsigned i = 0; i < pci_count(); i++) {
        const struct pci_device *b = pci_get(i);
        bool bridge = b->header_type == PCI_HEADER_BRIDGE || b->header_type == PCI_HEADER_CARDBUS;
        if (bridge && b->segment == seg && b->secondary_bus == bus && b->bus < bus &&
            !(b->flags & PCI_DEV_BRIDGE_SKIPPED))
            return b;
    }
    return NULL;
}

static unsigned q35_pirq(uint8_t slot, unsigned pin)
{
    if (slot <= 24)
        return 4 + (slot + pin) % 4;
    if (slot == 30)
        return 4 + pin;
    return pin;
}

static int piix_route(unsigned pirq, uint32_t *gsi, uint16_t *flags)
{
    int piix = pci_find_id(0x8086, 0x7000, 0);
    uint32_t route;
    if (piix < 0 || pci_cfg_read(pci_get((unsigned)piix), (uint16_t)(PIIX_PIRQ_ROUTE + pirq), 1, &route) != MN_ERR_OK)
        return MN_ERR_NOT_FOUND;
    uint8_t irq = route & 0x0F;
    /* IRQs 0-2 (timer, keyboard, cascade) and 8 (RTC) and 13 (FPU) are not routable PIRQ targets. */
    if ((route & PIIX_PIRQ_DISABLED) || irq < 3 || irq == 8 || irq == 13)
        return MN_ERR_NOT_FOUND;
    uint16_t f;
    *gsi = acpi_isa_irq_to_gsi(irq, &f);
    /* What the override leaves to the bus: PCI lines are level-triggered; QEMU's PIIX drives them active high. */
    if (!(f & ACPI_TRIGGER_MASK))
        f |= ACPI_TRIGGER_LEVEL;
    if (!(f & ACPI_POLARITY_MASK))
        f |= ACPI_POLARITY_HIGH;
    *flags = f;
    return MN_ERR_OK;
}

int pci_intx_route(const struct pci_device *d, uint32_t *gsi, uint16_t *flags)
{
    if (!d || d->irq_pin < 1 || d->irq_pin > 4)
        return MN_ERR_NOT_FOUND;
    unsigned pin = d->irq_pin - 1u;
    uint8_t slot = d->dev, bus = d->bus;
    /* Each step goes to a lower bus number (bridge_to insists), so this ends after at most 255 steps. */
    while (bus != 0) {
        const struct pci_device *b = bridge_to(d->segment, bus);
        if (!b)
            return MN_ERR_NOT_FOUND;
        pin = (pin + slot) % 4;
        slot = b->dev;
        bus = b->bus;
    }
    if (d->segment != 0)
        return MN_ERR_NOT_FOUND;
    switch (pci_chipset()) {
    case PCI_CHIPSET_Q35:
        *gsi = Q35_PIRQ_GSI_BASE + q35_pirq(slot, pin);
        *flags = PCI_LEVEL_HIGH;
        return MN_ERR_OK;
    case PCI_CHIPSET_I440FX: return piix_route((slot + pin + 3) % 4, gsi, flags); /* (slot + pin - 1) mod 4 */
    default: return MN_ERR_NOT_FOUND;
    }
}
