/*
 * Legacy PCI configuration access, mechanism #1 (PCI Local Bus 3.0 3.2.2.3.2):
 * an address dword written to port 0xCF8 selects bus:dev.fn and a register,
 * the data port 0xCFC reads or writes it. It reaches segment 0 and the first
 * 256 bytes of each function only (ECAM from the ACPI MCFG reaches all 4 KiB).
 * The two-port sequence is not atomic: callers serialize every access.
 */
#ifndef ARCH_PCI_IO_H
#define ARCH_PCI_IO_H

#include <stdbool.h>
#include <stdint.h>

/* The first and last port the mechanism uses (0xCF8-0xCFF): no device capability may cover them. */
#define PCI_IO_FIRST_PORT 0xCF8
#define PCI_IO_LAST_PORT 0xCFF

/*
 * True if a host bridge answers at 0xCF8: the enable bit written to the
 * address port reads back (machines without PCI, such as microvm, read all
 * ones). The address port is restored afterwards.
 */
bool pci_io_present(void);

/* The dword at `off` (a multiple of 4, below 256) of bus:dev.fn; all ones for an absent function. */
uint32_t pci_io_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off);

/* Writes the dword at `off` (a multiple of 4, below 256) of bus:dev.fn. */
void pci_io_write32(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off, uint32_t value);

#endif
