/* ACPI: the fixed-layout tables we read — HPET, MCFG and FADT ("FACP"). Pure. */
#include "acpi/acpi.h"

#include "lib/bytes.h"
#include "lib/string.h"

const char *acpi_hpet_parse(const void *buf, size_t len, struct acpi_hpet *out)
{
    const char *err = acpi_table_check(buf, len, "HPET");
    if (err)
        return err;
    const uint8_t *t = buf;
    if (((const struct acpi_header *)buf)->length < 56)
        return "HPET table shorter than 56 bytes";
    memset(out, 0, sizeof *out);
    out->block_id = rd32(t + 36);
    if (t[40] != 0) /* generic address: system memory only */
        return "HPET not in memory space";
    out->addr = rd64(t + 44);
    out->number = t[52];
    out->min_tick = rd16(t + 53);
    if (!out->addr)
        return "HPET address is 0";
    return NULL;
}

const char *acpi_mcfg_parse(const void *buf, size_t len, struct acpi_mcfg *out)
{
    const char *err = acpi_table_check(buf, len, "MCFG");
    if (err)
        return err;
    uint32_t length = ((const struct acpi_header *)buf)->length;
    if (length < 44 || (length - 44) % 16)
        return "MCFG length is not 44 + 16n";
    memset(out, 0, sizeof *out);
    const uint8_t *t = buf;
    for (uint32_t off = 44; off < length && out->count < ACPI_MAX_MCFG; off += 16) {
        const uint8_t *e = t + off;
        out->regions[out->count].base = rd64(e);
        out->regions[out->count].segment = rd16(e + 8);
        out->regions[out->count].bus_start = e[10];
        out->regions[out->count].bus_end = e[11];
        if (e[11] < e[10])
            return "MCFG region ends before it starts";
        out->count++;
    }
    return NULL;
}

const char *acpi_fadt_parse(const void *buf, size_t len, struct acpi_fadt *out)
{
    const char *err = acpi_table_check(buf, len, "FACP");
    if (err)
        return err;
    const uint8_t *t = buf;
    uint32_t length = ((const struct acpi_header *)buf)->length;
    if (length < 116)
        return "FADT shorter than ACPI 1.0's 116 bytes";
    memset(out, 0, sizeof *out);
    out->dsdt = rd32(t + 40);
    out->sci_irq = rd16(t + 46);
    out->pm_timer_port = rd32(t + 76);
    out->century = t[108];
    out->flags = rd32(t + 112);
    if (((const struct acpi_header *)buf)->revision >= 2)
        out->boot_arch = rd16(t + 109);
    if (length >= 129 && (out->flags & (1u << 10))) {
        out->has_reset = true;
        out->reset_space = t[116];
        out->reset_addr = rd64(t + 120);
        out->reset_value = t[128];
    }
    if (length >= 148 && rd64(t + 140))
        out->dsdt = rd64(t + 140);
    return NULL;
}
