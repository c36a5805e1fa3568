/*
 * The simulated QEMU machines (see pci_topo.h).
 */
#include "pci_topo.h"

void cap_msix(struct sim_fn *f, uint8_t off, uint16_t vectors, uint8_t table_bar, uint32_t table_off, uint8_t pba_bar,
              uint32_t pba_off)
{
    uint16_t ctrl = (uint16_t)(vectors - 1);
    uint32_t t = table_off | table_bar, p = pba_off | pba_bar;
    uint8_t body[10] = {(uint8_t)ctrl,      (uint8_t)(ctrl >> 8), (uint8_t)t, (uint8_t)(t >> 8),
                        (uint8_t)(t >> 16), (uint8_t)(t >> 24),   (uint8_t)p, (uint8_t)(p >> 8),
                        (uint8_t)(p >> 16), (uint8_t)(p >> 24)};
    sim_cap(f, off, PCI_CAP_MSIX, body, sizeof body);
}

void cap_msi(struct sim_fn *f, uint8_t off, uint16_t control)
{
    uint8_t body[2] = {(uint8_t)control, (uint8_t)(control >> 8)};
    sim_cap(f, off, PCI_CAP_MSI, body, sizeof body);
}

void cap_pcie(struct sim_fn *f, uint8_t off, uint8_t version, uint8_t port_type)
{
    uint8_t body[2] = {(uint8_t)(version | port_type << 4), 0};
    sim_cap(f, off, PCI_CAP_PCIE, body, sizeof body);
}

void cap_pm(struct sim_fn *f, uint8_t off)
{
    uint8_t body[6] = {0x03, 0x00, 0x08, 0x00, 0x00, 0x00}; /* version 3, no PME; D0, no soft reset */
    sim_cap(f, off, PCI_CAP_PM, body, sizeof body);
}

void cap_ssvid(struct sim_fn *f, uint8_t off, uint16_t vendor, uint16_t id)
{
    uint8_t body[6] = {0, 0, (uint8_t)vendor, (uint8_t)(vendor >> 8), (uint8_t)id, (uint8_t)(id >> 8)};
    sim_cap(f, off, PCI_CAP_SSVID, body, sizeof body);
}

void cap_virtio(struct sim_fn *f, uint8_t off, uint8_t cfg_type, uint8_t bar, uint32_t offset, uint32_t length,
                uint32_t notify_mult)
{
    uint8_t len = cfg_type == PCI_VIRTIO_NOTIFY_CFG || cfg_type == PCI_VIRTIO_PCI_CFG ? 20 : 16;
    uint8_t body[18] = {len, cfg_type, bar, 0, 0, 0};
    for (int i = 0; i < 4; i++) {
        body[6 + i] = (uint8_t)(offset >> (8 * i));
        body[10 + i] = (uint8_t)(length >> (8 * i));
        body[14 + i] = (uint8_t)(notify_mult >> (8 * i));
    }
    sim_cap(f, off, PCI_CAP_VENDOR, body, cfg_type == PCI_VIRTIO_NOTIFY_CFG ? 18 : 14);
}

void caps_virtio_modern(struct sim_fn *f, uint16_t msix_vectors, uint8_t msix_bar)
{
    cap_msix(f, 0x98, msix_vectors, msix_bar, 0, msix_bar, 0x800);
    cap_virtio(f, 0x84, PCI_VIRTIO_PCI_CFG, 0, 0, 0, 0);
    cap_virtio(f, 0x70, PCI_VIRTIO_NOTIFY_CFG, 4, 0x3000, 0x1000, 4);
    cap_virtio(f, 0x60, PCI_VIRTIO_DEVICE_CFG, 4, 0x2000, 0x1000, 0);
    cap_virtio(f, 0x50, PCI_VIRTIO_ISR_CFG, 4, 0x1000, 0x1000, 0);
    cap_virtio(f, 0x40, PCI_VIRTIO_COMMON_CFG, 4, 0x0000, 0x1000, 0);
}

static void command(struct sim_fn *f, uint16_t cmd)
{
    sim_w16(f, PCI_CFG_COMMAND, cmd);
}

void topo_q35(struct pci_sim *s)
{
    struct sim_fn *f;
    f = sim_add(s, 0, 0x00, 0, 0x8086, 0x29C0, 0x060000, 0x00, 0x00);
    sim_subsys(f, 0x1AF4, 0x1100);

    f = sim_add(s, 0, 0x01, 0, 0x1234, 0x1111, 0x030000, 0x02, 0x00);
    sim_subsys(f, 0x1AF4, 0x1100);
    sim_bar(f, 0, SIM_MEM32 | SIM_PREF, 0xFD000000, 16 << 20);
    sim_bar(f, 2, SIM_MEM32, 0xFEBD4000, 4096);
    sim_rom(f, 0xFEBC0000, 64 << 10);
    command(f, 0x0003);

    f = sim_add(s, 0, 0x02, 0, 0x8086, 0x10D3, 0x020000, 0x00, 0x00);
    sim_subsys(f, 0x8086, 0x0000);
    sim_irq(f, 10, 1);
    sim_bar(f, 0, SIM_MEM32, 0xFEB80000, 128 << 10);
    sim_bar(f, 1, SIM_MEM32, 0xFEBA0000, 128 << 10);
    sim_bar(f, 2, SIM_IO, 0xC000, 32);
    sim_bar(f, 3, SIM_MEM32, 0xFEBD0000, 16 << 10);
    sim_rom(f, 0xFEB40000, 256 << 10);
    cap_pm(f, 0xC8);
    cap_msi(f, 0xD0, 0x0080); /* 64-bit, 1 vector */
    cap_pcie(f, 0xE0, 1, PCI_PCIE_ENDPOINT);
    cap_msix(f, 0xA0, 5, 3, 0x0000, 3, 0x2000);
    sim_ext_cap(f, 0x100, PCI_EXT_CAP_AER);
    sim_ext_cap(f, 0x140, PCI_EXT_CAP_DSN);
    command(f, 0x0107);

    f = sim_add(s, 0, 0x03, 0, 0x1AF4, 0x1042, 0x010000, 0x01, 0x00);
    sim_subsys(f, 0x1AF4, 0x1100);
    sim_irq(f, 11, 1);
    sim_bar(f, 1, SIM_MEM32, 0xFEBD5000, 4096);
    sim_bar(f, 4, SIM_MEM64 | SIM_PREF, 0xFE000000, 16 << 10);
    caps_virtio_modern(f, 2, 1);
    command(f, 0x0007);

    for (uint8_t fn = 0; fn < 2; fn++) {
        f = sim_add(s, 0, 0x1C, fn, 0x1B36, 0x000C, 0x060400, 0x00, fn == 0 ? 0x81 : 0x01);
        sim_bridge(f, 0, (uint8_t)(1 + fn), (uint8_t)(1 + fn));
        sim_irq(f, 10, 1);
        sim_bar(f, 0, SIM_MEM32, 0xFEBD6000 + 0x1000u * fn, 4096);
        cap_pcie(f, 0x54, 2, PCI_PCIE_ROOT_PORT);
        cap_msix(f, 0x48, 1, 0, 0x0000, 0, 0x0800);
        cap_ssvid(f, 0x40, 0x1B36, 0x0000);
        sim_ext_cap(f, 0x100, PCI_EXT_CAP_AER);
        command(f, 0x0107);
    }

    f = sim_add(s, 0, 0x1F, 0, 0x8086, 0x2918, 0x060100, 0x02, 0x80);
    sim_subsys(f, 0x1AF4, 0x1100);
    uint8_t lpc_vendor[10] = {0x0C, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    sim_cap(f, 0xE0, PCI_CAP_VENDOR, lpc_vendor, sizeof lpc_vendor); /* Intel's feature-detection capability */
    command(f, 0x0007);

    f = sim_add(s, 0, 0x1F, 2, 0x8086, 0x2922, 0x010601, 0x02, 0x00);
    sim_subsys(f, 0x1AF4, 0x1100);
    sim_irq(f, 10, 1);
    sim_bar(f, 4, SIM_IO, 0xC020, 32);
    sim_bar(f, 5, SIM_MEM32, 0xFEBD8000, 4096);
    cap_msi(f, 0x80, 0x0000);
    uint8_t sata[6] = {0x10, 0x00, 0x48, 0x00, 0x00, 0x00}; /* revision 1.0, BAR location 0x48 */
    sim_cap(f, 0xA8, PCI_CAP_SATA, sata, sizeof sata);
    command(f, 0x0407);

    f = sim_add(s, 0, 0x1F, 3, 0x8086, 0x2930, 0x0C0500, 0x02, 0x00);
    sim_subsys(f, 0x1AF4, 0x1100);
    sim_irq(f, 10, 1);
    sim_bar(f, 4, SIM_IO, 0x0700, 64);
    command(f, 0x0003);

    f = sim_add(s, 1, 0x00, 0, 0x1B36, 0x0010, 0x010802, 0x02, 0x00);
    sim_subsys(f, 0x1AF4, 0x1100);
    sim_irq(f, 10, 1);
    sim_bar(f, 0, SIM_MEM64, 0xFE800000, 16 << 10);
    cap_pcie(f, 0x80, 2, PCI_PCIE_ENDPOINT);
    cap_msix(f, 0x60, 65, 0, 0x2000, 0, 0x3000);
    cap_pm(f, 0x40);
    command(f, 0x0506);

    f = sim_add(s, 2, 0x00, 0, 0x1B36, 0x000D, 0x0C0330, 0x01, 0x00);
    sim_subsys(f, 0x1AF4, 0x1100);
    sim_irq(f, 11, 1);
    sim_bar(f, 0, SIM_MEM64, 0xFE600000, 16 << 10);
    cap_msix(f, 0x90, 16, 0, 0x3000, 0, 0x3800);
    cap_pcie(f, 0xA0, 2, PCI_PCIE_ENDPOINT);
    command(f, 0x0506);
}

void topo_pc(struct pci_sim *s)
{
    struct sim_fn *f;
    f = sim_add(s, 0, 0, 0, 0x8086, 0x1237, 0x060000, 0x02, 0x00);
    sim_subsys(f, 0x1AF4, 0x1100);
    command(f, 0x0006);

    f = sim_add(s, 0, 1, 0, 0x8086, 0x7000, 0x060100, 0x00, 0x80);
    sim_subsys(f, 0x1AF4, 0x1100);
    command(f, 0x0007);

    f = sim_add(s, 0, 1, 1, 0x8086, 0x7010, 0x010180, 0x00, 0x00);
    sim_subsys(f, 0x1AF4, 0x1100);
    sim_bar(f, 4, SIM_IO, 0xC0C0, 16);
    command(f, 0x0007);

    f = sim_add(s, 0, 1, 3, 0x8086, 0x7113, 0x068000, 0x03, 0x00);
    sim_subsys(f, 0x1AF4, 0x1100);
    sim_irq(f, 9, 1);
    command(f, 0x0001);

    f = sim_add(s, 0, 2, 0, 0x1234, 0x1111, 0x030000, 0x02, 0x00);
    sim_subsys(f, 0x1AF4, 0x1100);
    sim_bar(f, 0, SIM_MEM32 | SIM_PREF, 0xFD000000, 16 << 20);
    sim_bar(f, 2, SIM_MEM32, 0xFEBF0000, 4096);
    sim_rom(f, 0xFEBE0000, 64 << 10);
    command(f, 0x0003);

    f = sim_add(s, 0, 3, 0, 0x8086, 0x100E, 0x020000, 0x03, 0x00);
    sim_subsys(f, 0x1AF4, 0x1100);
    sim_irq(f, 11, 1);
    sim_bar(f, 0, SIM_MEM32, 0xFEBC0000, 128 << 10);
    sim_bar(f, 1, SIM_IO, 0xC080, 64);
    sim_rom(f, 0xFEB80000, 256 << 10);
    command(f, 0x0107);

    f = sim_add(s, 0, 4, 0, 0x1AF4, 0x1001, 0x010000, 0x00, 0x00);
    sim_subsys(f, 0x1AF4, 0x0002);
    sim_irq(f, 10, 1);
    sim_bar(f, 0, SIM_IO, 0xC000, 0x80);
    sim_bar(f, 1, SIM_MEM32, 0xFEBF1000, 4096);
    sim_bar(f, 4, SIM_MEM64 | SIM_PREF, 0xFE000000, 16 << 10);
    caps_virtio_modern(f, 2, 1);
    command(f, 0x0007);
}
