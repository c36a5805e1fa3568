/* The kernel's view of the firmware's ACPI tables, found and parsed once at boot. */
#ifndef ACPI_SYSTEM_H
#define ACPI_SYSTEM_H

#include "acpi/acpi.h"
#include "boot/boot_info.h"

struct acpi_system {
    bool present; /* an RSDP and a root table were found */
    uint64_t rsdp_phys; /* 0 when only the boot loader's copy was available */
    struct acpi_rsdp_info rsdp;
    struct acpi_tables tables;
    bool have_madt, have_hpet, have_mcfg, have_fadt;
    struct acpi_madt madt;
    struct acpi_hpet hpet;
    struct acpi_mcfg mcfg;
    struct acpi_fadt fadt;
};

/*
 * Finds the RSDP (the boot loader's copy, else a BIOS-area scan), walks the
 * XSDT/RSDT and parses MADT, HPET, MCFG and FADT, logging "acpi: ..." lines.
 * A bad table is ignored with a warning. Never panics: without ACPI the
 * result says so (present = false) and callers fall back to defaults.
 */
void acpi_init(const struct boot_info *bi);

/* The result of acpi_init (all zero before it). */
const struct acpi_system *acpi_system(void);

/*
 * Looks an ISA IRQ up in the MADT's interrupt source overrides: returns its
 * GSI and sets *flags to the override's polarity/trigger bits (0 = ISA
 * default, i.e. edge, active high). Without an override GSI = irq.
 */
uint32_t acpi_isa_irq_to_gsi(uint8_t irq, uint16_t *flags);

#endif
