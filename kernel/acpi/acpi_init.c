/* ACPI bring-up: locate the tables, parse the ones the kernel uses, log them. */
#include "acpi/system.h"

#include "debug/log.h"
#include "lib/string.h"
#include "mm/hhdm.h"

static struct acpi_system sys;

const struct acpi_system *acpi_system(void)
{
    return &sys;
}

/*
 * phys_reader_fn for the parsers: the HHDM maps all RAM (ACPI tables
 * included); anything else (tables in firmware-reserved holes) is mapped on
 * demand, write-back.
 */
static const void *acpi_read(uint64_t phys, size_t len)
{
    const void *p = hhdm_read(phys, len);
    return p ? p : hhdm_map(phys, len, CACHE_WB);
}

static void warn_table(const char *sig, uint64_t phys, const char *why)
{
    log_warn("acpi: warning: ignoring table %.4s at %lx: %s\n", sig, phys, why);
}

static bool find_rsdp(const struct boot_info *bi)
{
    const char *err = "boot loader passed no RSDP";
    if (bi->rsdp_size) {
        err = acpi_rsdp_parse(bi->rsdp, bi->rsdp_size, &sys.rsdp);
        if (!err) {
            sys.rsdp_phys = bi->rsdp_phys;
            return true;
        }
    }
    log_warn("acpi: %s; scanning the BIOS area\n", err);
    uint64_t phys = acpi_rsdp_scan(acpi_read);
    if (!phys)
        return false;
    const void *p = acpi_read(phys, 36);
    const void *p20 = acpi_read(phys, 20);
    if ((p && !acpi_rsdp_parse(p, 36, &sys.rsdp)) || (p20 && !acpi_rsdp_parse(p20, 20, &sys.rsdp))) {
        sys.rsdp_phys = phys;
        return true;
    }
    return false;
}

static void parse_madt(void)
{
    size_t len;
    const void *t = acpi_tables_find(&sys.tables, "APIC", acpi_read, &len);
    if (!t) {
        log_warn("acpi: no MADT: single CPU, no I/O APIC information\n");
        return;
    }
    const char *err = acpi_madt_parse(t, len, &sys.madt);
    if (err) {
        log_warn("acpi: warning: ignoring MADT: %s\n", err);
        return;
    }
    const struct acpi_madt *m = &sys.madt;
    sys.have_madt = true;
    kprintf("acpi: MADT: LAPIC at %lx, %u CPUs, %u I/O APICs, %u overrides, %u LAPIC NMIs%s\n", m->lapic_addr,
            m->cpu_count, m->ioapic_count, m->override_count, m->nmi_count,
            (m->flags & ACPI_MADT_PCAT_COMPAT) ? ", 8259 PICs present" : "");
    for (uint32_t i = 0; i < m->cpu_count; i++)
        log_debug("acpi:   cpu uid %u apic id %u%s%s\n", m->cpus[i].uid, m->cpus[i].apic_id,
                  m->cpus[i].x2apic ? " (x2APIC)" : "", (m->cpus[i].flags & ACPI_CPU_ENABLED) ? "" : " disabled");
    for (uint32_t i = 0; i < m->ioapic_count; i++)
        kprintf("acpi:   I/O APIC id %u at %x, GSI base %u\n", m->ioapics[i].id, m->ioapics[i].addr,
                m->ioapics[i].gsi_base);
    for (uint32_t i = 0; i < m->override_count; i++)
        kprintf("acpi:   override ISA IRQ %u -> GSI %u, flags %x\n", m->overrides[i].source, m->overrides[i].gsi,
                m->overrides[i].flags);
    for (uint32_t i = 0; i < m->nmi_count; i++)
        log_debug("acpi:   NMI on LINT%u of uid %x, flags %x\n", m->nmis[i].lint, m->nmis[i].uid, m->nmis[i].flags);
    if (m->dropped)
        log_warn("acpi: MADT: %u entries beyond the kernel's limits were dropped\n", m->dropped);
}

static void parse_others(void)
{
    size_t len;
    const char *err;
    const void *t = acpi_tables_find(&sys.tables, "HPET", acpi_read, &len);
    if (t && !(err = acpi_hpet_parse(t, len, &sys.hpet))) {
        sys.have_hpet = true;
        kprintf("acpi: HPET at %lx, block id %x, minimum tick %u\n", sys.hpet.addr, sys.hpet.block_id,
                sys.hpet.min_tick);
    } else if (t) {
        log_warn("acpi: warning: ignoring HPET table: %s\n", err);
    }
    t = acpi_tables_find(&sys.tables, "MCFG", acpi_read, &len);
    if (t && !(err = acpi_mcfg_parse(t, len, &sys.mcfg))) {
        sys.have_mcfg = true;
        for (uint32_t i = 0; i < sys.mcfg.count; i++)
            kprintf("acpi: MCFG: PCIe ECAM at %lx, segment %u, buses %u-%u\n", sys.mcfg.regions[i].base,
                    sys.mcfg.regions[i].segment, sys.mcfg.regions[i].bus_start, sys.mcfg.regions[i].bus_end);
    } else if (t) {
        log_warn("acpi: warning: ignoring MCFG table: %s\n", err);
    }
    t = acpi_tables_find(&sys.tables, "FACP", acpi_read, &len);
    if (t && !(err = acpi_fadt_parse(t, len, &sys.fadt))) {
        sys.have_fadt = true;
        kprintf("acpi: FADT: SCI IRQ %u, PM timer port %x, boot flags %x%s, DSDT at %lx\n", sys.fadt.sci_irq,
                sys.fadt.pm_timer_port, sys.fadt.boot_arch,
                (sys.fadt.flags & ACPI_FADT_HW_REDUCED) ? ", hardware-reduced" : "", sys.fadt.dsdt);
    } else if (t) {
        log_warn("acpi: warning: ignoring FADT: %s\n", err);
    }
}

void acpi_init(const struct boot_info *bi)
{
    if (!find_rsdp(bi)) {
        log_warn("acpi: no RSDP found: no ACPI tables (defaults: one CPU, legacy IRQs)\n");
        return;
    }
    const char *err = acpi_tables_scan(&sys.rsdp, acpi_read, warn_table, &sys.tables);
    if (err) {
        log_warn("acpi: %s\n", err);
        return;
    }
    sys.present = true;
    char list[ACPI_MAX_TABLES * 5 + 1];
    size_t n = 0;
    for (uint32_t i = 0; i < sys.tables.count; i++) {
        memcpy(list + n, sys.tables.tables[i].signature, 4);
        list[n + 4] = ' ';
        n += 5;
    }
    list[n ? n - 1 : 0] = 0;
    kprintf("acpi: RSDP rev %u (OEM %s), %s at %lx: %u tables (%s)%s\n", sys.rsdp.revision, sys.rsdp.oem_id,
            sys.tables.xsdt ? "XSDT" : "RSDT", sys.tables.root_phys, sys.tables.count, list,
            sys.tables.rejected ? ", some rejected" : "");
    parse_madt();
    parse_others();
}

uint32_t acpi_isa_irq_to_gsi(uint8_t irq, uint16_t *flags)
{
    *flags = 0;
    if (!sys.have_madt)
        return irq;
    for (uint32_t i = 0; i < sys.madt.override_count; i++) {
        if (sys.madt.overrides[i].bus == 0 && sys.madt.overrides[i].source == irq) {
            *flags = sys.madt.overrides[i].flags;
            return sys.madt.overrides[i].gsi;
        }
    }
    return irq;
}
