/*
 * I/O APICs: every global system interrupt (GSI) the MADT describes, masked
 * at boot; routing of a GSI or an ISA IRQ (through the MADT's interrupt
 * source overrides, honouring their polarity and trigger mode) to a vector
 * on one CPU. This is the API the capability layer's IRQ objects will use.
 */
#ifndef ARCH_IOAPIC_H
#define ARCH_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include <mnos/errors.h>

/* Polarity/trigger for ioapic_route_gsi (ACPI_POLARITY_* | ACPI_TRIGGER_* bits; 0 = edge, high). */
#define IOAPIC_EDGE_HIGH 0x0
#define IOAPIC_LEVEL_LOW 0xF

/* Finds and masks every I/O APIC of the MADT. Logs and does nothing without one. */
void ioapic_init(void);

/* True if at least one I/O APIC was found. */
bool ioapic_present(void);

/* Number of GSIs the I/O APICs handle (highest GSI + 1). */
uint32_t ioapic_gsi_count(void);

/*
 * Routes `gsi` to `vector` on the CPU with APIC ID `apic_id`, fixed delivery,
 * with ACPI-style `flags` (polarity in bits 0-1, trigger in bits 2-3; 0 =
 * bus default, taken as edge / active high) and leaves it masked. Returns 0,
 * MN_ERR_NOT_FOUND (no I/O APIC handles the GSI) or MN_ERR_BAD_ARG (vector
 * below 0x20, or an APIC ID above 255, which needs interrupt remapping).
 */
int ioapic_route_gsi(uint32_t gsi, uint8_t vector, uint32_t apic_id, uint16_t flags);

/*
 * Routes ISA IRQ `irq` (0-15) through the MADT's overrides (so IRQ 0 lands
 * on GSI 2 where the firmware says so, with the override's polarity and
 * trigger) and leaves it masked. Returns the GSI used (>= 0), MN_ERR_BAD_ARG
 * for irq > 15, or ioapic_route_gsi's errors.
 */
int ioapic_route_isa(uint8_t irq, uint8_t vector, uint32_t apic_id);

/*
 * Reads `gsi`'s redirection entry into *rte (raw 64-bit format: vector in
 * bits 0-7, active-low bit 13, level bit 15, mask bit 16, destination in
 * 56-63), for diagnostics and tests. Returns false for an unknown GSI.
 */
bool ioapic_read_route(uint32_t gsi, uint64_t *rte);

/* Masks / unmasks one GSI's redirection entry (no-op for unknown GSIs). */
void ioapic_mask(uint32_t gsi);
void ioapic_unmask(uint32_t gsi);

/*
 * End of interrupt for a routed GSI: the LAPIC EOI (which the IRQ dispatcher
 * already sends after the handler) broadcasts to the I/O APICs, so this only
 * exists for callers that acknowledge outside the dispatcher (e.g. a
 * userspace driver re-arming a level-triggered line after unmask).
 */
void ioapic_eoi(uint32_t gsi);

#endif
