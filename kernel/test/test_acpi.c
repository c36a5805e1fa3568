/*
 * In-kernel ACPI tests: the firmware's tables were found and parsed, and
 * `test=acpi_dump` (manual) hexdumps every table over the serial line for
 * tests/data/acpi/undump.py to turn into the host tests' data files.
 */
#include "acpi/system.h"
#include "debug/log.h"
#include "lib/string.h"
#include "mm/hhdm.h"
#include "test/ktest.h"

KTEST(acpi_tables)
{
    const struct acpi_system *s = acpi_system();
    KTEST_CHECK(s->present, "no ACPI root table found");
    KTEST_CHECK(s->tables.rejected == 0, "the firmware's tables had bad entries");
    KTEST_CHECK(s->tables.count >= 2, "fewer than two ACPI tables");
    KTEST_CHECK(s->have_madt, "no valid MADT");
    KTEST_CHECK(s->madt.cpu_count >= 1 && s->madt.ioapic_count >= 1, "MADT lacks CPUs or an I/O APIC");
    KTEST_CHECK(s->madt.lapic_addr == 0xFEE00000u, "MADT LAPIC address is not the architectural default");
    return NULL;
}

static void dump_bytes(const char *sig, uint64_t phys, const uint8_t *p, size_t len)
{
    kprintf("acpidump: begin %.4s %lx %zu\n", sig, phys, len);
    char line[80];
    static const char hex[] = "0123456789abcdef";
    for (size_t off = 0; off < len; off += 32) {
        size_t n = len - off < 32 ? len - off : 32;
        for (size_t i = 0; i < n; i++) {
            line[2 * i] = hex[p[off + i] >> 4];
            line[2 * i + 1] = hex[p[off + i] & 15];
        }
        line[2 * n] = 0;
        kprintf("acpidump: %s\n", line);
    }
    kprintf("acpidump: end %.4s\n", sig);
}

KTEST_MANUAL(acpi_dump)
{
    const struct acpi_system *s = acpi_system();
    KTEST_CHECK(s->present, "no ACPI tables to dump");
    const uint8_t *rsdp = s->rsdp_phys ? hhdm_read(s->rsdp_phys, s->rsdp.revision >= 2 ? 36 : 20) : NULL;
    if (rsdp)
        dump_bytes("RSDP", s->rsdp_phys, rsdp, s->rsdp.revision >= 2 ? 36 : 20);
    const uint8_t *root = hhdm_read(s->tables.root_phys, 36);
    KTEST_CHECK(root, "root table unreadable");
    uint32_t rlen;
    memcpy(&rlen, root + 4, 4);
    dump_bytes(s->tables.xsdt ? "XSDT" : "RSDT", s->tables.root_phys, hhdm_read(s->tables.root_phys, rlen), rlen);
    for (uint32_t i = 0; i < s->tables.count; i++) {
        const struct acpi_table_ref *t = &s->tables.tables[i];
        dump_bytes(t->signature, t->phys, hhdm_read(t->phys, t->length), t->length);
    }
    return NULL;
}
