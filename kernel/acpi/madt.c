/* ACPI: the MADT ("APIC"), the interrupt controllers and CPUs. Pure. */
#include "acpi/acpi.h"

#include "lib/bytes.h"
#include "lib/string.h"

/* Minimum size of each entry type we read; 0 = unknown type (skipped). */
static uint8_t entry_min_size(uint8_t type)
{
    switch (type) {
    case 0: return 8; /* processor local APIC */
    case 1: return 12; /* I/O APIC */
    case 2: return 10; /* interrupt source override */
    case 3: return 8; /* NMI source */
    case 4: return 6; /* local APIC NMI */
    case 5: return 12; /* local APIC address override */
    case 9: return 16; /* processor local x2APIC */
    case 10: return 12; /* local x2APIC NMI */
    default: return 0;
    }
}

static void add_cpu(struct acpi_madt *m, uint32_t uid, uint32_t apic_id, uint32_t flags, bool x2)
{
    if (m->cpu_count == ACPI_MAX_CPUS) {
        m->dropped++;
        return;
    }
    m->cpus[m->cpu_count].uid = uid;
    m->cpus[m->cpu_count].apic_id = apic_id;
    m->cpus[m->cpu_count].flags = flags;
    m->cpus[m->cpu_count].x2apic = x2;
    m->cpu_count++;
}

static void add_nmi(struct acpi_madt *m, uint32_t uid, uint8_t lint, uint16_t flags)
{
    if (m->nmi_count == ACPI_MAX_NMIS) {
        m->dropped++;
        return;
    }
    m->nmis[m->nmi_count].uid = uid;
    m->nmis[m->nmi_count].lint = lint;
    m->nmis[m->nmi_count].flags = flags;
    m->nmi_count++;
}

static void add_entry(struct acpi_madt *m, const uint8_t *e)
{
    switch (e[0]) {
    case 0: add_cpu(m, e[2], e[3], rd32(e + 4), false); break;
    case 1:
        if (m->ioapic_count == ACPI_MAX_IOAPICS) {
            m->dropped++;
            break;
        }
        m->ioapics[m->ioapic_count].id = e[2];
        m->ioapics[m->ioapic_count].addr = rd32(e + 4);
        m->ioapics[m->ioapic_count].gsi_base = rd32(e + 8);
        m->ioapic_count++;
        break;
    case 2:
        if (m->override_count == ACPI_MAX_OVERRIDES) {
            m->dropped++;
            break;
        }
        m->overrides[m->override_count].bus = e[2];
        m->overrides[m->override_count].source = e[3];
        m->overrides[m->override_count].gsi = rd32(e + 4);
        m->overrides[m->override_count].flags = rd16(e + 8);
        m->override_count++;
        break;
    case 3: m->nmi_source_count++; break;
    case 4: add_nmi(m, e[2] == 0xFF ? 0xFFFFFFFFu : e[2], e[5], rd16(e + 3)); break;
    case 5: m->lapic_addr = rd64(e + 4); break;
    case 9: add_cpu(m, rd32(e + 12), rd32(e + 4), rd32(e + 8), true); break;
    case 10: add_nmi(m, rd32(e + 4), e[8], rd16(e + 2)); break;
    }
}

const char *acpi_madt_parse(const void *buf, size_t len, struct acpi_madt *out)
{
    const char *err = acpi_table_check(buf, len, "APIC");
    if (err)
        return err;
    const uint8_t *t = buf;
    uint32_t length = ((const struct acpi_header *)buf)->length;
    if (length < 44)
        return "MADT shorter than its fixed fields";
    memset(out, 0, sizeof *out);
    out->lapic_addr = rd32(t + 36);
    out->flags = rd32(t + 40);
    for (uint32_t off = 44; off < length;) {
        if (length - off < 2)
            return "MADT entry header runs past the table";
        const uint8_t *e = t + off;
        uint8_t elen = e[1];
        if (elen < 2)
            return "MADT entry with a length below 2";
        if (elen > length - off)
            return "MADT entry runs past the table";
        uint8_t min = entry_min_size(e[0]);
        if (min && elen < min)
            return "MADT entry shorter than its type requires";
        add_entry(out, e);
        off += elen;
    }
    if (out->cpu_count == 0)
        return "MADT lists no processor";
    return NULL;
}
