/*
 * Simulated machines for the lib/pci tests, modelled on what QEMU 7.2 shows
 * a guest (IDs, classes, BAR sizes, capability layouts as lspci reports
 * them; addresses as SeaBIOS assigns them), and helpers to build
 * capabilities with real layouts.
 */
#ifndef PCI_TOPO_H
#define PCI_TOPO_H

#include "pci_sim.h"

/*
 * -M q35 -device e1000e -device virtio-blk-pci,disable-legacy=on and two
 * pcie-root-ports (00:1c.0, 00:1c.1) with nvme (01:00.0) and qemu-xhci
 * (02:00.0) behind them: 11 functions. Use with max_offset 0xFFF (ECAM).
 */
void topo_q35(struct pci_sim *s);
#define TOPO_Q35_FUNCTIONS 11

/*
 * -M pc -device e1000 -device virtio-blk-pci (transitional): i440FX, PIIX3
 * ISA/IDE, PIIX4 ACPI, std VGA, e1000, virtio-blk: 7 functions (port I/O).
 */
void topo_pc(struct pci_sim *s);
#define TOPO_PC_FUNCTIONS 7

void cap_msix(struct sim_fn *f, uint8_t off, uint16_t vectors, uint8_t table_bar, uint32_t table_off, uint8_t pba_bar,
              uint32_t pba_off);
void cap_msi(struct sim_fn *f, uint8_t off, uint16_t control);
void cap_pcie(struct sim_fn *f, uint8_t off, uint8_t version, uint8_t port_type);
void cap_pm(struct sim_fn *f, uint8_t off);
void cap_ssvid(struct sim_fn *f, uint8_t off, uint16_t vendor, uint16_t id);
/* A virtio structure capability: 16 bytes, 20 for notify (with the multiplier). */
void cap_virtio(struct sim_fn *f, uint8_t off, uint8_t cfg_type, uint8_t bar, uint32_t offset, uint32_t length,
                uint32_t notify_mult);
/* The five capabilities QEMU gives a modern virtio device, at 0x40-0x84 behind MSI-X at 0x98, BAR 4. */
void caps_virtio_modern(struct sim_fn *f, uint16_t msix_vectors, uint8_t msix_bar);

#endif
