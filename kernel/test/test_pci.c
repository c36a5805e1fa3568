/*
 * PCI tests: the registry against what the boot's QEMU machine must have,
 * the configuration-write policy on made-up functions, an INTx interrupt
 * raised by a real device (e1000's Interrupt Cause Set register) through
 * the resolved GSI, and the Ring 3 program bin/pcicfg using a function's
 * capabilities (pci_mint_device_caps) and the PCI system calls.
 */
#include "acpi/system.h"
#include "cap/cspace.h"
#include "debug/log.h"
#include "ipc/irqline.h"
#include "mm/hhdm.h"
#include "pci/pci_kernel.h"
#include "sched/process.h"
#include "sched/sched.h"
#include "test/ktest.h"
#include "test/user_harness.h"

static bool is_host_bridge(const struct pci_device *d)
{
    return d->class_code == 0x06 && d->subclass == 0x00;
}

static bool located(int index, uint8_t dev, uint8_t fn)
{
    const struct pci_device *d = index >= 0 ? pci_get((unsigned)index) : NULL;
    return d && d->segment == 0 && d->bus == 0 && d->dev == dev && d->fn == fn;
}

/* ---- the registry ------------------------------------------------------------------------ */

/*
 * QEMU's machines tell themselves apart here: q35 has an MCFG and must show
 * its host bridge 8086:29c0 at 00:00.0 and the ICH9 LPC 8086:2918 at
 * 00:1f.0; pc has no MCFG, port I/O, 8086:1237 at 00:00.0 and the PIIX3
 * 8086:7000 at 00:01.0; microvm has no PCI at all.
 */
KTEST(pci_registry)
{
    const struct acpi_system *sys = acpi_system();
    if (pci_access_mode() == PCI_ACCESS_NONE) {
        log_info("pci_registry: no PCI on this machine (no MCFG, nothing at 0xCF8): nothing to check\n");
        KTEST_CHECK(pci_count() == 0 && pci_census_lines() == 0, "functions without configuration access");
        return NULL;
    }
    KTEST_CHECK(pci_count() > 0, "configuration access but no function found");
    KTEST_CHECK(pci_census_lines() == pci_count(), "not one census line per function");
    KTEST_CHECK(pci_bus_count() >= 1, "no bus counted");
    if (sys->have_mcfg) {
        KTEST_CHECK(pci_access_mode() == PCI_ACCESS_ECAM && pci_config_size() == 4096, "MCFG present, ECAM unused");
        KTEST_CHECK(located(pci_find_id(0x8086, 0x29C0, 0), 0, 0), "q35: no host bridge 8086:29c0 at 00:00.0");
        KTEST_CHECK(located(pci_find_id(0x8086, 0x2918, 0), 0x1F, 0), "q35: no ICH9 LPC 8086:2918 at 00:1f.0");
        KTEST_CHECK(pci_chipset() == PCI_CHIPSET_Q35, "q35 not recognized");
    } else {
        KTEST_CHECK(pci_access_mode() == PCI_ACCESS_PORT && pci_config_size() == 256, "no MCFG, but not port I/O");
        KTEST_CHECK(located(pci_find_id(0x8086, 0x1237, 0), 0, 0), "pc: no host bridge 8086:1237 at 00:00.0");
        KTEST_CHECK(located(pci_find_id(0x8086, 0x7000, 0), 1, 0), "pc: no PIIX3 8086:7000 at 00:01.0");
        KTEST_CHECK(pci_chipset() == PCI_CHIPSET_I440FX, "i440FX not recognized");
    }
    KTEST_CHECK(pci_find_class(0x06, 0x00, 0) == 0, "the host bridge is not the first function");
    KTEST_CHECK(pci_find_id(0xFFFF, 0xFFFF, 0) == MN_ERR_NOT_FOUND && pci_get(pci_count()) == NULL, "lookup");
    for (unsigned i = 0; i < pci_count(); i++) {
        const struct pci_device *d = pci_get(i);
        KTEST_CHECK(pci_find_location(pci_location(d)) == (int)i, "a function is not found at its location");
        uint32_t id;
        KTEST_CHECK(pci_cfg_read(d, 0, 4, &id) == MN_ERR_OK && id == (d->vendor_id | (uint32_t)d->device_id << 16),
                    "configuration space no longer reads the IDs the census has");
        /* Every BAR is sized (a power of two, the base aligned to it), except a host bridge's, which are left
         * alone. */
        KTEST_CHECK(!(d->flags & PCI_DEV_BARS_UNSIZED) || is_host_bridge(d), "BARs of a device left unsized");
        for (unsigned b = 0; b < d->bar_count && !is_host_bridge(d); b++) {
            const pci_bar_t *bar = &d->bars[b];
            if (bar->type == PCI_BAR_NONE || bar->type == PCI_BAR_MEM64_HIGH)
                continue;
            KTEST_CHECK(bar->size && (bar->size & (bar->size - 1)) == 0, "a BAR's size is not a power of two");
            KTEST_CHECK((bar->base & (bar->size - 1)) == 0, "a BAR's base is not aligned to its size");
        }
    }
    return NULL;
}

/* ---- the write policy ---------------------------------------------------------------------- */

static bool allowed(const struct pci_device *d, uint16_t off, unsigned width, uint32_t value, uint32_t current)
{
    return pci_write_policy(d, off, width, value, current) == MN_ERR_OK;
}

static bool refused(const struct pci_device *d, uint16_t off, unsigned width)
{
    return pci_write_policy(d, off, width, 0, 0) == MN_ERR_NO_RIGHTS &&
           pci_write_policy(d, off, width, 0x1, 0x1) == MN_ERR_NO_RIGHTS; /* even writing back what is there */
}

KTEST(pci_policy)
{
    static struct pci_device d, b, cb, unk;
    d.header_type = PCI_HEADER_DEVICE;
    d.msi = (pci_msi_t){0x50, true, false, 1};
    d.msix.cap = 0x70;
    KTEST_CHECK(allowed(&d, 0x04, 2, 0x0007, 0x0000) && allowed(&d, 0x04, 4, 0xFFFF0406, 0), "command register");
    KTEST_CHECK(allowed(&d, 0x0C, 4, 0x1234, 0) && allowed(&d, 0x00, 4, 1, 0), "latency timer, BIST, IDs");
    for (uint16_t off = 0x10; off < 0x28; off++)
        KTEST_CHECK(refused(&d, off, 1), "a BAR byte is writable");
    KTEST_CHECK(refused(&d, 0x10, 4) && refused(&d, 0x24, 4) && refused(&d, 0x26, 2), "BAR dwords");
    KTEST_CHECK(refused(&d, 0x30, 4) && refused(&d, 0x33, 1), "expansion ROM");
    KTEST_CHECK(refused(&d, 0x3C, 1) && refused(&d, 0x3C, 2) && refused(&d, 0x3C, 4), "interrupt line");
    KTEST_CHECK(allowed(&d, 0x3D, 1, 1, 0) && allowed(&d, 0x3E, 2, 5, 0), "pin, min grant, max latency");
    KTEST_CHECK(allowed(&d, 0x28, 4, 1, 0) && allowed(&d, 0x2C, 4, 1, 0) && allowed(&d, 0x34, 1, 1, 0),
                "CardBus CIS, subsystem, capability pointer");
    /* MSI, 64-bit at 0x50: control at 0x52, address 0x54-0x5B, data 0x5C-0x5F, mask bits 0x60. */
    KTEST_CHECK(allowed(&d, 0x52, 2, 0x0081, 0x0080), "MSI enable");
    KTEST_CHECK(!allowed(&d, 0x52, 2, 0x0091, 0x0080) && !allowed(&d, 0x52, 1, 0x70, 0x00), "MSI multiple message");
    KTEST_CHECK(!allowed(&d, 0x53, 1, 0x04, 0x00) && allowed(&d, 0x53, 1, 0x01, 0x01), "MSI extended data");
    KTEST_CHECK(allowed(&d, 0x50, 4, 0x00817005, 0x00807005) && !allowed(&d, 0x50, 4, 0x00A07005, 0x00807005),
                "MSI control in a dword write");
    KTEST_CHECK(refused(&d, 0x54, 4) && refused(&d, 0x58, 4) && refused(&d, 0x5C, 2) && refused(&d, 0x5F, 1),
                "MSI message address and data");
    KTEST_CHECK(allowed(&d, 0x60, 4, 1, 0), "MSI mask bits");
    d.msi.is64 = false; /* 32-bit: address 0x54, data 0x58, mask bits 0x5C */
    KTEST_CHECK(refused(&d, 0x58, 2) && allowed(&d, 0x5C, 4, 1, 0), "32-bit MSI layout");
    /* MSI-X at 0x70: control 0x72, table 0x74, PBA 0x78. */
    KTEST_CHECK(allowed(&d, 0x72, 2, 0xC000, 0x0003) && allowed(&d, 0x70, 4, 0xC0031111, 0), "MSI-X control");
    KTEST_CHECK(refused(&d, 0x74, 4) && refused(&d, 0x78, 4) && refused(&d, 0x7B, 1), "MSI-X table and PBA");
    KTEST_CHECK(allowed(&d, 0x7C, 4, 1, 0) && allowed(&d, 0x100, 4, 1, 0) && allowed(&d, 0xFFC, 4, 1, 0),
                "other capabilities, extended space");

    b.header_type = PCI_HEADER_BRIDGE;
    KTEST_CHECK(refused(&b, 0x10, 4) && refused(&b, 0x14, 4), "bridge BARs");
    KTEST_CHECK(refused(&b, 0x18, 1) && refused(&b, 0x19, 1) && refused(&b, 0x1A, 1) && refused(&b, 0x18, 4),
                "bridge bus numbers");
    KTEST_CHECK(allowed(&b, 0x1B, 1, 0x40, 0) && allowed(&b, 0x1E, 2, 0xF900, 0), "secondary latency and status");
    KTEST_CHECK(refused(&b, 0x1C, 2) && refused(&b, 0x20, 4) && refused(&b, 0x24, 4) && refused(&b, 0x28, 4) &&
                    refused(&b, 0x30, 4),
                "bridge windows");
    KTEST_CHECK(allowed(&b, 0x34, 1, 1, 0) && refused(&b, 0x38, 4) && refused(&b, 0x3C, 1) &&
                    allowed(&b, 0x3E, 2, 0x40, 0),
                "bridge ROM, interrupt line, bridge control");

    cb.header_type = PCI_HEADER_CARDBUS;
    KTEST_CHECK(refused(&cb, 0x10, 4) && allowed(&cb, 0x14, 4, 1, 0) && refused(&cb, 0x18, 1) &&
                    allowed(&cb, 0x1B, 1, 1, 0) && refused(&cb, 0x1C, 4) && refused(&cb, 0x38, 4) &&
                    refused(&cb, 0x3C, 1) && allowed(&cb, 0x3E, 2, 1, 0) && allowed(&cb, 0x40, 4, 1, 0) &&
                    refused(&cb, 0x44, 4),
                "CardBus bridge");

    unk.header_type = 0x7F;
    for (uint16_t off = 0x10; off < 0x40; off += 4)
        KTEST_CHECK(refused(&unk, off, 4), "an unknown header's registers are writable");
    KTEST_CHECK(allowed(&unk, 0x04, 2, 1, 0) && allowed(&unk, 0x40, 4, 1, 0), "unknown header: command, caps");
    return NULL;
}

/* ---- INTx from a real device ------------------------------------------------------------------ */

/* e1000 (and e1000e) registers: interrupt cause read (read clears), cause set, mask set, mask clear. */
#define E1000_ICR 0xC0
#define E1000_ICS 0xC8
#define E1000_IMS 0xD0
#define E1000_IMC 0xD8
#define E1000_ICR_TXDW 0x1u

/* A line no capability was minted for: its release frees the vector (as when a last capability goes). */
static void drop_line(struct irq_line *l)
{
    spin_lock(&cap_lock);
    l->obj.release(&l->obj);
    spin_unlock(&cap_lock);
}

/*
 * The firmware wrote each function's interrupt line register from its own
 * routing table and programmed the chipset's PIRQ -> ISA IRQ registers: the
 * PIRQ pci_intx_route chose must be routed to that very IRQ. On Q35 the PIRQ
 * is GSI - 16 and its route register is in the LPC bridge (0x60-0x63 for
 * A-D, 0x68-0x6B for E-H); on i440FX the GSI is the ISA IRQ's. SeaBIOS and
 * OVMF follow QEMU's wiring; qboot does not for every slot (e.g. pc slot 4,
 * q35 slot 3), so with qboot, told apart as the firmware that leaves the
 * BARs for the kernel to assign, a disagreement is only reported: the
 * e1000 test below is the proof.
 */
static const char *check_firmware_lines(void)
{
    int lpc = pci_find_id(0x8086, 0x2918, 0);
    unsigned checked = 0, mismatches = 0;
    for (unsigned i = 0; i < pci_count(); i++) {
        const struct pci_device *d = pci_get(i);
        uint32_t gsi, route = 0x80;
        uint16_t flags, f;
        if (!d->irq_pin || d->irq_line == 0 || d->irq_line >= 16)
            continue; /* no pin, or the firmware left no line */
        KTEST_CHECK(pci_intx_route(d, &gsi, &flags) == MN_ERR_OK, "a function's INTx pin did not resolve");
        if (pci_chipset() == PCI_CHIPSET_Q35) {
            KTEST_CHECK(gsi >= 16 && gsi < 24 && lpc >= 0, "q35: INTx outside GSI 16-23");
            unsigned pirq = gsi - 16;
            pci_cfg_read(pci_get((unsigned)lpc), (uint16_t)(pirq < 4 ? 0x60 + pirq : 0x68 + pirq - 4), 1, &route);
            if (route & 0x80)
                continue; /* this PIRQ is not routed to the PIC: nothing to compare with */
            if ((route & 0x0F) != d->irq_line)
                mismatches++;
        } else {
            if (acpi_isa_irq_to_gsi(d->irq_line, &f) != gsi)
                mismatches++;
        }
        checked++;
    }
    bool trusted = pci_bars_assigned() == 0;
    log_info("pci_intx: %u of %u interrupt line registers agree with the resolved routes (%s)\n", checked - mismatches,
             checked, trusted ? "firmware assigned the BARs: checked" : "qboot: not checked");
    KTEST_CHECK(!trusted || mismatches == 0, "the firmware's interrupt lines disagree with the resolved routes");
    return NULL;
}

/*
 * The device's INTx pin resolved to a GSI (pci_intx_route) must be the line
 * that fires when the device raises its interrupt: an e1000 raises INTA
 * when a cause bit is set in ICS while IMS enables it.
 */
KTEST(pci_intx)
{
    if (pci_chipset() != PCI_CHIPSET_UNKNOWN) {
        const char *err = check_firmware_lines();
        if (err)
            return err;
    }
    int index = pci_find_id(0x8086, 0x100E, 0);
    if (index < 0)
        index = pci_find_id(0x8086, 0x10D3, 0);
    if (index < 0) {
        log_info("pci_intx: no e1000 or e1000e in this machine: nothing to raise an interrupt with\n");
        return NULL;
    }
    const struct pci_device *d = pci_get((unsigned)index);
    uint32_t gsi;
    uint16_t flags;
    KTEST_CHECK(pci_intx_route(d, &gsi, &flags) == MN_ERR_OK, "the e1000's INTx pin did not resolve");
    uint8_t type;
    uint64_t base, size;
    KTEST_CHECK(pci_bar_region(d, 0, &type, &base, &size) == MN_ERR_OK && type == MN_CAP_MMIO_REGION,
                "the e1000's BAR0 is not a usable MMIO region");
    volatile uint32_t *regs = hhdm_map_device(base, size);
    KTEST_CHECK(regs, "cannot map BAR0");
    uint32_t cmd;
    KTEST_CHECK(pci_cfg_read(d, PCI_CFG_COMMAND, 2, &cmd) == MN_ERR_OK, "command register");
    pci_cfg_write(d, PCI_CFG_COMMAND, 2, (cmd | PCI_CMD_MEMORY) & ~PCI_CMD_INTX_DISABLE);
    regs[E1000_IMC / 4] = 0xFFFFFFFFu;
    (void)regs[E1000_ICR / 4];

    int err;
    struct irq_line *l = irq_line_create_gsi(gsi, flags, &err);
    KTEST_CHECK(l, "no IRQ line for the e1000's GSI");
    uint64_t before = l->count;
    regs[E1000_IMS / 4] = E1000_ICR_TXDW;
    regs[E1000_ICS / 4] = E1000_ICR_TXDW;
    for (int ms = 0; ms < 1000 && l->count == before; ms++)
        sched_sleep_ns(1000000);
    uint64_t taken = l->count - before;
    regs[E1000_IMC / 4] = 0xFFFFFFFFu;
    (void)regs[E1000_ICR / 4]; /* deasserts the line */
    irq_line_ack(l);
    drop_line(l);
    pci_cfg_write(d, PCI_CFG_COMMAND, 2, cmd);
    log_info("pci_intx: %02x:%02x.%x pin INT%c -> GSI %u (flags %#x): %lu interrupt(s)\n", d->bus, d->dev, d->fn,
             'A' + d->irq_pin - 1, gsi, flags, taken);
    KTEST_CHECK(taken >= 1, "the e1000's interrupt did not arrive on the resolved GSI");
    return NULL;
}

/* ---- Ring 3: bin/pcicfg ------------------------------------------------------------------------ */

/* What bin/pcicfg expects (user/tests/pcicfg.c has the same values). */
#define PCFG_DEVICE_SLOT 1
#define PCFG_PROCESS_SLOT 63
#define PCFG_ECAM 0x1ull
#define PCFG_MSIX 0x2ull
#define PCFG_INTX 0x4ull
#define PCFG_TABLE_SLOT_SHIFT 8
#define PCFG_TABLE_OFFSET_SHIFT 16 /* 24 bits */
#define PCFG_BAR_SLOT_SHIFT 40

/* The function to give the program: a virtio device with MSI-X if there is one, else any with a memory BAR. */
static int pick_function(void)
{
    for (unsigned i = 0; i < pci_count(); i++) {
        const struct pci_device *d = pci_get(i);
        if (d->vendor_id == PCI_VENDOR_VIRTIO && pci_msix_check(d, 0) == MN_ERR_OK && d->msix.table_offset < (1u << 24))
            return (int)i;
    }
    for (unsigned i = 0; i < pci_count(); i++) {
        const struct pci_device *d = pci_get(i);
        uint8_t type;
        uint64_t base, size;
        for (unsigned b = 0; b < d->bar_count && !is_host_bridge(d); b++)
            if (pci_bar_region(d, b, &type, &base, &size) == MN_ERR_OK && type == MN_CAP_MMIO_REGION)
                return (int)i;
    }
    return MN_ERR_NOT_FOUND;
}

/* The slot pci_mint_device_caps gives BAR `bar` of d when it starts at PCFG_DEVICE_SLOT (the documented layout). */
static uint32_t layout_slot(const struct pci_device *d, unsigned bar)
{
    uint32_t slot = PCFG_DEVICE_SLOT + 1;
    for (unsigned b = 0; b < bar && b < d->bar_count; b++)
        if (d->bars[b].type != PCI_BAR_NONE && d->bars[b].type != PCI_BAR_MEM64_HIGH)
            slot++;
    return slot;
}

/* Checks the slots pci_mint_device_caps filled against that layout. */
static const char *check_layout(struct process *p, const struct pci_device *d, uint32_t next)
{
    cap_slot_t *s;
    spin_lock(&cap_lock);
    int r = cspace_lookup(p, PCFG_DEVICE_SLOT, MN_CAP_PCI_DEVICE, MN_RIGHT_READ | MN_RIGHT_WRITE, &s);
    bool ok = r == MN_ERR_OK && s->data[0] == pci_location(d) && s->data[1] == 0 && !(s->rights & MN_RIGHT_EXEC) &&
              (s->rights & MN_RIGHT_GRANT);
    uint32_t end = layout_slot(d, d->bar_count);
    for (unsigned b = 0; ok && b < d->bar_count; b++) {
        if (d->bars[b].type == PCI_BAR_NONE || d->bars[b].type == PCI_BAR_MEM64_HIGH)
            continue;
        uint8_t type;
        uint64_t base, size;
        if (pci_bar_region(d, b, &type, &base, &size) == MN_ERR_OK) {
            r = cspace_lookup(p, layout_slot(d, b), type, MN_RIGHT_READ | MN_RIGHT_WRITE, &s);
            ok = r == MN_ERR_OK && s->data[0] == base && s->data[1] == size && !(s->rights & MN_RIGHT_EXEC);
        } else {
            ok = cspace_lookup(p, layout_slot(d, b), MN_CAP_EMPTY, 0, &s) == MN_ERR_INVALID_SLOT;
        }
    }
    ok = ok && cspace_lookup(p, end, MN_CAP_EMPTY, 0, &s) == MN_ERR_INVALID_SLOT;
    spin_unlock(&cap_lock);
    KTEST_CHECK(ok, "the capabilities do not follow the documented slot layout");
    KTEST_CHECK(next == end, "next_slot is not the slot after the last BAR");
    return NULL;
}

/* Mints d's capabilities into the program and checks them and the function's error paths. */
static const char *give_caps(struct uproc *u, unsigned index)
{
    const struct pci_device *d = pci_get(index);
    uint32_t next = 0, again = 0;
    KTEST_CHECK(pci_mint_device_caps(u->p, index, PCFG_DEVICE_SLOT, &next) == MN_ERR_OK, "pci_mint_device_caps");
    const char *err = check_layout(u->p, d, next);
    if (err)
        return err;
    KTEST_CHECK(pci_mint_device_caps(u->p, index, PCFG_DEVICE_SLOT, &again) == MN_ERR_SLOT_OCCUPIED,
                "minting over occupied slots did not fail");
    KTEST_CHECK(pci_mint_device_caps(u->p, pci_count(), 40, &again) == MN_ERR_NOT_FOUND,
                "minting a function past the registry did not fail");
    KTEST_CHECK(pci_mint_device_caps(u->p, index, 0, &again) == MN_ERR_INVALID_SLOT, "minting into slot 0");
    KTEST_CHECK(uproc_mint(u, PCFG_PROCESS_SLOT, MN_CAP_PROCESS, MN_RIGHTS_ALL, &u->p->obj, 0, 0), "mint Process");
    return NULL;
}

static const char *run_pcicfg(void)
{
    int index = pick_function();
    if (index < 0) {
        log_info("user_pcicfg: no PCI function with a usable memory BAR: nothing to test\n");
        return NULL;
    }
    const struct pci_device *d = pci_get((unsigned)index);
    bool msix = d->vendor_id == PCI_VENDOR_VIRTIO && pci_msix_check(d, 0) == MN_ERR_OK;
    uint32_t gsi;
    uint16_t flags;
    bool intx = pci_intx_route(d, &gsi, &flags) == MN_ERR_OK;
    unsigned bar = msix ? d->msix.table_bar : PCI_MAX_BARS;
    for (unsigned b = 0; b < d->bar_count && bar == PCI_MAX_BARS; b++) {
        uint8_t type;
        uint64_t base, size;
        if (pci_bar_region(d, b, &type, &base, &size) == MN_ERR_OK && type == MN_CAP_MMIO_REGION)
            bar = b;
    }
    uint64_t arg = (pci_config_size() == 4096 ? PCFG_ECAM : 0) | (msix ? PCFG_MSIX : 0) | (intx ? PCFG_INTX : 0) |
                   (uint64_t)layout_slot(d, bar) << (msix ? PCFG_TABLE_SLOT_SHIFT : PCFG_BAR_SLOT_SHIFT);
    if (msix)
        arg |= (uint64_t)d->msix.table_offset << PCFG_TABLE_OFFSET_SHIFT;
    uint32_t bars_before[6];
    for (unsigned b = 0; b < 6; b++)
        pci_cfg_read(d, (uint16_t)(PCI_CFG_BAR0 + 4 * b), 4, &bars_before[b]);

    struct uproc u;
    const char *err = uproc_spawn("bin/pcicfg", arg, &u);
    if (err)
        return err;
    err = give_caps(&u, (unsigned)index);
    log_info("user_pcicfg: %02x:%02x.%x %04x:%04x, BAR%u at slot %u%s%s\n", d->bus, d->dev, d->fn, d->vendor_id,
             d->device_id, bar, layout_slot(d, bar), msix ? ", MSI-X" : "", intx ? ", INTx" : "");
    /* Started even when the capabilities are wrong: the program then fails a check and ends. */
    uproc_start(&u, 0);
    int64_t st = uproc_finish(&u, 0);
    if (err)
        return err;
    KTEST_CHECK(st == 0, "PCI system calls from Ring 3 failed (see the log for the check number)");
    for (unsigned b = 0; b < 6; b++) {
        uint32_t now;
        pci_cfg_read(d, (uint16_t)(PCI_CFG_BAR0 + 4 * b), 4, &now);
        KTEST_CHECK(now == bars_before[b], "a BAR changed while the program ran");
    }
    return NULL;
}

KTEST(user_pcicfg)
{
    return run_pcicfg();
}
