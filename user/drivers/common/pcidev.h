/*
 * pcidev: a PCI function as a Ring 3 program holds it - a PciDevice
 * capability (its configuration space) and one capability per implemented
 * BAR, in BAR order, as the kernel mints them (docs/devices.md: the k-th
 * implemented BAR, a 64-bit one counting once; an IoPort for an I/O BAR,
 * an MmioRegion for a memory BAR; a BAR the kernel would not hand out
 * leaves its place empty).
 *
 * The function is decoded with lib/pci's read-only probe through
 * PCI_CONFIG_READ, so opening it never disturbs the device. Which BAR a
 * capability belongs to is worked out from the BAR registers: a register
 * that reads non-zero is an implemented BAR (an I/O BAR has bit 0 set, a
 * 64-bit or prefetchable one its type bits, an assigned one its address),
 * and each capability's type is checked against the BAR's. The one case
 * this cannot see is a 32-bit non-prefetchable memory BAR the firmware
 * left unassigned (it reads 0): the kernel counts it, so the BARs after it
 * would be misnumbered; pcidev_open refuses the function when a type does
 * not match.
 */
#ifndef DRIVERS_PCIDEV_H
#define DRIVERS_PCIDEV_H

#include <stdbool.h>
#include <stdint.h>

#include "pci/pci.h"

/* Memory BAR i is mapped at PCIDEV_MMIO_BASE + i * PCIDEV_MMIO_WINDOW (nothing else is mapped in the window). */
#define PCIDEV_MMIO_BASE 0x500000000000ull
#define PCIDEV_MMIO_WINDOW (1ull << 30)

struct pcidev {
    uint32_t cfg; /* the PciDevice capability */
    bool writable; /* it has WRITE */
    struct pci_config_ops ops;
    pci_device_t info; /* as pci_probe_readonly decoded it */
    uint32_t bar_cap[PCI_MAX_BARS]; /* the capability of BAR i (0: none given) */
    volatile uint8_t *bar_va[PCI_MAX_BARS]; /* a mapped memory BAR: its first byte (NULL: not mapped) */
    uint64_t bar_bytes[PCI_MAX_BARS]; /* a mapped memory BAR: bytes from bar_va that are mapped */
};

/* Parses "BB:DD.F" (hex) into bus, device, function; MN_ERR_OK or MN_ERR_BAD_ARG. */
int pcidev_parse_location(const char *s, uint8_t *bus, uint8_t *dev, uint8_t *fn);

/*
 * Opens function bus:dev.fn through PciDevice capability `cfg` (READ, and
 * WRITE for pcidev_cfg_write) and its BAR capabilities caps[0..ncaps) (the
 * k-th implemented BAR's in caps[k]; 0 for one not given). Returns
 * MN_ERR_OK; the PCI_CONFIG_READ error; MN_ERR_NOT_FOUND when no function
 * answers; MN_ERR_WRONG_TYPE when a capability is not of its BAR's type.
 */
int pcidev_open(struct pcidev *p, uint32_t cfg, uint8_t bus, uint8_t dev, uint8_t fn, const uint32_t *caps,
                unsigned ncaps);

/*
 * Maps memory BAR `bar` (uncached, writable) into this process ("self";
 * the "allocator" is used to find how much is mapped) and sets bar_va and
 * bar_bytes. Mapping it again does nothing. Returns MN_ERR_OK;
 * MN_ERR_NOT_FOUND when the BAR is not a memory BAR with a capability;
 * or the MAP_MMIO error.
 */
int pcidev_map_bar(struct pcidev *p, unsigned bar);

/* Configuration access through the capability: the value (reads), MN_ERR_OK, or the system call's error. */
int64_t pcidev_cfg_read(const struct pcidev *p, unsigned off, unsigned width);
int pcidev_cfg_write(const struct pcidev *p, unsigned off, uint32_t value, unsigned width);

/* Sets the command-register bits in `set` and clears those in `clear`. MN_ERR_OK or the error. */
int pcidev_command(const struct pcidev *p, uint16_t set, uint16_t clear);

#endif
