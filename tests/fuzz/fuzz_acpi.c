/*
 * libFuzzer target for the ACPI parsers (kernel/acpi/): the input is one
 * table. The checksum is fixed up first so the fuzzer gets past it into the
 * structure checks; then every parser runs on the bytes, and the input is
 * also laid out as fake physical memory behind an RSDP and an RSDT so the
 * root-table walk runs on it too. Seeds: tests/data/acpi/{q35,pc,microvm}/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acpi/acpi.h"

#define TABLE_PHYS 0x10000
#define RSDT_PHYS 0x8000
#define RSDP_PHYS 0xE0000

static uint8_t *mem_table;
static size_t mem_table_len;
static uint8_t rsdt[40];
static uint8_t rsdp[20];

static void fix_checksum(uint8_t *t, size_t n, size_t at)
{
    uint8_t sum = 0;
    t[at] = 0;
    for (size_t i = 0; i < n; i++)
        sum += t[i];
    t[at] = (uint8_t)-sum;
}

static const void *reader(uint64_t phys, size_t len)
{
    struct {
        uint64_t base;
        const uint8_t *p;
        size_t n;
    } r[] = {{TABLE_PHYS, mem_table, mem_table_len}, {RSDT_PHYS, rsdt, sizeof rsdt}, {RSDP_PHYS, rsdp, sizeof rsdp}};
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++)
        if (phys >= r[i].base && phys - r[i].base <= r[i].n && len <= r[i].n - (phys - r[i].base))
            return r[i].p + (phys - r[i].base);
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *t = malloc(size ? size : 1);
    memcpy(t, data, size);
    if (size >= 36) {
        uint32_t len;
        memcpy(&len, t + 4, 4);
        fix_checksum(t, len < size ? len : size, 9);
    }
    struct acpi_madt m;
    struct acpi_hpet h;
    struct acpi_mcfg c;
    struct acpi_fadt f;
    struct acpi_rsdp_info ri;
    if (!acpi_madt_parse(t, size, &m) && (m.cpu_count == 0 || m.cpu_count > ACPI_MAX_CPUS))
        abort();
    (void)acpi_hpet_parse(t, size, &h);
    if (!acpi_mcfg_parse(t, size, &c) && c.count > ACPI_MAX_MCFG)
        abort();
    (void)acpi_fadt_parse(t, size, &f);
    (void)acpi_rsdp_parse(t, size, &ri);

    /* The same bytes as the one table an RSDT lists. */
    mem_table = t;
    mem_table_len = size;
    memset(rsdt, 0, sizeof rsdt);
    memcpy(rsdt, "RSDT", 4);
    uint32_t v = sizeof rsdt;
    memcpy(rsdt + 4, &v, 4);
    v = TABLE_PHYS;
    memcpy(rsdt + 36, &v, 4);
    fix_checksum(rsdt, sizeof rsdt, 9);
    memset(rsdp, 0, sizeof rsdp);
    memcpy(rsdp, "RSD PTR ", 8);
    v = RSDT_PHYS;
    memcpy(rsdp + 16, &v, 4);
    fix_checksum(rsdp, sizeof rsdp, 8);
    struct acpi_rsdp_info info;
    struct acpi_tables tables;
    if (acpi_rsdp_parse(rsdp, sizeof rsdp, &info) || acpi_tables_scan(&info, reader, NULL, &tables))
        abort(); /* the harness's own RSDP/RSDT are valid */
    if (tables.count + tables.rejected != 1)
        abort();
    size_t len;
    const void *p = acpi_tables_find(&tables, "APIC", reader, &len);
    if (p)
        (void)acpi_madt_parse(p, len, &m);
    (void)acpi_rsdp_scan(reader);
    free(t);
    return 0;
}
