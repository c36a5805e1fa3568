/*
 * PCI calls through a PciDevice capability (data0 = PCI_LOCATION of one
 * function; kernel/pci/pci_kernel.h, docs/devices.md):
 *
 *   PCI_CONFIG_READ(slot, offset, width)         READ
 *   PCI_CONFIG_WRITE(slot, offset, value, width) WRITE, and the register
 *       must be the driver's (kernel/pci/pci_policy.c: BARs, bridge bus
 *       numbers and windows, the interrupt line, MSI/MSI-X message and
 *       table registers are the kernel's: MN_ERR_NO_RIGHTS, nothing
 *       written)
 *   PCI_IRQ_MSIX(slot, entry, target)            WRITE
 *   PCI_IRQ_INTX(slot, target)                   WRITE
 *
 * Accesses: width 1, 2 or 4, offset a multiple of it, the register inside
 * the first 256 bytes (port I/O) or 4096 (ECAM), a written value no wider
 * than the width: else MN_ERR_BAD_ARG. A capability whose function is not
 * in the registry: MN_ERR_NOT_FOUND.
 *
 * The IRQ calls make an IrqLine capability (READ | WRITE) in the caller's
 * empty slot `target`. MSI-X: the function must have MSI-X (else
 * MN_ERR_NOT_FOUND) and entry < its table size (else MN_ERR_BAD_ARG); the
 * kernel allocates a vector, writes the entry's message address and data
 * itself through the table's BAR and leaves the entry's vector-control
 * mask bit as the driver set it (the driver unmasks the entry and enables
 * MSI-X through PCI_CONFIG_WRITE when it is ready). Calling it again for
 * the same entry reprograms the entry for a new line; the old line stays
 * valid but is no longer raised. When the last capability of a line goes,
 * its vector is released: a message the device still sends to it is
 * ignored. INTx: the interrupt pin (MN_ERR_NOT_FOUND if none) resolved to a
 * GSI as kernel/pci/pci_intx.c explains (MN_ERR_NOT_FOUND for an unknown
 * chipset), level-triggered; MN_ERR_BUSY when another line holds the GSI.
 */
#include "cap/cspace.h"
#include "ipc/irqline.h"
#include "pci/pci_kernel.h"
#include "sched/process.h"
#include "sched/sched.h"
#include "syscall/syscall.h"

#define IRQ_CAP_RIGHTS (MN_RIGHT_READ | MN_RIGHT_WRITE)

static struct process *self(void)
{
    return sched_current()->process;
}

static int check_access(uint64_t off, uint64_t width)
{
    if (width != 1 && width != 2 && width != 4)
        return MN_ERR_BAD_ARG;
    if (off % width != 0 || off >= pci_config_size() || off + width > pci_config_size())
        return MN_ERR_BAD_ARG;
    return MN_ERR_OK;
}

/* The registry entry of the PciDevice capability in `slot`, which must have `need`. */
static int get_device(uint64_t slot, uint8_t need, const struct pci_device **out)
{
    cap_slot_t *s;
    uint64_t location = 0;
    spin_lock(&cap_lock);
    int r = cspace_lookup(self(), slot, MN_CAP_PCI_DEVICE, need, &s);
    if (r == MN_ERR_OK)
        location = s->data[0];
    spin_unlock(&cap_lock);
    if (r != MN_ERR_OK)
        return r;
    int index = location > UINT32_MAX ? MN_ERR_NOT_FOUND : pci_find_location((uint32_t)location);
    if (index < 0)
        return MN_ERR_NOT_FOUND;
    *out = pci_get((unsigned)index);
    return MN_ERR_OK;
}

/*
 * A line made for a capability that could not be minted: no capability's
 * release will ever end it, so its release runs here (under cap_lock, as
 * for the last capability going), freeing the vector.
 */
static void discard_line(struct irq_line *l)
{
    spin_lock(&cap_lock);
    l->obj.release(&l->obj);
    spin_unlock(&cap_lock);
}

/* pci device slot, offset, width -> value */
int64_t sys_PCI_CONFIG_READ(uint64_t a[6])
{
    int r = check_access(a[1], a[2]);
    const struct pci_device *d = NULL;
    if (r == MN_ERR_OK)
        r = get_device(a[0], MN_RIGHT_READ, &d);
    uint32_t value = 0;
    if (r == MN_ERR_OK)
        r = pci_cfg_read(d, (uint16_t)a[1], (unsigned)a[2], &value);
    return r == MN_ERR_OK ? (int64_t)value : r;
}

/* pci device slot, offset, value, width */
int64_t sys_PCI_CONFIG_WRITE(uint64_t a[6])
{
    int r = check_access(a[1], a[3]);
    if (r == MN_ERR_OK && a[2] >> (8 * a[3]) != 0)
        r = MN_ERR_BAD_ARG;
    const struct pci_device *d = NULL;
    if (r == MN_ERR_OK)
        r = get_device(a[0], MN_RIGHT_WRITE, &d);
    if (r == MN_ERR_OK)
        r = pci_cfg_write_checked(d, (uint16_t)a[1], (unsigned)a[3], (uint32_t)a[2]);
    return r;
}

/* pci device slot, MSI-X table entry, target slot */
int64_t sys_PCI_IRQ_MSIX(uint64_t a[6])
{
    const struct pci_device *d = NULL;
    int r = get_device(a[0], MN_RIGHT_WRITE, &d);
    if (r == MN_ERR_OK)
        r = a[1] > UINT16_MAX ? MN_ERR_BAD_ARG : pci_msix_check(d, (unsigned)a[1]);
    if (r == MN_ERR_OK)
        r = cspace_prepare_target(self(), a[2]);
    if (r != MN_ERR_OK)
        return r;
    uint64_t address;
    uint32_t data;
    struct irq_line *l = irq_line_create_msi(&address, &data, &r);
    if (!l)
        return r;
    /* The entry is written before the capability exists: if minting then fails, the entry names a vector that is
     * released at once, which is harmless (a message to it is ignored). */
    r = pci_msix_write_entry(d, (unsigned)a[1], address, data);
    if (r == MN_ERR_OK)
        r = cspace_mint(self(), a[2], MN_CAP_IRQ_LINE, IRQ_CAP_RIGHTS, &l->obj, 0, 0, NULL);
    if (r != MN_ERR_OK)
        discard_line(l);
    return r;
}

/* pci device slot, target slot */
int64_t sys_PCI_IRQ_INTX(uint64_t a[6])
{
    const struct pci_device *d = NULL;
    uint32_t gsi = 0;
    uint16_t flags = 0;
    int r = get_device(a[0], MN_RIGHT_WRITE, &d);
    if (r == MN_ERR_OK)
        r = pci_intx_route(d, &gsi, &flags);
    if (r == MN_ERR_OK)
        r = cspace_prepare_target(self(), a[1]);
    if (r != MN_ERR_OK)
        return r;
    struct irq_line *l = irq_line_create_gsi(gsi, flags, &r);
    if (!l)
        return r;
    r = cspace_mint(self(), a[1], MN_CAP_IRQ_LINE, IRQ_CAP_RIGHTS, &l->obj, gsi, 0, NULL);
    if (r != MN_ERR_OK)
        discard_line(l);
    return r;
}
