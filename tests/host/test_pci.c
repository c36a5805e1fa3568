/*
 * lib/pci against simulated config spaces (tests/host/pci_sim.c) that
 * behave like hardware: the q35 and pc machines as QEMU 7.2 presents them
 * (every field, BAR sizes, capabilities, the census lines), that sizing
 * restores every BAR and command register and never leaves decoding on
 * while a BAR holds all-ones, and hostile spaces: capability loops and wild
 * pointers, bridge loops, every bus full, a missing function 0.
 *
 * `test_pci --seeds DIR` writes the fuzzer's seed corpus (the machines in
 * the fuzzer's byte form) instead of testing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_test.h"
#include "pci/pci.h"
#include "pci_sim.h"
#include "pci_topo.h"

#define MAXDEV 300

static struct pci_device devs[MAXDEV];
static size_t found;

/* Enumerates segment 0 buses 0-255 of s into devs; returns the library's result. */
static int enumerate(struct pci_sim *s, size_t max)
{
    struct pci_config_ops ops = sim_ops(s);
    sim_snapshot(s);
    return pci_enumerate(&ops, 0, 0, 255, devs, max, &found);
}

static const struct pci_device *find(uint8_t bus, uint8_t dev, uint8_t fn)
{
    for (size_t i = 0; i < found && i < MAXDEV; i++)
        if (devs[i].bus == bus && devs[i].dev == dev && devs[i].fn == fn)
            return &devs[i];
    return NULL;
}

/* The sim saw nothing wrong: accesses in bounds, decoding off while BARs held all-ones, everything restored. */
static int sim_clean(const struct pci_sim *s)
{
    if (s->bad_accesses || s->decode_violations || sim_changed(s)) {
        printf("  sim: %u bad accesses, %u decode violations, %zu changed; first: %s\n", s->bad_accesses,
               s->decode_violations, sim_changed(s), s->first_error);
        return 0;
    }
    return 1;
}

static int bar_is(const struct pci_device *d, unsigned i, unsigned type, uint64_t base, uint64_t size, bool pref)
{
    const pci_bar_t *b = &d->bars[i];
    return b->type == type && b->base == base && b->size == size && b->prefetchable == pref;
}

static int no_bars(const struct pci_device *d)
{
    for (unsigned i = 0; i < PCI_MAX_BARS; i++)
        if (d->bars[i].type != PCI_BAR_NONE)
            return 0;
    return 1;
}

static int caps_are(const struct pci_device *d, const uint16_t (*want)[2], unsigned n)
{
    if (d->cap_count != n)
        return 0;
    for (unsigned i = 0; i < n; i++)
        if (d->caps[i].id != want[i][0] || d->caps[i].offset != want[i][1])
            return 0;
    return 1;
}

static int virtio_is(const pci_virtio_cap_t *v, uint8_t cap, uint8_t type, uint8_t bar, uint64_t off, uint64_t len,
                     uint32_t mult)
{
    return v->cap == cap && v->cfg_type == type && v->bar == bar && v->offset == off && v->length == len &&
           v->notify_off_multiplier == mult;
}

/* QEMU's modern virtio layout (pci_topo.c): MSI-X at 0x98, then pci-cfg, notify, device, isr, common. */
static int virtio_layout_ok(const struct pci_device *d)
{
    return d->virtio_count == 5 && virtio_is(&d->virtio[0], 0x84, PCI_VIRTIO_PCI_CFG, 0, 0, 0, 0) &&
           virtio_is(&d->virtio[1], 0x70, PCI_VIRTIO_NOTIFY_CFG, 4, 0x3000, 0x1000, 4) &&
           virtio_is(&d->virtio[2], 0x60, PCI_VIRTIO_DEVICE_CFG, 4, 0x2000, 0x1000, 0) &&
           virtio_is(&d->virtio[3], 0x50, PCI_VIRTIO_ISR_CFG, 4, 0x1000, 0x1000, 0) &&
           virtio_is(&d->virtio[4], 0x40, PCI_VIRTIO_COMMON_CFG, 4, 0, 0x1000, 0) && d->msix.cap == 0x98 &&
           d->msix.table_size == 2 && d->msix.table_bar == 1 && d->msix.table_offset == 0 && d->msix.pba_bar == 1 &&
           d->msix.pba_offset == 0x800 && d->cap_count == 6;
}

static void test_q35(void)
{
    HT_CASE("q35-census")
    {
        struct pci_sim *s = sim_new(0xFFF);
        topo_q35(s);
        HT_CHECK(enumerate(s, MAXDEV) == MN_ERR_OK && found == TOPO_Q35_FUNCTIONS, "found %zu", found);
        static const uint8_t order[][3] = {{0, 0, 0},    {0, 1, 0},    {0, 2, 0},    {0, 3, 0},
                                           {0, 0x1C, 0}, {0, 0x1C, 1}, {0, 0x1F, 0}, {0, 0x1F, 2},
                                           {0, 0x1F, 3}, {1, 0, 0},    {2, 0, 0}};
        for (size_t i = 0; i < TOPO_Q35_FUNCTIONS && i < found; i++)
            HT_CHECK(devs[i].bus == order[i][0] && devs[i].dev == order[i][1] && devs[i].fn == order[i][2],
                     "device %zu is %02x:%02x.%x", i, devs[i].bus, devs[i].dev, devs[i].fn);
        HT_CHECK(sim_clean(s), "sim");
        HT_CHECK(s->all_ones_probes == 62, "%u BAR/ROM registers probed", s->all_ones_probes);
        char line[PCI_FORMAT_MAX];
        for (size_t i = 0; i < found; i++) {
            pci_format_device(&devs[i], line, sizeof line);
            printf("  %s\n", line);
        }
        sim_free(s);
    }

    HT_CASE("q35-fields")
    {
        struct pci_sim *s = sim_new(0xFFF);
        topo_q35(s);
        enumerate(s, MAXDEV);
        const struct pci_device *d = find(0, 0, 0);
        HT_CHECK(d && d->vendor_id == 0x8086 && d->device_id == 0x29C0 && d->class_code == 6 && d->subclass == 0 &&
                     d->subsys_vendor_id == 0x1AF4 && d->subsys_id == 0x1100 && !d->multifunction && no_bars(d) &&
                     d->flags == PCI_DEV_BARS_UNSIZED && d->cap_count == 0,
                 "host bridge");
        d = find(0, 1, 0);
        HT_CHECK(d && d->vendor_id == 0x1234 && d->device_id == 0x1111 && d->class_code == 3 && d->revision == 2 &&
                     bar_is(d, 0, PCI_BAR_MEM32, 0xFD000000, 16 << 20, true) &&
                     bar_is(d, 2, PCI_BAR_MEM32, 0xFEBD4000, 4096, false) && d->bars[1].type == PCI_BAR_NONE &&
                     d->rom_base == 0xFEBC0000 && d->rom_size == 64 << 10 && !d->rom_enabled && d->irq_pin == 0 &&
                     d->command == 0x0003 && d->flags == 0,
                 "VGA");
        d = find(0, 2, 0);
        HT_CHECK(d && d->device_id == 0x10D3 && d->subsys_vendor_id == 0x8086 && d->subsys_id == 0 &&
                     d->irq_line == 10 && d->irq_pin == 1 && d->command == 0x0107 &&
                     bar_is(d, 0, PCI_BAR_MEM32, 0xFEB80000, 128 << 10, false) &&
                     bar_is(d, 1, PCI_BAR_MEM32, 0xFEBA0000, 128 << 10, false) &&
                     bar_is(d, 2, PCI_BAR_IO, 0xC000, 32, false) &&
                     bar_is(d, 3, PCI_BAR_MEM32, 0xFEBD0000, 16 << 10, false) && d->rom_size == 256 << 10,
                 "e1000e");
        d = find(0, 3, 0);
        HT_CHECK(d && d->vendor_id == 0x1AF4 && d->device_id == 0x1042 && d->class_code == 1 && d->subclass == 0 &&
                     d->revision == 1 && bar_is(d, 1, PCI_BAR_MEM32, 0xFEBD5000, 4096, false) &&
                     bar_is(d, 4, PCI_BAR_MEM64, 0xFE000000, 16 << 10, true) && d->bars[5].type == PCI_BAR_MEM64_HIGH &&
                     d->bars[0].type == PCI_BAR_NONE && d->rom_size == 0,
                 "virtio-blk");
        for (uint8_t fn = 0; fn < 2; fn++) {
            d = find(0, 0x1C, fn);
            HT_CHECK(d && d->header_type == PCI_HEADER_BRIDGE && d->multifunction == (fn == 0) && d->primary_bus == 0 &&
                         d->secondary_bus == 1 + fn && d->subordinate_bus == 1 + fn && d->bar_count == 2 &&
                         bar_is(d, 0, PCI_BAR_MEM32, 0xFEBD6000 + 0x1000u * fn, 4096, false) &&
                         d->subsys_vendor_id == 0x1B36 && d->subsys_id == 0 && d->flags == 0,
                     "root port %u", fn);
        }
        d = find(0, 0x1F, 0);
        HT_CHECK(d && d->device_id == 0x2918 && d->multifunction && d->class_code == 6 && d->subclass == 1 &&
                     no_bars(d),
                 "LPC");
        d = find(0, 0x1F, 2);
        HT_CHECK(d && d->device_id == 0x2922 && d->prog_if == 1 && !d->multifunction &&
                     bar_is(d, 4, PCI_BAR_IO, 0xC020, 32, false) &&
                     bar_is(d, 5, PCI_BAR_MEM32, 0xFEBD8000, 4096, false) && d->command == 0x0407,
                 "AHCI");
        d = find(0, 0x1F, 3);
        HT_CHECK(d && d->device_id == 0x2930 && d->class_code == 0x0C && d->subclass == 5 &&
                     bar_is(d, 4, PCI_BAR_IO, 0x0700, 64, false),
                 "SMBus");
        d = find(1, 0, 0);
        HT_CHECK(d && d->device_id == 0x0010 && d->prog_if == 2 &&
                     bar_is(d, 0, PCI_BAR_MEM64, 0xFE800000, 16 << 10, false),
                 "NVMe");
        d = find(2, 0, 0);
        HT_CHECK(d && d->device_id == 0x000D && d->prog_if == 0x30 &&
                     bar_is(d, 0, PCI_BAR_MEM64, 0xFE600000, 16 << 10, false),
                 "xHCI");
        sim_free(s);
    }

    HT_CASE("q35-capabilities")
    {
        struct pci_sim *s = sim_new(0xFFF);
        topo_q35(s);
        enumerate(s, MAXDEV);
        const struct pci_device *d = find(0, 2, 0);
        static const uint16_t e1000e[][2] = {{0x01, 0xC8}, {0x05, 0xD0}, {0x10, 0xE0},
                                             {0x11, 0xA0}, {1, 0x100},   {3, 0x140}};
        HT_CHECK(d && caps_are(d, e1000e, 6) && d->caps[4].extended && !d->caps[3].extended, "e1000e list");
        HT_CHECK(d && d->msi.cap == 0xD0 && d->msi.is64 && !d->msi.maskable && d->msi.vectors == 1, "e1000e MSI");
        HT_CHECK(d && d->msix.cap == 0xA0 && d->msix.table_size == 5 && d->msix.table_bar == 3 &&
                     d->msix.table_offset == 0 && d->msix.pba_bar == 3 && d->msix.pba_offset == 0x2000,
                 "e1000e MSI-X");
        HT_CHECK(d && d->pcie.cap == 0xE0 && d->pcie.version == 1 && d->pcie.port_type == PCI_PCIE_ENDPOINT,
                 "e1000e PCIe");
        HT_CHECK(d && pci_find_cap(d, PCI_EXT_CAP_DSN, true) == 0x140 && pci_find_cap(d, PCI_CAP_PM, false) == 0xC8 &&
                     pci_find_cap(d, PCI_EXT_CAP_ARI, true) == 0 && pci_find_cap(d, PCI_CAP_MSIX, true) == 0,
                 "pci_find_cap");
        d = find(0, 3, 0);
        HT_CHECK(d && virtio_layout_ok(d) && d->pcie.cap == 0 && d->msi.cap == 0, "virtio-blk caps");
        d = find(0, 0x1C, 0);
        static const uint16_t port[][2] = {{0x10, 0x54}, {0x11, 0x48}, {0x0D, 0x40}, {1, 0x100}};
        HT_CHECK(d && caps_are(d, port, 4) && d->pcie.port_type == PCI_PCIE_ROOT_PORT && d->pcie.version == 2 &&
                     !d->pcie.ari_forwarding && d->msix.table_size == 1,
                 "root port caps");
        d = find(0, 0x1F, 0);
        HT_CHECK(d && d->cap_count == 1 && d->caps[0].id == PCI_CAP_VENDOR && d->virtio_count == 0, "LPC vendor cap");
        d = find(0, 0x1F, 2);
        HT_CHECK(d && d->msi.cap == 0x80 && !d->msi.is64 && d->cap_count == 2 && d->caps[1].id == PCI_CAP_SATA, "AHCI");
        d = find(1, 0, 0);
        HT_CHECK(d && d->pcie.cap == 0x80 && d->msix.table_size == 65 && d->msix.table_offset == 0x2000 &&
                     d->msix.pba_offset == 0x3000 && d->cap_count == 3,
                 "NVMe caps (no extended: 0 at 0x100)");
        d = find(2, 0, 0);
        HT_CHECK(d && d->msix.cap == 0x90 && d->msix.table_size == 16 && d->pcie.cap == 0xA0, "xHCI caps");
        sim_free(s);
    }

    HT_CASE("q35-legacy-port-io")
    {
        /* The same machine through 0xCF8/0xCFC: no access may go past 0xFF, so no extended capabilities. */
        struct pci_sim *s = sim_new(0xFF);
        topo_q35(s);
        HT_CHECK(enumerate(s, MAXDEV) == MN_ERR_OK && found == TOPO_Q35_FUNCTIONS, "found %zu", found);
        HT_CHECK(sim_clean(s), "sim");
        const struct pci_device *d = find(0, 2, 0);
        HT_CHECK(d && d->cap_count == 4 && pci_find_cap(d, PCI_EXT_CAP_AER, true) == 0, "no extended caps");
        sim_free(s);
    }
}

static const char *const pc_census[TOPO_PC_FUNCTIONS] = {
    "00:00.0 8086:1237 06.00.00 Host bridge \"440FX host bridge (i440FX)\"",
    "00:01.0 8086:7000 06.01.00 ISA bridge \"PIIX3 ISA bridge\"",
    "00:01.1 8086:7010 01.01.80 IDE controller (ISA compatibility mode, bus master) \"PIIX3 IDE controller\"; BAR4 io "
    "0xc0c0 [16]",
    "00:01.3 8086:7113 06.80.00 Other bridge \"PIIX4 ACPI power management\" irq 9 INTA",
    "00:02.0 1234:1111 03.00.00 VGA compatible controller \"QEMU standard VGA / bochs-display\"; BAR0 mem32 pref "
    "0xfd000000 [16M]; BAR2 mem32 0xfebf0000 [4K]; ROM 0xfebe0000 [64K]",
    "00:03.0 8086:100e 02.00.00 Ethernet controller \"82540EM Gigabit Ethernet (e1000)\" irq 11 INTA; BAR0 mem32 "
    "0xfebc0000 [128K]; BAR1 io 0xc080 [64]; ROM 0xfeb80000 [256K]",
    "00:04.0 1af4:1001 01.00.00 SCSI storage controller \"Virtio block device (transitional)\" irq 10 INTA; BAR0 io "
    "0xc000 [128]; BAR1 mem32 0xfebf1000 [4K]; BAR4 mem64 pref 0xfe000000 [16K]; caps msix@98(2 vec) "
    "virtio@84(pci-cfg) virtio@70(notify BAR4+0x3000 x4) virtio@60(device BAR4+0x2000) virtio@50(isr BAR4+0x1000) "
    "virtio@40(common BAR4+0x0)",
};

static void test_pc(void)
{
    HT_CASE("pc-census")
    {
        struct pci_sim *s = sim_new(0xFF);
        topo_pc(s);
        HT_CHECK(enumerate(s, MAXDEV) == MN_ERR_OK && found == TOPO_PC_FUNCTIONS, "found %zu", found);
        char line[PCI_FORMAT_MAX];
        for (size_t i = 0; i < found && i < TOPO_PC_FUNCTIONS; i++) {
            size_t n = pci_format_device(&devs[i], line, sizeof line);
            printf("  %s\n", line);
            HT_CHECK(n == strlen(line) && strcmp(line, pc_census[i]) == 0, "line %zu:\n  got  %s\n  want %s", i, line,
                     pc_census[i]);
        }
        HT_CHECK(sim_clean(s), "sim");
        HT_CHECK(s->all_ones_probes == 42, "%u BAR/ROM registers probed", s->all_ones_probes);
        sim_free(s);
    }

    HT_CASE("pc-fields")
    {
        struct pci_sim *s = sim_new(0xFF);
        topo_pc(s);
        enumerate(s, MAXDEV);
        const struct pci_device *d = find(0, 1, 0);
        HT_CHECK(d && d->device_id == 0x7000 && d->multifunction && d->class_code == 6 && d->subclass == 1, "ISA");
        HT_CHECK(!find(0, 1, 2) && find(0, 1, 1) && find(0, 1, 3), "functions .1 and .3 only");
        d = find(0, 1, 1);
        HT_CHECK(d && d->prog_if == 0x80 && bar_is(d, 4, PCI_BAR_IO, 0xC0C0, 16, false) && d->irq_pin == 0, "IDE");
        d = find(0, 1, 3);
        HT_CHECK(d && d->revision == 3 && d->subclass == 0x80 && d->irq_line == 9 && d->irq_pin == 1 && no_bars(d),
                 "ACPI");
        d = find(0, 3, 0);
        HT_CHECK(d && bar_is(d, 0, PCI_BAR_MEM32, 0xFEBC0000, 128 << 10, false) &&
                     bar_is(d, 1, PCI_BAR_IO, 0xC080, 64, false) && d->rom_base == 0xFEB80000 &&
                     d->rom_size == 256 << 10 && d->command == 0x0107 && d->cap_count == 0,
                 "e1000");
        d = find(0, 4, 0);
        HT_CHECK(d && d->device_id == 0x1001 && d->subsys_vendor_id == 0x1AF4 && d->subsys_id == 2 &&
                     bar_is(d, 0, PCI_BAR_IO, 0xC000, 0x80, false) &&
                     bar_is(d, 1, PCI_BAR_MEM32, 0xFEBF1000, 4096, false) &&
                     bar_is(d, 4, PCI_BAR_MEM64, 0xFE000000, 16 << 10, true) && virtio_layout_ok(d),
                 "virtio-blk transitional");
        HT_CHECK(pci_virtio_device_type(d->vendor_id, d->device_id) == 2, "virtio type block");
        sim_free(s);
    }
}

/* ---- hostile config spaces ------------------------------------------------ */

static struct sim_fn *endpoint(struct pci_sim *s, uint8_t bus, uint8_t dev, uint8_t fn, uint8_t header)
{
    struct sim_fn *f = sim_add(s, bus, dev, fn, 0x1B36, 0x0005, 0x00FF00, 0, header);
    sim_bar(f, 0, SIM_MEM32, 0xE0000000u + ((uint32_t)bus << 8 | (uint32_t)dev << 3 | fn) * 256u, 256);
    sim_w16(f, PCI_CFG_COMMAND, 0x0002);
    return f;
}

static struct sim_fn *bridge(struct pci_sim *s, uint8_t bus, uint8_t dev, uint8_t secondary)
{
    struct sim_fn *f = sim_add(s, bus, dev, 0, 0x1B36, 0x0001, 0x060400, 0, 0x01);
    sim_bridge(f, bus, secondary, secondary);
    return f;
}

/* No location stored twice among devs[0..n). */
static int unique(size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (devs[i].bus == devs[j].bus && devs[i].dev == devs[j].dev && devs[i].fn == devs[j].fn)
                return 0;
    return 1;
}

static void test_bridges(void)
{
    HT_CASE("bridge-secondary-zero")
    {
        struct pci_sim *s = sim_new(0xFF);
        sim_add(s, 0, 0, 0, 0x8086, 0x1237, 0x060000, 0, 0);
        bridge(s, 0, 1, 0); /* unconfigured: secondary 0 */
        HT_CHECK(enumerate(s, MAXDEV) == MN_ERR_OK && found == 2 && unique(found), "found %zu", found);
        HT_CHECK(find(0, 1, 0) && find(0, 1, 0)->flags == PCI_DEV_BRIDGE_SKIPPED, "flagged");
        HT_CHECK(sim_clean(s), "sim");
        sim_free(s);
    }

    HT_CASE("bridge-loops")
    {
        struct pci_sim *s = sim_new(0xFF);
        bridge(s, 0, 1, 1);
        bridge(s, 0, 2, 2);
        bridge(s, 1, 0, 1); /* to itself */
        bridge(s, 1, 1, 0); /* back to the root */
        bridge(s, 1, 2, 2); /* to a bus already reached through 00:02.0 */
        endpoint(s, 2, 0, 0, 0);
        HT_CHECK(enumerate(s, MAXDEV) == MN_ERR_OK && found == 6 && unique(found), "found %zu", found);
        HT_CHECK(find(0, 1, 0)->flags == 0 && find(0, 2, 0)->flags == 0, "first bridges followed");
        HT_CHECK(find(1, 0, 0)->flags == PCI_DEV_BRIDGE_SKIPPED && find(1, 1, 0)->flags == PCI_DEV_BRIDGE_SKIPPED &&
                     find(1, 2, 0)->flags == PCI_DEV_BRIDGE_SKIPPED,
                 "loops flagged");
        HT_CHECK(sim_clean(s), "sim");
        sim_free(s);
    }

    HT_CASE("bridge-backwards")
    {
        /* 00:01.0 -> bus 5, whose bridge claims bus 3: numbered below its parent, so not followed. */
        struct pci_sim *s = sim_new(0xFF);
        bridge(s, 0, 1, 5);
        bridge(s, 5, 0, 3);
        endpoint(s, 3, 0, 0, 0);
        HT_CHECK(enumerate(s, MAXDEV) == MN_ERR_OK && found == 2 && !find(3, 0, 0), "found %zu", found);
        HT_CHECK(find(5, 0, 0) && find(5, 0, 0)->flags == PCI_DEV_BRIDGE_SKIPPED, "flagged");
        sim_free(s);
    }

    HT_CASE("segment-bus-window")
    {
        /* An MCFG entry for segment 1, buses 0x80-0x8F: nothing outside may be touched (the sim checks). */
        struct pci_sim *s = sim_new(0xFFF);
        s->segment = 1, s->bus_lo = 0x80, s->bus_hi = 0x8F;
        sim_add(s, 0x80, 0, 0, 0x8086, 0x29C0, 0x060000, 0, 0);
        bridge(s, 0x80, 1, 0x81);
        bridge(s, 0x80, 2, 0x90);
        endpoint(s, 0x81, 0, 0, 0);
        struct pci_config_ops ops = sim_ops(s);
        sim_snapshot(s);
        HT_CHECK(pci_enumerate(&ops, 1, 0x80, 0x8F, devs, MAXDEV, &found) == MN_ERR_OK && found == 4, "found %zu",
                 found);
        HT_CHECK(find(0x80, 2, 0) && find(0x80, 2, 0)->flags == PCI_DEV_BRIDGE_SKIPPED, "out-of-window bridge");
        HT_CHECK(sim_clean(s) && devs[0].segment == 1, "sim");
        char line[PCI_FORMAT_MAX];
        pci_format_device(&devs[0], line, sizeof line);
        HT_CHECK(strncmp(line, "0001:80:00.0 8086:29c0", 22) == 0, "segment printed: %s", line);
        sim_free(s);
    }

    HT_CASE("all-buses-full")
    {
        /* 256 buses, each with 32 devices; device 0 of each bus but the last bridges to the next. */
        struct pci_sim *s = sim_new(0xFF);
        for (unsigned bus = 0; bus < 256; bus++)
            for (uint8_t dev = 0; dev < 32; dev++) {
                if (dev == 0 && bus < 255)
                    bridge(s, (uint8_t)bus, 0, (uint8_t)(bus + 1));
                else
                    endpoint(s, (uint8_t)bus, dev, 0, 0);
            }
        HT_CHECK(enumerate(s, 100) == MN_ERR_NO_SPACE && found == 256 * 32, "found %zu", found);
        HT_CHECK(unique(100) && sim_clean(s), "first 100 stored");
        unsigned written = 0;
        for (size_t i = 0; i < s->count; i++)
            written += s->fns[i]->writes != 0;
        HT_CHECK(written <= 100, "%u functions written (only stored ones may be)", written);

        struct pci_device *all = malloc(256 * 32 * sizeof *all);
        struct pci_config_ops ops = sim_ops(s);
        size_t n = 0;
        HT_CHECK(pci_enumerate(&ops, 0, 0, 255, all, 256 * 32, &n) == MN_ERR_OK && n == 256 * 32, "n %zu", n);
        int ok = 1;
        for (size_t i = 0; i < n; i++)
            ok &= all[i].bus == i / 32 && all[i].dev == i % 32 && all[i].fn == 0;
        HT_CHECK(ok && sim_clean(s), "every bus, in order");
        free(all);
        sim_free(s);
    }

    HT_CASE("root-port-only-device0")
    {
        struct pci_sim *s = sim_new(0xFFF);
        topo_q35(s);
        endpoint(s, 1, 5, 0, 0); /* an alias below root port 00:1c.0: must not show */
        bridge(s, 0, 5, 3); /* a conventional PCI bridge: all 32 devices are scanned */
        endpoint(s, 3, 0, 0, 0);
        endpoint(s, 3, 7, 0, 0);
        HT_CHECK(enumerate(s, MAXDEV) == MN_ERR_OK && found == TOPO_Q35_FUNCTIONS + 3, "found %zu", found);
        HT_CHECK(!find(1, 5, 0) && find(3, 0, 0) && find(3, 7, 0), "device 0 only below a root port");

        /* With ARI forwarding enabled in 00:1c.1 (Device Control 2 bit 5), devices 1-31 are scanned. */
        sim_reset(s);
        topo_q35(s);
        sim_w16(sim_find(s, 0, 0x1C, 1), 0x54 + 0x28, 0x0020);
        endpoint(s, 2, 3, 0, 0);
        HT_CHECK(enumerate(s, MAXDEV) == MN_ERR_OK && find(2, 3, 0) && find(0, 0x1C, 1)->pcie.ari_forwarding, "ARI");
        sim_free(s);
    }

    HT_CASE("function0-absent")
    {
        struct pci_sim *s = sim_new(0xFF);
        endpoint(s, 0, 5, 1, 0x80); /* function 1 without function 0: the device is absent */
        endpoint(s, 0, 6, 0, 0x80); /* multi-function with gaps: 0, 2, 7 */
        endpoint(s, 0, 6, 2, 0x00);
        endpoint(s, 0, 6, 7, 0x00);
        endpoint(s, 0, 7, 0, 0x00); /* single-function: functions 1-7 (aliases on some hardware) are ignored */
        for (uint8_t fn = 1; fn < 8; fn++)
            endpoint(s, 0, 7, fn, 0x00);
        HT_CHECK(enumerate(s, MAXDEV) == MN_ERR_OK && found == 4, "found %zu", found);
        HT_CHECK(!find(0, 5, 1) && find(0, 6, 0) && find(0, 6, 2) && find(0, 6, 7) && find(0, 7, 0) && !find(0, 7, 1),
                 "functions");
        HT_CHECK(find(0, 6, 0)->multifunction && !find(0, 6, 2)->multifunction, "multifunction is function 0's bit");
        sim_free(s);
    }

    HT_CASE("cardbus-and-unknown-header")
    {
        struct pci_sim *s = sim_new(0xFF);
        struct sim_fn *f = sim_add(s, 0, 1, 0, 0x104C, 0xAC56, 0x060700, 0, 0x02);
        sim_bridge(f, 0, 1, 4);
        sim_bar(f, 0, SIM_MEM32, 0xFEB00000, 4096);
        sim_subsys(f, 0x1028, 0x0123);
        cap_pm(f, 0x80);
        endpoint(s, 1, 0, 0, 0);
        sim_add(s, 0, 2, 0, 0x1B36, 0x0005, 0x00FF00, 0, 0x03);
        HT_CHECK(enumerate(s, MAXDEV) == MN_ERR_OK && found == 3, "found %zu", found);
        const struct pci_device *d = find(0, 1, 0);
        HT_CHECK(d && d->header_type == PCI_HEADER_CARDBUS && d->bar_count == 1 &&
                     bar_is(d, 0, PCI_BAR_MEM32, 0xFEB00000, 4096, false) && d->subsys_vendor_id == 0x1028 &&
                     d->subsys_id == 0x0123 && d->cap_count == 1 && d->caps[0].offset == 0x80 &&
                     d->subordinate_bus == 4,
                 "CardBus bridge");
        d = find(0, 2, 0);
        HT_CHECK(d && d->flags == PCI_DEV_UNKNOWN_HEADER && d->bar_count == 0 && d->cap_count == 0, "header type 3");
        HT_CHECK(sim_clean(s), "sim");
        sim_free(s);
    }
}

/* An endpoint at 00:01.0 with the given vendor/device for capability tests (ECAM space). */
static struct sim_fn *cap_device(struct pci_sim *s, uint16_t vendor, uint16_t device)
{
    return sim_add(s, 0, 1, 0, vendor, device, 0x020000, 0, 0);
}

static const struct pci_device *enumerate_one(struct pci_sim *s)
{
    found = 0;
    if (enumerate(s, MAXDEV) != MN_ERR_OK || found != 1)
        return NULL;
    return &devs[0];
}

static void test_caps(void)
{
    HT_CASE("cap-loop")
    {
        struct pci_sim *s = sim_new(0xFF);
        struct sim_fn *f = cap_device(s, 0x8086, 0x100E);
        cap_pm(f, 0x40);
        cap_msi(f, 0x50, 0x0186); /* 64-bit, maskable, 8 vectors */
        sim_w8(f, 0x51, 0x40); /* 0x50 -> 0x40 */
        const struct pci_device *d = enumerate_one(s);
        HT_CHECK(d && d->cap_count == 2 && (d->flags & PCI_DEV_CAPS_BROKEN), "loop stopped");
        HT_CHECK(d && d->msi.cap == 0x50 && d->msi.is64 && d->msi.maskable && d->msi.vectors == 8, "MSI decoded");
        sim_w8(f, 0x41, 0x40); /* 0x40 -> itself */
        d = enumerate_one(s);
        HT_CHECK(d && d->cap_count == 1 && (d->flags & PCI_DEV_CAPS_BROKEN), "self loop");
        HT_CHECK(sim_clean(s), "sim");
        sim_free(s);
    }

    HT_CASE("cap-wild-pointers")
    {
        struct pci_sim *s = sim_new(0xFF);
        struct sim_fn *f = cap_device(s, 0x8086, 0x100E);
        cap_pm(f, 0x40);
        sim_w8(f, PCI_CFG_CAP_PTR, 0x20); /* into the header */
        const struct pci_device *d = enumerate_one(s);
        HT_CHECK(d && d->cap_count == 0 && d->flags == PCI_DEV_CAPS_BROKEN, "pointer into the header");
        sim_w8(f, PCI_CFG_CAP_PTR, 0x40);
        sim_w8(f, 0x41, 0x08);
        d = enumerate_one(s);
        HT_CHECK(d && d->cap_count == 1 && d->flags == PCI_DEV_CAPS_BROKEN, "next into the header");
        /* The low two bits of a pointer are reserved and masked (PCI 3.0 6.7): 0x43 is 0x40. */
        sim_w8(f, PCI_CFG_CAP_PTR, 0x43);
        sim_w8(f, 0x41, 0x52);
        cap_msi(f, 0x50, 0);
        sim_w8(f, 0x41, 0x53);
        d = enumerate_one(s);
        HT_CHECK(d && d->cap_count == 2 && d->flags == 0 && d->caps[1].offset == 0x50, "misaligned pointers masked");
        sim_w16(f, PCI_CFG_STATUS, 0); /* no capability list bit: the pointer is not used */
        d = enumerate_one(s);
        HT_CHECK(d && d->cap_count == 0 && d->flags == 0, "status bit 4 clear");
        sim_w16(f, PCI_CFG_STATUS, PCI_STATUS_CAP_LIST);
        sim_w8(f, 0x40, 0xFF);
        d = enumerate_one(s);
        HT_CHECK(d && d->cap_count == 0 && d->flags == PCI_DEV_CAPS_BROKEN, "ID 0xFF");
        HT_CHECK(sim_clean(s), "sim");
        sim_free(s);
    }

    HT_CASE("cap-cut-off")
    {
        /* MSI-X at 0xF8 needs 12 bytes: listed, not decoded, flagged, and nothing read past 0xFF. */
        struct pci_sim *s = sim_new(0xFF);
        struct sim_fn *f = cap_device(s, 0x8086, 0x10D3);
        sim_w8(f, 0xF8, PCI_CAP_MSIX);
        sim_w8(f, PCI_CFG_CAP_PTR, 0xF8);
        sim_w16(f, PCI_CFG_STATUS, PCI_STATUS_CAP_LIST);
        const struct pci_device *d = enumerate_one(s);
        HT_CHECK(d && d->cap_count == 1 && d->msix.cap == 0 && d->flags == PCI_DEV_CAPS_BROKEN, "MSI-X cut off");
        /* PCIe at 0xFC: too short for Device Control 2, decoded without it. */
        sim_w8(f, 0xF9, 0xFC);
        sim_w32(f, 0xFC, 0x00420010);
        d = enumerate_one(s);
        HT_CHECK(d && d->cap_count == 2 && d->pcie.cap == 0xFC && d->pcie.port_type == PCI_PCIE_ROOT_PORT, "PCIe");
        HT_CHECK(sim_clean(s), "sim");
        sim_free(s);
    }

    HT_CASE("cap-many")
    {
        struct pci_sim *s = sim_new(0xFF);
        struct sim_fn *f = cap_device(s, 0x8086, 0x100E);
        for (unsigned off = 0x40; off <= 0xFC; off += 4)
            sim_cap(f, (uint8_t)off, 0x0A, NULL, 0);
        const struct pci_device *d = enumerate_one(s);
        HT_CHECK(d && d->cap_count == PCI_MAX_CAPS && d->flags == PCI_DEV_CAPS_TRUNCATED, "48 capabilities");
        sim_free(s);
    }

    HT_CASE("virtio-caps-checked")
    {
        struct pci_sim *s = sim_new(0xFF);
        struct sim_fn *f = cap_device(s, 0x1AF4, 0x1041);
        cap_virtio(f, 0x40, PCI_VIRTIO_COMMON_CFG, 4, 0, 0x1000, 0);
        cap_virtio(f, 0x50, PCI_VIRTIO_COMMON_CFG, 7, 0, 0x1000, 0); /* reserved BAR */
        cap_virtio(f, 0x60, 6, 4, 0, 0x1000, 0); /* reserved cfg_type */
        cap_virtio(f, 0x70, PCI_VIRTIO_NOTIFY_CFG, 4, 0x3000, 0x1000, 4);
        sim_w8(f, 0x72, 16); /* notify without room for its multiplier */
        uint8_t shm[22] = {24, PCI_VIRTIO_SHARED_MEMORY_CFG, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0,
                           0,  /* offset, high half */ 0,    2, 0, 0 /* length, high half */};
        sim_cap(f, 0x88, PCI_CAP_VENDOR, shm, sizeof shm); /* offset 1 << 32, length 2 << 40 */
        cap_virtio(f, 0xF0, PCI_VIRTIO_DEVICE_CFG, 4, 0x2000, 0x1000, 0); /* ends exactly at 0x100 */
        const struct pci_device *d = enumerate_one(s);
        HT_CHECK(d && d->cap_count == 6 && d->flags == 0 && d->virtio_count == 3, "3 valid of 6");
        HT_CHECK(d && virtio_is(&d->virtio[0], 0x40, 1, 4, 0, 0x1000, 0) &&
                     virtio_is(&d->virtio[1], 0x88, 8, 2, 1ull << 32, 2ull << 40, 0) && d->virtio[1].id == 1 &&
                     virtio_is(&d->virtio[2], 0xF0, 4, 4, 0x2000, 0x1000, 0),
                 "decoded");
        sim_w8(f, 0xF2, 20); /* cap_len 20 at 0xF0 would run past 0xFF */
        d = enumerate_one(s);
        HT_CHECK(d && d->virtio_count == 2 && d->flags == PCI_DEV_CAPS_BROKEN, "too long");

        sim_reset(s);
        f = cap_device(s, 0x1AF4, 0x1110); /* ivshmem: vendor 1af4 but not a virtio device */
        cap_virtio(f, 0x40, PCI_VIRTIO_COMMON_CFG, 4, 0, 0x1000, 0);
        d = enumerate_one(s);
        HT_CHECK(d && d->cap_count == 1 && d->virtio_count == 0, "not virtio");

        sim_reset(s);
        f = cap_device(s, 0x1AF4, 0x1042);
        for (unsigned i = 0; i < 9; i++)
            cap_virtio(f, (uint8_t)(0x40 + 16 * i), PCI_VIRTIO_DEVICE_CFG, 4, 0x1000 * i, 0x1000, 0);
        d = enumerate_one(s);
        HT_CHECK(d && d->virtio_count == PCI_MAX_VIRTIO_CAPS && d->flags == PCI_DEV_CAPS_TRUNCATED, "9 virtio caps");
        sim_free(s);
    }

    HT_CASE("extended-caps-hostile")
    {
        struct pci_sim *s = sim_new(0xFFF);
        struct sim_fn *f = cap_device(s, 0x8086, 0x10D3);
        cap_pcie(f, 0x40, 2, PCI_PCIE_ENDPOINT);
        sim_ext_cap(f, 0x100, PCI_EXT_CAP_AER);
        sim_ext_cap(f, 0x140, PCI_EXT_CAP_DSN);
        sim_w32(f, 0x140, sim_r32(f, 0x140) | 0x100u << 20); /* 0x140 -> 0x100 */
        const struct pci_device *d = enumerate_one(s);
        HT_CHECK(d && d->cap_count == 3 && d->flags == PCI_DEV_CAPS_BROKEN, "loop");
        sim_w32(f, 0x140, PCI_EXT_CAP_DSN | 0x1u << 16 | 0x040u << 20); /* into the standard space */
        d = enumerate_one(s);
        HT_CHECK(d && d->cap_count == 3 && d->flags == PCI_DEV_CAPS_BROKEN, "next below 0x100");
        sim_w32(f, 0x140, PCI_EXT_CAP_DSN | 0x1u << 16 | 0xFFEu << 20); /* low bits masked: 0xFFC */
        sim_w32(f, 0xFFC, 0x0000000B);
        d = enumerate_one(s);
        HT_CHECK(d && d->cap_count == 4 && d->caps[3].offset == 0xFFC && d->caps[3].id == 0x0B && d->flags == 0,
                 "last dword");
        sim_w32(f, 0x100, 0xFFFFFFFFu);
        d = enumerate_one(s);
        HT_CHECK(d && d->cap_count == 1 && d->flags == 0, "all-ones at 0x100: no extended space");
        HT_CHECK(sim_clean(s), "sim");

        /* A conventional function (no PCIe capability): its bytes past 0xFF are never read as capabilities. */
        sim_reset(s);
        f = cap_device(s, 0x8086, 0x100E);
        sim_ext_cap(f, 0x100, PCI_EXT_CAP_AER);
        d = enumerate_one(s);
        HT_CHECK(d && d->cap_count == 0, "not PCIe");
        sim_free(s);
    }
}

/* ---- BAR sizing -------------------------------------------------------------- */

static void test_bars(void)
{
    HT_CASE("bar-edge-cases")
    {
        struct pci_sim *s = sim_new(0xFF);
        struct sim_fn *f = cap_device(s, 0x8086, 0x100E);
        sim_bar(f, 0, SIM_MEM64 | SIM_PREF, 0x800000000ull, 8ull << 30); /* above 4 GiB */
        sim_bar(f, 2, SIM_MEM32, 0, 4096); /* implemented, not assigned */
        sim_bar(f, 3, SIM_IO, 0xC000, 32);
        sim_bar(f, 4, SIM_MEM32, 0xFEBF0000, 4096);
        sim_w32(f, 0x24, 0x4); /* BAR5: the 64-bit type in the last slot */
        f->order[5] = 12;
        sim_rom(f, 0xFEB80001, 256 << 10); /* enabled; recomputes the masks, BAR5's too */
        f->wmask[0x1E] = f->wmask[0x1F] = 0; /* BAR3: a 16-bit I/O decoder, upper half hardwired to 0 */
        sim_w16(f, PCI_CFG_COMMAND, 0x0003);
        const struct pci_device *d = enumerate_one(s);
        HT_CHECK(d && bar_is(d, 0, PCI_BAR_MEM64, 0x800000000ull, 8ull << 30, true) &&
                     d->bars[1].type == PCI_BAR_MEM64_HIGH,
                 "64-bit above 4G");
        HT_CHECK(d && bar_is(d, 2, PCI_BAR_MEM32, 0, 4096, false), "unassigned BAR");
        HT_CHECK(d && bar_is(d, 3, PCI_BAR_IO, 0xC000, 32, false), "16-bit I/O decoder");
        HT_CHECK(d && bar_is(d, 5, PCI_BAR_MEM32, 0, 4096, false) && (d->flags & PCI_DEV_BAR_BROKEN), "64 in slot 5");
        HT_CHECK(d && d->rom_base == 0xFEB80000 && d->rom_size == 256 << 10 && d->rom_enabled, "enabled ROM");
        HT_CHECK(sim_clean(s), "sim");
        char line[PCI_FORMAT_MAX];
        pci_format_device(d, line, sizeof line);
        HT_CHECK(strstr(line, "BAR0 mem64 pref 0x800000000 [8G]") && strstr(line, "ROM 0xfeb80000 [256K] enabled") &&
                     strstr(line, "problems: bar-broken"),
                 "%s", line);
        sim_free(s);
    }

    HT_CASE("bar-decoding-off-untouched")
    {
        /* Decoding already off: the command register is not written at all. */
        struct pci_sim *s = sim_new(0xFF);
        struct sim_fn *f = cap_device(s, 0x8086, 0x100E);
        sim_bar(f, 0, SIM_MEM32, 0xFEBC0000, 128 << 10);
        sim_w16(f, PCI_CFG_COMMAND, 0x0004);
        const struct pci_device *d = enumerate_one(s);
        HT_CHECK(d && f->command_writes == 0 && d->command == 4 &&
                     bar_is(d, 0, PCI_BAR_MEM32, 0xFEBC0000, 128 << 10, 0),
                 "command writes %u", f->command_writes);
        HT_CHECK(sim_clean(s), "sim");
        /* Decoding on: off once, back on once. */
        sim_w16(f, PCI_CFG_COMMAND, 0x0006);
        d = enumerate_one(s);
        HT_CHECK(d && f->command_writes == 2 && sim_r32(f, PCI_CFG_COMMAND) == 0x0006 && sim_clean(s), "restored");
        sim_free(s);
    }

    HT_CASE("host-bridge-untouched")
    {
        struct pci_sim *s = sim_new(0xFF);
        struct sim_fn *f = sim_add(s, 0, 0, 0, 0x1022, 0x1450, 0x060000, 0, 0);
        sim_bar(f, 0, SIM_MEM32, 0xE0000000, 256 << 20);
        sim_w16(f, PCI_CFG_COMMAND, 0x0006);
        const struct pci_device *d = enumerate_one(s);
        HT_CHECK(d && f->writes == 0 && bar_is(d, 0, PCI_BAR_MEM32, 0xE0000000, 0, false) &&
                     d->flags == PCI_DEV_BARS_UNSIZED,
                 "no writes, BAR unsized");
        char line[PCI_FORMAT_MAX];
        pci_format_device(d, line, sizeof line);
        HT_CHECK(strstr(line, "BAR0 mem32 0xe0000000 [?]") && !strstr(line, "problems"), "%s", line);
        sim_free(s);
    }

    HT_CASE("sim-catches-decode-violations")
    {
        /* The checker itself: all-ones into a BAR with decoding on must be caught. */
        struct pci_sim *s = sim_new(0xFF);
        topo_pc(s);
        enumerate(s, MAXDEV);
        struct pci_config_ops ops = sim_ops(s);
        const struct pci_device *d = find(0, 3, 0);
        HT_CHECK(s->decode_violations == 0 && pci_config_write(&ops, d, PCI_CFG_BAR0, 4, 0xFFFFFFFF) == MN_ERR_OK &&
                     s->decode_violations >= 1 && sim_changed(s) == 1,
                 "caught");
        sim_free(s);
    }
}

/* ---- the API --------------------------------------------------------------- */

static void test_api(void)
{
    HT_CASE("bad-arguments")
    {
        struct pci_sim *s = sim_new(0xFF);
        topo_pc(s);
        struct pci_config_ops ops = sim_ops(s), bad = ops;
        size_t n = 99;
        HT_CHECK(pci_enumerate(NULL, 0, 0, 255, devs, MAXDEV, &n) == MN_ERR_BAD_ARG, "NULL ops");
        bad.read32 = NULL;
        HT_CHECK(pci_enumerate(&bad, 0, 0, 255, devs, MAXDEV, &n) == MN_ERR_BAD_ARG, "NULL read32");
        bad = ops, bad.write32 = NULL;
        HT_CHECK(pci_enumerate(&bad, 0, 0, 255, devs, MAXDEV, &n) == MN_ERR_BAD_ARG, "NULL write32");
        bad = ops, bad.max_offset = 0x7F;
        HT_CHECK(pci_enumerate(&bad, 0, 0, 255, devs, MAXDEV, &n) == MN_ERR_BAD_ARG, "max_offset");
        HT_CHECK(pci_enumerate(&ops, 0, 5, 4, devs, MAXDEV, &n) == MN_ERR_BAD_ARG, "first > last");
        HT_CHECK(pci_enumerate(&ops, 0, 0, 255, devs, MAXDEV, NULL) == MN_ERR_BAD_ARG, "NULL found");
        HT_CHECK(pci_enumerate(&ops, 0, 0, 255, NULL, 5, &n) == MN_ERR_BAD_ARG, "NULL devs");
        HT_CHECK(n == 99 && s->reads == 0 && s->writes == 0, "nothing touched");
        sim_snapshot(s);
        HT_CHECK(pci_enumerate(&ops, 0, 0, 255, NULL, 0, &n) == MN_ERR_NO_SPACE && n == TOPO_PC_FUNCTIONS,
                 "count only");
        HT_CHECK(s->writes == 0, "counting writes nothing");
        struct pci_device d;
        HT_CHECK(pci_probe(&ops, 0, 0, 32, 0, &d) == MN_ERR_BAD_ARG &&
                     pci_probe(&ops, 0, 0, 0, 8, &d) == MN_ERR_BAD_ARG &&
                     pci_probe(&ops, 0, 0, 0, 0, NULL) == MN_ERR_BAD_ARG &&
                     pci_probe(NULL, 0, 0, 0, 0, &d) == MN_ERR_BAD_ARG,
                 "probe arguments");
        sim_free(s);
    }

    HT_CASE("probe-one")
    {
        struct pci_sim *s = sim_new(0xFF);
        topo_pc(s);
        sim_add(s, 0, 10, 0, 0x0000, 0x1234, 0, 0, 0);
        sim_snapshot(s);
        struct pci_config_ops ops = sim_ops(s);
        struct pci_device d;
        HT_CHECK(pci_probe(&ops, 0, 0, 4, 0, &d) == MN_ERR_OK && d.device_id == 0x1001 && virtio_layout_ok(&d) &&
                     bar_is(&d, 0, PCI_BAR_IO, 0xC000, 0x80, false),
                 "virtio-blk");
        memset(&d, 0x5A, sizeof d);
        HT_CHECK(pci_probe(&ops, 0, 0, 9, 0, &d) == MN_ERR_NOT_FOUND && d.dev == 9 && d.vendor_id == 0 &&
                     d.cap_count == 0,
                 "absent");
        HT_CHECK(pci_probe(&ops, 0, 0, 10, 0, &d) == MN_ERR_NOT_FOUND, "vendor 0 is absent too");
        HT_CHECK(sim_clean(s), "sim");
        sim_free(s);
    }

    HT_CASE("probe-readonly")
    {
        /* What a Ring 3 program sees through a PciDevice capability: the same function, no write, BARs unsized. */
        struct pci_sim *s = sim_new(0xFFF);
        topo_q35(s);
        enumerate(s, MAXDEV);
        struct pci_config_ops ops = sim_ops(s);
        ops.write32 = NULL;
        sim_snapshot(s);
        unsigned long writes = s->writes;
        size_t same = 0;
        for (size_t i = 0; i < found; i++) {
            const struct pci_device *e = &devs[i];
            struct pci_device d;
            if (pci_probe_readonly(&ops, 0, e->bus, e->dev, e->fn, &d) != MN_ERR_OK)
                continue;
            bool bars = true;
            for (unsigned b = 0; b < PCI_MAX_BARS; b++) {
                const pci_bar_t *x = &e->bars[b], *y = &d.bars[b];
                bool unseen = x->type == PCI_BAR_NONE || (x->type != PCI_BAR_MEM64_HIGH && x->base == 0);
                bars = bars && y->size == 0 &&
                       (unseen ? y->type == PCI_BAR_NONE : y->type == x->type && y->base == x->base);
            }
            same += d.vendor_id == e->vendor_id && d.device_id == e->device_id && d.cap_count == e->cap_count &&
                    d.virtio_count == e->virtio_count && d.msix.table_size == e->msix.table_size && bars;
        }
        HT_CHECK(found > 5 && same == found, "%zu of %zu functions match", same, found);
        HT_CHECK(s->writes == writes && !sim_changed(s), "nothing written");
        struct pci_device d;
        HT_CHECK(pci_probe_readonly(NULL, 0, 0, 0, 0, &d) == MN_ERR_BAD_ARG &&
                     pci_probe_readonly(&ops, 0, 0, 32, 0, &d) == MN_ERR_BAD_ARG &&
                     pci_probe_readonly(&ops, 0, 0, 0, 0, NULL) == MN_ERR_BAD_ARG &&
                     pci_probe_readonly(&ops, 0, 0, 30, 0, &d) == MN_ERR_NOT_FOUND,
                 "arguments");
        sim_free(s);
    }

    HT_CASE("config-access")
    {
        struct pci_sim *s = sim_new(0xFF);
        topo_pc(s);
        enumerate(s, MAXDEV);
        struct pci_config_ops ops = sim_ops(s);
        const struct pci_device *d = find(0, 3, 0);
        uint32_t v = 0;
        HT_CHECK(pci_config_read(&ops, d, 0, 4, &v) == MN_ERR_OK && v == 0x100E8086, "dword");
        HT_CHECK(pci_config_read(&ops, d, 2, 2, &v) == MN_ERR_OK && v == 0x100E, "word");
        HT_CHECK(pci_config_read(&ops, d, 0x0B, 1, &v) == MN_ERR_OK && v == 0x02, "byte");
        HT_CHECK(pci_config_read(&ops, d, 0xFF, 1, &v) == MN_ERR_OK, "last byte");
        HT_CHECK(pci_config_read(&ops, d, 1, 2, &v) == MN_ERR_BAD_ARG &&
                     pci_config_read(&ops, d, 2, 4, &v) == MN_ERR_BAD_ARG &&
                     pci_config_read(&ops, d, 0, 3, &v) == MN_ERR_BAD_ARG &&
                     pci_config_read(&ops, d, 0xFC, 8, &v) == MN_ERR_BAD_ARG &&
                     pci_config_read(&ops, d, 0x100, 4, &v) == MN_ERR_BAD_ARG &&
                     pci_config_read(&ops, d, 0, 4, NULL) == MN_ERR_BAD_ARG &&
                     pci_config_read(&ops, NULL, 0, 4, &v) == MN_ERR_BAD_ARG &&
                     pci_config_write(&ops, d, 0xFE, 4, 0) == MN_ERR_BAD_ARG,
                 "rejected");
        HT_CHECK(pci_config_write(&ops, d, PCI_CFG_IRQ_LINE, 1, 5) == MN_ERR_OK &&
                     pci_config_read(&ops, d, PCI_CFG_IRQ_LINE, 2, &v) == MN_ERR_OK && v == 0x0105,
                 "byte write keeps the pin: %#x", v);
        HT_CHECK(s->bad_accesses == 0, "sim");

        /* RW1C: a command write must not clear the status bits it shares a dword with. */
        struct sim_fn *f = sim_find(s, 0, 3, 0);
        sim_w16(f, PCI_CFG_STATUS, 0x2000); /* received master abort */
        struct pci_device *m = &devs[5];
        HT_CHECK(m->dev == 3 && pci_set_bus_master(&ops, m, false) == MN_ERR_OK && m->command == 0x0103 &&
                     pci_config_write(&ops, m, PCI_CFG_COMMAND, 1, 0x07) == MN_ERR_OK &&
                     sim_r32(f, PCI_CFG_COMMAND) == 0x20000107,
                 "status kept: %#x", sim_r32(f, PCI_CFG_COMMAND));
        HT_CHECK(pci_config_write(&ops, m, PCI_CFG_STATUS, 2, 0x2000) == MN_ERR_OK &&
                     sim_r32(f, PCI_CFG_COMMAND) == 0x00000107,
                 "explicit clear");
        sim_free(s);

        /* The bridge's secondary status and a PCIe device status, in ECAM space. */
        s = sim_new(0xFFF);
        topo_q35(s);
        enumerate(s, MAXDEV);
        ops = sim_ops(s);
        f = sim_find(s, 0, 0x1C, 0);
        d = find(0, 0x1C, 0);
        f->w1c[0x1F] = 0xF9, f->w1c[0x54 + 0x0A] = 0x0F; /* secondary status, device status (PCIe) */
        sim_w8(f, 0x1F, 0x20), sim_w8(f, 0x54 + 0x0A, 0x04);
        f->wmask[0x1C] = 0xF0, f->wmask[0x54 + 0x08] = 0xFF; /* I/O base, device control */
        HT_CHECK(pci_config_write(&ops, d, 0x1C, 1, 0xC0) == MN_ERR_OK && f->cfg[0x1C] == 0xC0 && f->cfg[0x1F] == 0x20,
                 "secondary status kept");
        HT_CHECK(pci_config_write(&ops, d, 0x54 + 0x08, 2, 0x10) == MN_ERR_OK && f->cfg[0x5C] == 0x10 &&
                     f->cfg[0x54 + 0x0A] == 0x04,
                 "device status kept");
        HT_CHECK(pci_config_read(&ops, d, 0xFFC, 4, &v) == MN_ERR_OK && s->bad_accesses == 0, "ECAM last dword");
        sim_free(s);
    }

    HT_CASE("command-helpers")
    {
        struct pci_sim *s = sim_new(0xFF);
        topo_pc(s);
        enumerate(s, MAXDEV);
        struct pci_config_ops ops = sim_ops(s);
        struct pci_device *vga = &devs[4], *blk = &devs[6];
        HT_CHECK(vga->dev == 2 && blk->dev == 4, "order");
        HT_CHECK(pci_set_decoding(&ops, vga, false) == MN_ERR_OK && vga->command == 0 &&
                     sim_r32(sim_find(s, 0, 2, 0), 4) == 0,
                 "VGA off");
        HT_CHECK(pci_set_decoding(&ops, vga, true) == MN_ERR_OK && vga->command == PCI_CMD_MEMORY, "VGA: memory only");
        HT_CHECK(pci_set_decoding(&ops, blk, false) == MN_ERR_OK && pci_set_decoding(&ops, blk, true) == MN_ERR_OK &&
                     blk->command == 0x0007,
                 "virtio: I/O and memory, bus master untouched");
        HT_CHECK(pci_set_bus_master(&ops, blk, false) == MN_ERR_OK && blk->command == 0x0003 &&
                     pci_command_update(&ops, blk, PCI_CMD_INTX_DISABLE | PCI_CMD_IO, PCI_CMD_IO) == MN_ERR_OK &&
                     blk->command == 0x0402 && (uint16_t)sim_r32(sim_find(s, 0, 4, 0), 4) == 0x0402,
                 "update: clear wins");
        HT_CHECK(pci_set_decoding(&ops, NULL, true) == MN_ERR_BAD_ARG &&
                     pci_set_bus_master(NULL, blk, true) == MN_ERR_BAD_ARG &&
                     pci_command_update(&ops, NULL, 0, 0) == MN_ERR_BAD_ARG,
                 "bad arguments");
        HT_CHECK(s->bad_accesses == 0, "sim");
        sim_free(s);
    }

    HT_CASE("names")
    {
        for (unsigned c = 0; c <= 0x13; c++)
            HT_CHECK(strcmp(pci_class_name((uint8_t)c, 0x7F, 0), "unknown class") != 0, "class %#x", c);
        HT_CHECK(strcmp(pci_class_name(0xFF, 0, 0), "Unassigned class") == 0, "0xff");
        HT_CHECK(strcmp(pci_class_name(0x14, 0, 0), "unknown class") == 0, "0x14");
        static const struct {
            uint8_t c, s, p;
            const char *name;
        } classes[] = {
            {0x06, 0x00, 0x00, "Host bridge"},
            {0x06, 0x01, 0x00, "ISA bridge"},
            {0x06, 0x04, 0x00, "PCI bridge"},
            {0x01, 0x01, 0x80, "IDE controller (ISA compatibility mode, bus master)"},
            {0x01, 0x01, 0x42, "IDE controller"},
            {0x01, 0x06, 0x01, "SATA controller (AHCI 1.0)"},
            {0x01, 0x08, 0x02, "NVM Express controller"},
            {0x01, 0x00, 0x00, "SCSI storage controller"},
            {0x01, 0x04, 0x00, "RAID bus controller"},
            {0x02, 0x00, 0x00, "Ethernet controller"},
            {0x03, 0x00, 0x00, "VGA compatible controller"},
            {0x03, 0x80, 0x00, "Display controller"},
            {0x0C, 0x03, 0x00, "USB UHCI controller"},
            {0x0C, 0x03, 0x10, "USB OHCI controller"},
            {0x0C, 0x03, 0x20, "USB EHCI controller"},
            {0x0C, 0x03, 0x30, "USB xHCI controller"},
            {0x04, 0x03, 0x00, "High Definition Audio controller"},
            {0x04, 0x01, 0x00, "Multimedia audio controller"},
            {0x0C, 0x05, 0x00, "SMBus"},
            {0x08, 0x80, 0x00, "System peripheral"},
        };
        for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
            HT_CHECK(strcmp(pci_class_name(classes[i].c, classes[i].s, classes[i].p), classes[i].name) == 0, "%s",
                     classes[i].name);
        static const struct {
            uint16_t v, d;
            const char *name;
        } names[] = {
            {0x8086, 0x29C0, "82G33/Q35 host bridge (DRAM controller)"},
            {0x8086, 0x2918, "ICH9 LPC interface controller"},
            {0x8086, 0x2922, "ICH9 AHCI SATA controller"},
            {0x8086, 0x2930, "ICH9 SMBus controller"},
            {0x8086, 0x1237, "440FX host bridge (i440FX)"},
            {0x8086, 0x7000, "PIIX3 ISA bridge"},
            {0x8086, 0x7010, "PIIX3 IDE controller"},
            {0x8086, 0x7113, "PIIX4 ACPI power management"},
            {0x8086, 0x100E, "82540EM Gigabit Ethernet (e1000)"},
            {0x8086, 0x10D3, "82574L Gigabit Ethernet (e1000e)"},
            {0x1B36, 0x0010, "QEMU NVMe controller"},
            {0x1B36, 0x000D, "QEMU xHCI USB controller"},
            {0x1234, 0x1111, "QEMU standard VGA / bochs-display"},
            {0x10EC, 0x8139, "RTL-8139 Fast Ethernet"},
            {0x1AF4, 0x1000, "Virtio network device (transitional)"},
            {0x1AF4, 0x1001, "Virtio block device (transitional)"},
            {0x1AF4, 0x1002, "Virtio memory balloon (transitional)"},
            {0x1AF4, 0x1003, "Virtio console (transitional)"},
            {0x1AF4, 0x1004, "Virtio SCSI host (transitional)"},
            {0x1AF4, 0x1005, "Virtio RNG (entropy source) (transitional)"},
            {0x1AF4, 0x1009, "Virtio 9P transport (transitional)"},
            {0x1AF4, 0x1010, "Virtio transitional device"},
            {0x1AF4, 0x1041, "Virtio 1.0 network device"},
            {0x1AF4, 0x1042, "Virtio 1.0 block device"},
            {0x1AF4, 0x1044, "Virtio 1.0 RNG (entropy source)"},
            {0x1AF4, 0x1048, "Virtio 1.0 SCSI host"},
            {0x1AF4, 0x1049, "Virtio 1.0 9P transport"},
            {0x1AF4, 0x1050, "Virtio 1.0 GPU"},
            {0x1AF4, 0x1052, "Virtio 1.0 input device"},
            {0x1AF4, 0x107F, "Virtio 1.0 device"},
            {0x1AF4, 0x1080, "unknown device"},
            {0x8086, 0xFFFF, "unknown device"},
        };
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            HT_CHECK(strcmp(pci_device_name(names[i].v, names[i].d), names[i].name) == 0, "%04x:%04x: %s", names[i].v,
                     names[i].d, pci_device_name(names[i].v, names[i].d));
        int all = 1;
        for (unsigned id = 0; id < 0x10000; id++)
            all &= pci_device_name(0x1AF4, (uint16_t)id)[0] != 0 && pci_device_name(0x8086, (uint16_t)id)[0] != 0 &&
                   pci_vendor_name((uint16_t)id)[0] != 0 && pci_ext_cap_name((uint16_t)id)[0] != 0;
        for (unsigned id = 0; id < 0x100; id++)
            all &= pci_cap_name((uint8_t)id)[0] && pci_pcie_type_name((uint8_t)id)[0] &&
                   pci_virtio_cfg_name((uint8_t)id)[0];
        HT_CHECK(all, "never NULL or empty");
        HT_CHECK(
            strcmp(pci_vendor_name(0x8086), "Intel") == 0 && strcmp(pci_vendor_name(0x1AF4), "Red Hat (virtio)") == 0 &&
                strcmp(pci_vendor_name(0x1B36), "Red Hat (QEMU)") == 0 &&
                strcmp(pci_vendor_name(0x1234), "QEMU (Bochs)") == 0 &&
                strcmp(pci_vendor_name(0x10DE), "NVIDIA") == 0 && strcmp(pci_vendor_name(0x1022), "AMD") == 0 &&
                strcmp(pci_vendor_name(0x10EC), "Realtek") == 0 && strcmp(pci_vendor_name(0x15AD), "VMware") == 0 &&
                strcmp(pci_vendor_name(0xABCD), "unknown vendor") == 0,
            "vendors");
        HT_CHECK(pci_virtio_device_type(0x1AF4, 0x1050) == 16 && pci_virtio_device_type(0x1AF4, 0x1000) == 1 &&
                     pci_virtio_device_type(0x1AF4, 0x1010) == 0 && pci_virtio_device_type(0x8086, 0x1041) == 0,
                 "virtio types");
        HT_CHECK(strcmp(pci_cap_name(PCI_CAP_MSIX), "msix") == 0 &&
                     strcmp(pci_ext_cap_name(PCI_EXT_CAP_AER), "aer") == 0 && strcmp(pci_cap_name(0x30), "?") == 0 &&
                     strcmp(pci_pcie_type_name(4), "root port") == 0 && strcmp(pci_virtio_cfg_name(2), "notify") == 0 &&
                     strcmp(pci_virtio_cfg_name(7), "?") == 0,
                 "short names");
    }

    HT_CASE("format-bounds")
    {
        struct pci_sim *s = sim_new(0xFF);
        topo_pc(s);
        enumerate(s, MAXDEV);
        char full[PCI_FORMAT_MAX];
        size_t len = pci_format_device(&devs[6], full, sizeof full);
        HT_CHECK(len == strlen(full) && len > 100, "length %zu", len);
        HT_CHECK(pci_format_device(&devs[6], NULL, 0) == len, "NULL buffer measures");
        int ok = 1;
        for (size_t n = 1; n <= len + 1; n++) {
            char *b = malloc(n); /* exact size, so ASan sees any overrun */
            ok &= pci_format_device(&devs[6], b, n) == len && strlen(b) == (n <= len ? n - 1 : len) &&
                  strncmp(b, full, strlen(b)) == 0;
            free(b);
        }
        HT_CHECK(ok, "every truncation");
        char tiny[1] = {'x'};
        HT_CHECK(pci_format_device(&devs[6], tiny, 1) == len && tiny[0] == 0, "n == 1");
        HT_CHECK(pci_format_device(NULL, full, sizeof full) == strlen(full), "NULL device");

        /* A device of a known vendor with an unknown ID, flags, an unknown capability. */
        struct pci_device d = devs[5];
        d.device_id = 0xBEEF, d.flags = PCI_DEV_CAPS_BROKEN | PCI_DEV_BRIDGE_SKIPPED, d.irq_pin = 7, d.irq_line = 0xFF;
        d.cap_count = 1, d.caps[0] = (pci_cap_t){0x33, 0x40, false};
        pci_format_device(&d, full, sizeof full);
        HT_CHECK(strstr(full, "\"Intel device\" irq ? pin?") && strstr(full, "caps cap33@40") &&
                     strstr(full, "problems: caps-broken bridge-not-followed"),
                 "%s", full);

        /* The longest line the structure allows stays within PCI_FORMAT_MAX. */
        memset(&d, 0, sizeof d);
        d.segment = 0xFFFF, d.bus = d.dev = 0xFF, d.fn = 7, d.header_type = PCI_HEADER_DEVICE, d.bar_count = 6;
        d.class_code = 0x01, d.subclass = 0x01, d.prog_if = 0x8A, d.irq_pin = 1, d.irq_line = 254;
        d.vendor_id = 0x1AF4, d.device_id = 0x1005;
        for (unsigned i = 0; i < 6; i++)
            d.bars[i] = (pci_bar_t){0xFFFFFFF0, 1ull << 30, PCI_BAR_MEM32, true};
        d.rom_base = 0xFFFFF800, d.rom_size = 2048, d.rom_enabled = true;
        d.msi = (pci_msi_t){0xF0, true, true, 32};
        d.cap_count = PCI_MAX_CAPS, d.virtio_count = PCI_MAX_VIRTIO_CAPS;
        for (unsigned i = 0; i < PCI_MAX_CAPS; i++)
            d.caps[i] = (pci_cap_t){PCI_CAP_VENDOR, (uint16_t)(0x40 + 4 * i), false};
        for (unsigned i = 0; i < PCI_MAX_VIRTIO_CAPS; i++)
            d.virtio[i] = (pci_virtio_cap_t){
                (uint8_t)(0x40 + 4 * i), PCI_VIRTIO_NOTIFY_CFG, 5, 0, UINT64_MAX, UINT64_MAX, UINT32_MAX};
        d.caps[15] = (pci_cap_t){PCI_CAP_MSI, 0xF0, false};
        d.flags = 0x3F;
        len = pci_format_device(&d, NULL, 0);
        HT_CHECK(len < PCI_FORMAT_MAX, "longest line %zu", len);
        printf("  longest line: %zu characters\n", len);
        sim_free(s);
    }
}

static int write_seeds(const char *dir)
{
    struct pci_sim *s = sim_new(0xFFF);
    static uint8_t buf[1 << 16];
    struct {
        const char *name;
        void (*build)(struct pci_sim *);
        uint16_t max_offset;
        uint8_t max_sel;
    } seeds[] = {
        {"q35-ecam", topo_q35, 0xFFF, 0},
        {"q35-legacy", topo_q35, 0xFF, 0},
        {"pc", topo_pc, 0xFF, 0},
        {"pc-small-array", topo_pc, 0xFF, 3},
    };
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        sim_reset(s);
        s->max_offset = seeds[i].max_offset;
        seeds[i].build(s);
        size_t n = sim_save(s, seeds[i].max_sel, 0, 255, buf, sizeof buf);
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, seeds[i].name);
        FILE *fp = fopen(path, "wb");
        if (!fp || n > sizeof buf || fwrite(buf, 1, n, fp) != n) {
            fprintf(stderr, "test_pci: cannot write %s\n", path);
            return 1;
        }
        fclose(fp);
    }
    sim_free(s);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--seeds") == 0)
        return write_seeds(argv[2]);
    HT_BEGIN("pci");
    test_q35();
    test_pc();
    test_bridges();
    test_caps();
    test_bars();
    test_api();
    return HT_END();
}
