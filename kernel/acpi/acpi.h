/*
 * ACPI table parsing. Everything here is pure: parsers take a byte buffer
 * and its length, or a phys_reader_fn that maps physical memory, so host
 * tests feed them tables dumped from QEMU and corrupted copies. Tables are
 * untrusted input: every length is checked against the buffer, every
 * checksum verified, and a bad table is rejected (never partially used).
 * Kernel glue (finding the RSDP, logging, the global result): acpi_init.c.
 */
#ifndef ACPI_ACPI_H
#define ACPI_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/boot_info.h"

#define ACPI_MAX_TABLES 48
#define ACPI_MAX_CPUS 256
#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_OVERRIDES 16
#define ACPI_MAX_NMIS 16
#define ACPI_MAX_MCFG 8

struct acpi_header {
    char signature[4];
    uint32_t length;
    uint8_t revision;
    uint8_t checksum;
    char oem_id[6];
    char oem_table_id[8];
    uint32_t oem_revision;
    uint32_t creator_id;
    uint32_t creator_revision;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_header) == 36, "ACPI table header is 36 bytes");

/* True if the `len` bytes at p sum to 0 mod 256. */
bool acpi_checksum_ok(const void *p, size_t len);

/* ---- RSDP ---------------------------------------------------------------- */

struct acpi_rsdp_info {
    uint8_t revision; /* 0 = ACPI 1.0 (RSDT only), 2+ = has an XSDT */
    uint64_t rsdt_phys; /* 0 if none */
    uint64_t xsdt_phys; /* 0 if none (or revision 0) */
    char oem_id[7];
};

/*
 * Parses and checks the RSDP in buf[0..len): signature, the ACPI 1.0
 * checksum, and for revision 2+ the length and extended checksum. Returns
 * NULL or a static message saying what is wrong.
 */
const char *acpi_rsdp_parse(const void *buf, size_t len, struct acpi_rsdp_info *out);

/*
 * Legacy BIOS search: the first KiB of the EBDA (segment at 0x40E), then
 * 0xE0000-0xFFFFF, on 16-byte boundaries. Returns the physical address of
 * the first RSDP whose checksums hold, or 0.
 */
uint64_t acpi_rsdp_scan(phys_reader_fn read);

/* ---- root table ------------------------------------------------------------ */

/*
 * Checks a whole table in buf[0..buflen): header present, 36 <= length <=
 * buflen, checksum, and the signature when `sig` is not NULL.
 */
const char *acpi_table_check(const void *buf, size_t buflen, const char *sig);

struct acpi_table_ref {
    char signature[5];
    uint64_t phys;
    uint32_t length;
};

struct acpi_tables {
    bool xsdt; /* true if the XSDT was used, false for the RSDT */
    uint64_t root_phys;
    uint32_t count; /* validated tables */
    uint32_t rejected; /* entries ignored: unreadable, bad length or checksum */
    struct acpi_table_ref tables[ACPI_MAX_TABLES];
};

/* Receives one line per rejected table (sig may be "????" if unreadable). */
typedef void (*acpi_warn_fn)(const char *sig, uint64_t phys, const char *why);

/*
 * Walks the XSDT (preferred when the RSDP has one and it checks out) or the
 * RSDT, validating every table it lists. Bad tables are reported through
 * `warn` (may be NULL) and left out. Returns NULL, or a message if neither
 * root table is usable.
 */
const char *acpi_tables_scan(const struct acpi_rsdp_info *rsdp, phys_reader_fn read, acpi_warn_fn warn,
                             struct acpi_tables *out);

/* The first validated table with signature `sig`: its bytes (through read) and length, or NULL. */
const void *acpi_tables_find(const struct acpi_tables *t, const char *sig, phys_reader_fn read, size_t *len);

/* ---- MADT ("APIC") ----------------------------------------------------------- */

#define ACPI_MADT_PCAT_COMPAT 1u /* dual 8259s present */
#define ACPI_CPU_ENABLED 1u
#define ACPI_CPU_ONLINE_CAPABLE 2u
/* Interrupt source override / NMI flags (MPS INTI flags). */
#define ACPI_POLARITY_MASK 0x3
#define ACPI_POLARITY_HIGH 0x1
#define ACPI_POLARITY_LOW 0x3
#define ACPI_TRIGGER_MASK 0xC
#define ACPI_TRIGGER_EDGE 0x4
#define ACPI_TRIGGER_LEVEL 0xC

struct acpi_madt {
    uint64_t lapic_addr; /* the 64-bit override when present */
    uint32_t flags;
    uint32_t cpu_count;
    struct {
        uint32_t uid;
        uint32_t apic_id;
        uint32_t flags;
        bool x2apic; /* from a type 9 entry */
    } cpus[ACPI_MAX_CPUS];
    uint32_t ioapic_count;
    struct {
        uint8_t id;
        uint32_t addr;
        uint32_t gsi_base;
    } ioapics[ACPI_MAX_IOAPICS];
    uint32_t override_count;
    struct {
        uint8_t bus;
        uint8_t source; /* ISA IRQ */
        uint32_t gsi;
        uint16_t flags; /* ACPI_POLARITY_* | ACPI_TRIGGER_* (0 = bus default) */
    } overrides[ACPI_MAX_OVERRIDES];
    uint32_t nmi_count; /* LAPIC NMI pins (types 4 and 0xA) */
    struct {
        uint32_t uid; /* 0xFF / 0xFFFFFFFF: all processors */
        uint8_t lint;
        uint16_t flags;
    } nmis[ACPI_MAX_NMIS];
    uint32_t nmi_source_count; /* type 3: NMI wired to an I/O APIC input */
    uint32_t dropped; /* valid entries beyond our array sizes */
};

/*
 * Parses a MADT in buf[0..len) (checked with acpi_table_check first). Every
 * entry must lie inside the table with at least its type's size; a MADT
 * without a single processor entry is rejected too. Unknown entry types are
 * skipped. Returns NULL or a message.
 */
const char *acpi_madt_parse(const void *buf, size_t len, struct acpi_madt *out);

/* ---- HPET, MCFG, FADT ------------------------------------------------------ */

struct acpi_hpet {
    uint64_t addr; /* MMIO base of the event timer block */
    uint8_t number;
    uint16_t min_tick;
    uint32_t block_id; /* vendor, comparator count, ... (the capabilities' low half) */
};
const char *acpi_hpet_parse(const void *buf, size_t len, struct acpi_hpet *out);

struct acpi_mcfg {
    uint32_t count;
    struct {
        uint64_t base;
        uint16_t segment;
        uint8_t bus_start, bus_end;
    } regions[ACPI_MAX_MCFG];
};
const char *acpi_mcfg_parse(const void *buf, size_t len, struct acpi_mcfg *out);

#define ACPI_BOOT_LEGACY_DEVICES 0x0001u
#define ACPI_BOOT_8042 0x0002u
#define ACPI_BOOT_NO_VGA 0x0004u
#define ACPI_BOOT_NO_CMOS_RTC 0x0020u
#define ACPI_FADT_HW_REDUCED (1u << 20)

struct acpi_fadt {
    uint64_t dsdt; /* X_DSDT when present, else DSDT */
    uint16_t sci_irq;
    uint32_t pm_timer_port; /* 0 if none */
    uint8_t century;
    uint16_t boot_arch; /* IA-PC boot architecture flags (ACPI 2.0+, else 0) */
    uint32_t flags;
    bool has_reset; /* reset register supported (flags bit 10) */
    uint8_t reset_space;
    uint64_t reset_addr;
    uint8_t reset_value;
};
const char *acpi_fadt_parse(const void *buf, size_t len, struct acpi_fadt *out);

#endif
