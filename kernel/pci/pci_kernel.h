/*
 * The kernel's PCI layer, on top of the portable enumerator in lib/pci:
 *
 *   - configuration access: ECAM through every ACPI MCFG region (mapped
 *     uncached into the HHDM), else legacy port I/O at 0xCF8/0xCFC;
 *   - the device registry: every function found once at boot (pci_init),
 *     its unassigned BARs given addresses (pci_assign.c), printed as the
 *     census, never changed afterwards, so readers need no lock;
 *   - what drivers get: capabilities for a function's configuration space
 *     and BARs (pci_devcaps.c), the configuration-write policy that keeps
 *     BARs, bus numbers and interrupt routing the kernel's (pci_policy.c),
 *     the INTx pin's GSI (pci_intx.c) and MSI-X table programming
 *     (pci_msix.c). The system calls are kernel/syscall/sys_pci.c; the
 *     whole design is docs/devices.md.
 *
 * A PciDevice capability names one function: data0 = PCI_LOCATION(segment,
 * bus, device, function), data1 = 0, no object. A BAR's capability is an
 * IoPort (data0 first port, data1 count) or an MmioRegion (data0 page-
 * aligned physical base, data1 bytes, a whole number of pages).
 */
#ifndef PCI_PCI_KERNEL_H
#define PCI_PCI_KERNEL_H

#include <mnos/caps.h>
#include <stdbool.h>
#include <stdint.h>

#include "pci/pci.h"

struct process;

/* Functions the registry holds; more are counted and reported, not kept. */
#define PCI_REGISTRY_MAX 64

/* The PciDevice capability's data0: segment in bits 31:16, bus 15:8, device 7:3, function 2:0. */
#define PCI_LOCATION(seg, bus, dev, fn) \
    (((uint32_t)(seg) << 16) | ((uint32_t)(bus) << 8) | (((uint32_t)(dev)&31) << 3) | ((uint32_t)(fn)&7))

enum pci_access {
    PCI_ACCESS_NONE, /* no MCFG and nothing at 0xCF8 (e.g. microvm): no PCI */
    PCI_ACCESS_PORT, /* mechanism #1, 256 bytes per function, segment 0 */
    PCI_ACCESS_ECAM, /* memory-mapped, 4096 bytes per function */
};

/* The chipsets whose INTx wiring pci_intx_route knows (there is no AML interpreter to read _PRT). */
enum pci_chipset {
    PCI_CHIPSET_UNKNOWN,
    PCI_CHIPSET_Q35, /* host bridge 8086:29c0, ICH9 LPC at 00:1f.0 */
    PCI_CHIPSET_I440FX, /* host bridge 8086:1237, PIIX3 ISA bridge 8086:7000 */
};

/*
 * Enumerates every function once (after acpi_init: it needs the MCFG), keeps
 * the first PCI_REGISTRY_MAX in the registry and prints the census: one
 * "pci: " line per function (pci_format_device) and the summary
 * "pci: N functions on M buses (ECAM|port I/O)". Never fails: without
 * configuration access it says so and the registry stays empty.
 */
void pci_init(void);

/* ---- the registry (read-only after pci_init) ---------------------------- */

unsigned pci_count(void);

/* The function at `index` (enumeration order: bus by bus, breadth first), or NULL when index >= pci_count(). */
const struct pci_device *pci_get(unsigned index);

/* The index of the first function at or after `start` with these IDs, or MN_ERR_NOT_FOUND. */
int pci_find_id(uint16_t vendor_id, uint16_t device_id, unsigned start);

/* Same for a class code; subclass < 0 matches any subclass. */
int pci_find_class(uint8_t class_code, int subclass, unsigned start);

/* The index of the function at PCI_LOCATION `location`, or MN_ERR_NOT_FOUND. */
int pci_find_location(uint32_t location);

/* PCI_LOCATION of *d. */
uint32_t pci_location(const struct pci_device *d);

enum pci_access pci_access_mode(void);
enum pci_chipset pci_chipset(void);

/* Bytes of configuration space per function: 4096 (ECAM), 256 (port I/O), 0 (none). */
unsigned pci_config_size(void);

/* Buses holding at least one function, and census lines printed (one per registry entry). */
unsigned pci_bus_count(void);
unsigned pci_census_lines(void);

/* ---- configuration access (serialized by one lock) ---------------------- */

/*
 * Reads the `width`-byte (1, 2, 4) register at `off` of *d. Returns
 * MN_ERR_OK with *value; MN_ERR_BAD_ARG for another width, an offset not a
 * multiple of the width or past pci_config_size(), or no configuration
 * access at all.
 */
int pci_cfg_read(const struct pci_device *d, uint16_t off, unsigned width, uint32_t *value);

/* Writes it, unchecked (kernel use): narrow writes keep the RW1C status bits they share a dword with. Errors as
 * pci_cfg_read, and MN_ERR_BAD_ARG for a value wider than `width`. */
int pci_cfg_write(const struct pci_device *d, uint16_t off, unsigned width, uint32_t value);

/*
 * A driver's write (PCI_CONFIG_WRITE): checked against pci_write_policy with
 * the register's current value, then written, both under the configuration
 * lock. Errors as pci_cfg_write, and MN_ERR_NO_RIGHTS (nothing written).
 */
int pci_cfg_write_checked(const struct pci_device *d, uint16_t off, unsigned width, uint32_t value);

/*
 * pci_policy.c: may a driver write `value` to the `width` bytes at `off`,
 * which now read `current`? MN_ERR_OK or MN_ERR_NO_RIGHTS; the rules are in
 * that file's header. Pure: no hardware access.
 */
int pci_write_policy(const struct pci_device *d, uint16_t off, unsigned width, uint32_t value, uint32_t current);

/* ---- BAR addresses ------------------------------------------------------ */

/*
 * pci_assign.c, for pci_init: gives every sized, unassigned (base 0) BAR of
 * the functions on a root bus an address (firmware such as qboot leaves
 * them all unassigned) and writes it, with the function's decoding off
 * meanwhile (it stays as it was: the driver turns it on). Logs what it did
 * and returns how many BARs it assigned.
 */
unsigned pci_assign_bars(struct pci_device *devs, unsigned count);

/* BARs pci_init had to give addresses to (0: the firmware had assigned every one). */
unsigned pci_bars_assigned(void);

/*
 * Is [base, base + size) physical memory the kernel keeps from devices:
 * RAM and firmware memory in the memory map (with any_region: every region
 * the map lists, and the boot framebuffer), the LAPIC, the I/O APICs, the
 * HPET, the ECAM windows? (pci_devcaps.c)
 */
bool pci_memory_reserved(uint64_t base, uint64_t size, bool any_region);

/* ---- device capabilities (pci_devcaps.c) -------------------------------- */

/*
 * The capability BAR `bar` of *d gets, if any: *type MN_CAP_IO_PORT (*base
 * first port, *size ports) or MN_CAP_MMIO_REGION (*base page-aligned, *size
 * whole pages covering the BAR). MN_ERR_NOT_FOUND when the BAR is not
 * implemented, is the upper half of a 64-bit BAR, was not sized, is not
 * assigned (base 0), or overlaps what the kernel keeps: RAM or firmware
 * memory from the memory map, or the ports 0xCF8-0xCFF.
 */
int pci_bar_region(const struct pci_device *d, unsigned bar, uint8_t *type, uint64_t *base, uint64_t *size);

/*
 * Mints the capabilities of registry function `index` into p's CNode,
 * starting at slot first_slot:
 *   first_slot          PciDevice (configuration space; data0 = PCI_LOCATION)
 *   first_slot + 1 + k  the k-th implemented BAR in BAR order (a 64-bit BAR
 *                       counts once): IoPort for an I/O BAR, MmioRegion for
 *                       a memory BAR; left empty when pci_bar_region refuses
 *                       the BAR, so the numbering never shifts
 * and sets *next_slot to the first slot after them. Rights: everything but
 * EXEC (READ and WRITE to use them, GRANT and REVOKE so init can delegate).
 * Every target slot is checked to be empty first. Returns MN_ERR_OK;
 * MN_ERR_NOT_FOUND (no such index); MN_ERR_INVALID_SLOT, MN_ERR_SLOT_OCCUPIED,
 * MN_ERR_NO_MEMORY or MN_ERR_DEAD from the CNode (nothing minted then, unless
 * another thread changed p's CNode meanwhile: then what was minted stays).
 */
int pci_mint_device_caps(struct process *p, unsigned index, uint32_t first_slot, uint32_t *next_slot);

/* ---- interrupts --------------------------------------------------------- */

/*
 * pci_intx.c: the GSI the INTx pin of *d raises and its ACPI-style
 * polarity/trigger flags for irq_line_create_gsi. MN_ERR_NOT_FOUND when the
 * function has no pin, the chipset is not one we know the wiring of, a
 * bridge on the way up is missing from the registry, or the chipset's
 * router has the line disabled.
 */
int pci_intx_route(const struct pci_device *d, uint32_t *gsi, uint16_t *flags);

/*
 * pci_msix.c. pci_msix_check: can entry `entry` of d's MSI-X table be
 * programmed? MN_ERR_OK; MN_ERR_NOT_FOUND (no MSI-X, its table BAR is not
 * one pci_bar_region accepts as an MmioRegion, or the entry lies outside
 * the BAR); MN_ERR_BAD_ARG (entry >= table size).
 * pci_msix_write_entry: after the same checks, writes the entry's message
 * address and data through the table's BAR (mapped uncached here), the
 * entry masked meanwhile if it was not, its vector-control word left as it
 * was; memory decoding is switched on for the write if it was off (and back
 * off after). Errors as pci_msix_check, and MN_ERR_NO_MEMORY (the table
 * cannot be mapped).
 */
int pci_msix_check(const struct pci_device *d, unsigned entry);
int pci_msix_write_entry(const struct pci_device *d, unsigned entry, uint64_t address, uint32_t data);

#endif
