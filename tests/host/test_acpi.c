/*
 * Host tests of the ACPI parsers (kernel/acpi/) on real tables dumped from
 * QEMU (tests/data/acpi/{q35,pc,microvm}/, see undump.py) and on corrupted
 * copies (tests/data/acpi/corrupt/, see mkcorrupt.py): good tables parse to
 * the counts QEMU builds, bad ones are rejected, never half-used.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acpi/acpi.h"
#include "host_test.h"

#define DATA "tests/data/acpi/"

struct blob {
    uint8_t *data;
    size_t len;
};

static struct blob load(const char *path)
{
    struct blob b = {NULL, 0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return b;
    fseek(f, 0, SEEK_END);
    b.len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    b.data = malloc(b.len ? b.len : 1);
    if (fread(b.data, 1, b.len, f) != b.len)
        b.len = 0;
    fclose(f);
    return b;
}

/* ---- fake physical memory: the dumped tables at their original addresses ---- */

#define MAX_REGIONS 16
static struct {
    uint64_t phys;
    struct blob b;
} regions[MAX_REGIONS];
static int region_count;

static void mem_reset(void)
{
    for (int i = 0; i < region_count; i++)
        free(regions[i].b.data);
    region_count = 0;
}

static void mem_add(uint64_t phys, struct blob b)
{
    if (region_count < MAX_REGIONS) {
        regions[region_count].phys = phys;
        regions[region_count].b = b;
        region_count++;
    }
}

/* phys_reader_fn: only ranges wholly inside one placed table are readable. */
static const void *mem_read(uint64_t phys, size_t len)
{
    for (int i = 0; i < region_count; i++) {
        uint64_t base = regions[i].phys;
        if (phys >= base && phys - base <= regions[i].b.len && len <= regions[i].b.len - (phys - base))
            return regions[i].b.data + (phys - base);
    }
    return NULL;
}

/* Loads <dir>/layout.txt and every table it names into fake memory. */
static int mem_load_machine(const char *machine, uint64_t *rsdp_phys)
{
    char path[256], name[16];
    unsigned long long phys;
    unsigned len;
    mem_reset();
    snprintf(path, sizeof path, DATA "%s/layout.txt", machine);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    while (fscanf(f, "%15s %llx %u", name, &phys, &len) == 3) {
        snprintf(path, sizeof path, DATA "%s/%s.bin", machine, name);
        struct blob b = load(path);
        if (b.len != len) {
            fclose(f);
            return 0;
        }
        if (strcmp(name, "RSDP") == 0)
            *rsdp_phys = phys;
        mem_add(phys, b);
    }
    fclose(f);
    return 1;
}

static int warnings;
static void count_warning(const char *sig, uint64_t phys, const char *why)
{
    (void)sig, (void)phys, (void)why;
    warnings++;
}

static const char *parse_file_madt(const char *path, struct acpi_madt *m)
{
    struct blob b = load(path);
    if (!b.data)
        return "missing test file";
    const char *err = acpi_madt_parse(b.data, b.len, m);
    free(b.data);
    return err;
}

struct machine_expect {
    const char *name;
    int xsdt, tables, cpus, ioapics, overrides, hpet, mcfg;
};

static void check_machine(const struct machine_expect *e)
{
    uint64_t rsdp_phys = 0;
    HT_CHECK(mem_load_machine(e->name, &rsdp_phys), "cannot load the %s dump", e->name);
    const void *rp = mem_read(rsdp_phys, 20);
    HT_CHECK(rp, "RSDP not in fake memory");
    if (!rp)
        return;
    struct acpi_rsdp_info rsdp;
    const char *err = acpi_rsdp_parse(rp, e->xsdt ? 36 : 20, &rsdp);
    HT_CHECK(!err, "RSDP rejected: %s", err);
    HT_CHECK(acpi_rsdp_scan(mem_read) == rsdp_phys, "BIOS-area scan did not find the RSDP");
    struct acpi_tables t;
    warnings = 0;
    err = acpi_tables_scan(&rsdp, mem_read, count_warning, &t);
    HT_CHECK(!err, "root table rejected: %s", err);
    HT_CHECK(t.xsdt == (e->xsdt != 0), "wrong root table kind");
    HT_CHECK((int)t.count == e->tables && t.rejected == 0 && warnings == 0, "%u tables, %u rejected", t.count,
             t.rejected);
    size_t len;
    const void *madt = acpi_tables_find(&t, "APIC", mem_read, &len);
    HT_CHECK(madt, "no MADT");
    struct acpi_madt m;
    err = madt ? acpi_madt_parse(madt, len, &m) : "none";
    HT_CHECK(!err, "MADT rejected: %s", err);
    if (!err) {
        HT_CHECK((int)m.cpu_count == e->cpus, "%u CPUs", m.cpu_count);
        HT_CHECK((int)m.ioapic_count == e->ioapics, "%u I/O APICs", m.ioapic_count);
        HT_CHECK((int)m.override_count == e->overrides, "%u overrides", m.override_count);
        HT_CHECK(m.lapic_addr == 0xFEE00000u, "LAPIC at %llx", (unsigned long long)m.lapic_addr);
        HT_CHECK(m.ioapics[0].addr == 0xFEC00000u && m.ioapics[0].gsi_base == 0, "first I/O APIC wrong");
        HT_CHECK(m.nmi_count == 1 && m.nmis[0].lint == 1, "LAPIC NMI not on LINT1");
        for (uint32_t i = 0; i < m.cpu_count; i++)
            HT_CHECK(m.cpus[i].apic_id == i && (m.cpus[i].flags & ACPI_CPU_ENABLED), "CPU %u", i);
        if (e->overrides) {
            HT_CHECK(m.overrides[0].source == 0 && m.overrides[0].gsi == 2, "IRQ0 is not overridden to GSI 2");
            HT_CHECK(m.overrides[1].source == 5 && (m.overrides[1].flags & ACPI_TRIGGER_MASK) == ACPI_TRIGGER_LEVEL &&
                         (m.overrides[1].flags & ACPI_POLARITY_MASK) == ACPI_POLARITY_HIGH,
                     "IRQ5 override is not level, active high");
        }
    }
    const void *hp = acpi_tables_find(&t, "HPET", mem_read, &len);
    HT_CHECK((hp != NULL) == (e->hpet != 0), "HPET presence");
    if (hp) {
        struct acpi_hpet h;
        err = acpi_hpet_parse(hp, len, &h);
        HT_CHECK(!err && h.addr == 0xFED00000u, "HPET: %s", err ? err : "wrong address");
    }
    const void *mc = acpi_tables_find(&t, "MCFG", mem_read, &len);
    HT_CHECK((mc != NULL) == (e->mcfg != 0), "MCFG presence");
    if (mc) {
        struct acpi_mcfg c;
        err = acpi_mcfg_parse(mc, len, &c);
        HT_CHECK(!err && c.count == 1 && c.regions[0].base == 0xB0000000u && c.regions[0].bus_end == 255, "MCFG: %s",
                 err ? err : "wrong region");
    }
    const void *fa = acpi_tables_find(&t, "FACP", mem_read, &len);
    HT_CHECK(fa, "no FADT");
    if (fa) {
        struct acpi_fadt f;
        err = acpi_fadt_parse(fa, len, &f);
        HT_CHECK(!err, "FADT: %s", err);
        HT_CHECK(!err && f.dsdt != 0, "FADT has no DSDT");
        if (strcmp(e->name, "microvm") == 0)
            HT_CHECK(!err && (f.flags & ACPI_FADT_HW_REDUCED), "microvm FADT is not hardware-reduced");
        else
            HT_CHECK(!err && f.sci_irq == 9 && f.pm_timer_port == 0x608, "FADT SCI/PM timer");
    }
}

int main(void)
{
    HT_BEGIN("acpi");
    static const struct machine_expect machines[] = {
        {"q35", 0, 5, 4, 1, 5, 1, 1},
        {"pc", 0, 4, 4, 1, 5, 1, 0},
        {"microvm", 1, 2, 4, 2, 0, 0, 0},
    };
    HT_CASE("q35_tables")
    {
        check_machine(&machines[0]);
    }
    HT_CASE("pc_tables")
    {
        check_machine(&machines[1]);
    }
    HT_CASE("microvm_xsdt")
    {
        check_machine(&machines[2]);
    }

    HT_CASE("corrupt_madt_rejected")
    {
        static const char *const bad[] = {
            "APIC-badsum",         "APIC-truncated",     "APIC-length-over",  "APIC-noentries",
            "APIC-zero-entry-len", "APIC-entry-overrun", "APIC-length-small",
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            char path[128];
            struct acpi_madt m;
            snprintf(path, sizeof path, DATA "corrupt/%s.bin", bad[i]);
            struct blob b = load(path);
            HT_CHECK(b.data, "missing %s", path);
            free(b.data);
            HT_CHECK(parse_file_madt(path, &m) != NULL, "%s was accepted", bad[i]);
        }
        struct acpi_madt m;
        HT_CHECK(parse_file_madt(DATA "q35/APIC.bin", &m) == NULL, "the good MADT was rejected");
    }

    HT_CASE("corrupt_hpet_and_rsdp_rejected")
    {
        struct blob b = load(DATA "corrupt/HPET-badsig.bin");
        struct acpi_hpet h;
        HT_CHECK(b.data && acpi_hpet_parse(b.data, b.len, &h) != NULL, "HPET with a bad signature accepted");
        free(b.data);
        b = load(DATA "corrupt/RSDP-badsum.bin");
        struct acpi_rsdp_info r;
        HT_CHECK(b.data && acpi_rsdp_parse(b.data, b.len, &r) != NULL, "RSDP with a bad checksum accepted");
        free(b.data);
        b = load(DATA "microvm/RSDP.bin");
        HT_CHECK(b.data && acpi_rsdp_parse(b.data, 20, &r) != NULL, "ACPI 2.0 RSDP accepted from 20 bytes");
        free(b.data);
    }

    /* A root table listing a corrupted MADT: the MADT is left out with a warning, the rest stays. */
    HT_CASE("root_skips_bad_table")
    {
        uint64_t rsdp_phys = 0;
        HT_CHECK(mem_load_machine("q35", &rsdp_phys), "cannot load q35");
        for (int i = 0; i < region_count; i++) {
            if (memcmp(regions[i].b.data, "APIC", 4) == 0)
                regions[i].b.data[60] ^= 0x01; /* breaks the checksum */
        }
        struct acpi_rsdp_info rsdp;
        struct acpi_tables t;
        HT_CHECK(acpi_rsdp_parse(mem_read(rsdp_phys, 20), 20, &rsdp) == NULL, "RSDP");
        warnings = 0;
        HT_CHECK(acpi_tables_scan(&rsdp, mem_read, count_warning, &t) == NULL, "scan failed");
        size_t len;
        HT_CHECK(t.count == 4 && t.rejected == 1 && warnings == 1, "count %u rejected %u", t.count, t.rejected);
        HT_CHECK(acpi_tables_find(&t, "APIC", mem_read, &len) == NULL, "bad MADT still listed");
        HT_CHECK(acpi_tables_find(&t, "HPET", mem_read, &len) != NULL, "good HPET lost");
    }

    /* An empty RSDT is valid (zero tables); a root with a bad checksum is not. */
    HT_CASE("root_empty_and_bad")
    {
        uint64_t rsdp_phys = 0;
        HT_CHECK(mem_load_machine("q35", &rsdp_phys), "cannot load q35");
        struct acpi_rsdp_info rsdp;
        HT_CHECK(acpi_rsdp_parse(mem_read(rsdp_phys, 20), 20, &rsdp) == NULL, "RSDP");
        struct blob empty = load(DATA "corrupt/RSDT-empty.bin");
        HT_CHECK(empty.data, "missing RSDT-empty");
        for (int i = 0; i < region_count; i++) {
            if (regions[i].phys == rsdp.rsdt_phys) {
                free(regions[i].b.data);
                regions[i].b = empty;
            }
        }
        struct acpi_tables t;
        HT_CHECK(acpi_tables_scan(&rsdp, mem_read, count_warning, &t) == NULL && t.count == 0, "empty RSDT");
        empty.data[20] ^= 0xFF;
        warnings = 0;
        HT_CHECK(acpi_tables_scan(&rsdp, mem_read, count_warning, &t) != NULL && warnings == 1,
                 "RSDT with a bad checksum accepted");
    }

    /* The XSDT wins over the RSDT; a bad XSDT falls back to the RSDT. */
    HT_CASE("xsdt_preferred_then_rsdt")
    {
        uint64_t rsdp_phys = 0;
        HT_CHECK(mem_load_machine("microvm", &rsdp_phys), "cannot load microvm");
        struct acpi_rsdp_info rsdp;
        HT_CHECK(acpi_rsdp_parse(mem_read(rsdp_phys, 36), 36, &rsdp) == NULL, "RSDP");
        struct acpi_tables t;
        HT_CHECK(acpi_tables_scan(&rsdp, mem_read, NULL, &t) == NULL && t.xsdt, "XSDT not used");
        /* Build an RSDT from the XSDT's entries (4-byte pointers) at a free address. */
        const uint8_t *x = mem_read(rsdp.xsdt_phys, 36);
        uint32_t xlen;
        memcpy(&xlen, x + 4, 4);
        x = mem_read(rsdp.xsdt_phys, xlen);
        uint32_t n = (xlen - 36) / 8, rlen = 36 + 4 * n;
        struct blob r = {calloc(1, rlen), rlen};
        memcpy(r.data, x, 36);
        memcpy(r.data, "RSDT", 4);
        memcpy(r.data + 4, &rlen, 4);
        for (uint32_t i = 0; i < n; i++) {
            uint64_t p;
            memcpy(&p, x + 36 + 8 * i, 8);
            uint32_t p32 = (uint32_t)p;
            memcpy(r.data + 36 + 4 * i, &p32, 4);
        }
        uint8_t sum = 0;
        r.data[9] = 0;
        for (uint32_t i = 0; i < rlen; i++)
            sum += r.data[i];
        r.data[9] = (uint8_t)-sum;
        mem_add(0x7000, r);
        rsdp.rsdt_phys = 0x7000;
        ((uint8_t *)mem_read(rsdp.xsdt_phys, xlen))[40] ^= 0x10; /* corrupt the XSDT */
        warnings = 0;
        HT_CHECK(acpi_tables_scan(&rsdp, mem_read, count_warning, &t) == NULL, "no fallback to the RSDT");
        HT_CHECK(!t.xsdt && t.count == 2 && warnings == 1, "fallback RSDT: xsdt=%d count=%u", t.xsdt, t.count);
    }
    /* x2APIC entries (types 9, 10) and the 64-bit LAPIC address override (5), which QEMU's tables lack. */
    HT_CASE("madt_x2apic_synthetic")
    {
        uint8_t t[44 + 16 + 12 + 12] = {0};
        memcpy(t, "APIC", 4);
        uint32_t len = sizeof t, v;
        memcpy(t + 4, &len, 4);
        t[8] = 5;
        v = 0xFEE00000u;
        memcpy(t + 36, &v, 4);
        uint8_t *e = t + 44; /* type 9: x2APIC id 0x100, enabled, uid 7 */
        e[0] = 9, e[1] = 16;
        v = 0x100, memcpy(e + 4, &v, 4);
        v = 1, memcpy(e + 8, &v, 4);
        v = 7, memcpy(e + 12, &v, 4);
        e += 16; /* type 10: x2APIC NMI, all processors, LINT1, edge high */
        e[0] = 10, e[1] = 12;
        e[2] = 5;
        v = 0xFFFFFFFFu, memcpy(e + 4, &v, 4);
        e[8] = 1;
        e += 12; /* type 5: LAPIC at 0xFEE10000 */
        e[0] = 5, e[1] = 12;
        uint64_t a = 0xFEE10000u;
        memcpy(e + 4, &a, 8);
        uint8_t sum = 0;
        for (size_t i = 0; i < sizeof t; i++)
            sum += t[i];
        t[9] = (uint8_t)-sum;
        struct acpi_madt m;
        const char *err = acpi_madt_parse(t, sizeof t, &m);
        HT_CHECK(!err, "synthetic MADT rejected: %s", err);
        HT_CHECK(!err && m.cpu_count == 1 && m.cpus[0].x2apic && m.cpus[0].apic_id == 0x100 && m.cpus[0].uid == 7,
                 "x2APIC processor entry");
        HT_CHECK(!err && m.nmi_count == 1 && m.nmis[0].lint == 1 && m.nmis[0].uid == 0xFFFFFFFFu &&
                     m.nmis[0].flags == 5,
                 "x2APIC NMI entry");
        HT_CHECK(!err && m.lapic_addr == 0xFEE10000u, "LAPIC address override ignored");
        /* The same x2APIC entry cut to 12 bytes must be refused, not half-read. */
        t[44 + 1] = 12;
        t[44 + 12] = 9, t[44 + 13] = 4; /* pad the rest as an unknown 4-byte entry */
        t[9] = 0;
        sum = 0;
        for (size_t i = 0; i < sizeof t; i++)
            sum += t[i];
        t[9] = (uint8_t)-sum;
        HT_CHECK(acpi_madt_parse(t, sizeof t, &m) != NULL, "short x2APIC entry accepted");
    }
    /*
     * Robustness: 20000 random mutations of the real q35/microvm tables (bytes
     * flipped, lengths changed, checksum fixed up so parsing goes past it).
     * Nothing may read outside the buffer (ASan) and every accepted MADT must
     * have consistent counts.
     */
    HT_CASE("mutations_stay_in_bounds")
    {
        static const char *const files[] = {
            DATA "q35/APIC.bin", DATA "microvm/APIC.bin", DATA "q35/HPET.bin",
            DATA "q35/MCFG.bin", DATA "q35/FACP.bin",     DATA "microvm/FACP.bin",
        };
        uint32_t seed = 12345;
        for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
            struct blob b = load(files[f]);
            HT_CHECK(b.data, "missing %s", files[f]);
            if (!b.data)
                continue;
            for (int round = 0; round < 20000 / 6; round++) {
                size_t n = b.len;
                uint8_t *t = malloc(n);
                memcpy(t, b.data, n);
                for (int k = 0; k < 4; k++) {
                    seed = seed * 1103515245u + 12345u;
                    size_t at = (seed >> 8) % n;
                    seed = seed * 1103515245u + 12345u;
                    t[at] = (uint8_t)(seed >> 16);
                }
                if (round & 1) { /* a plausible length field half the time */
                    seed = seed * 1103515245u + 12345u;
                    uint32_t l = 36 + (seed >> 8) % (uint32_t)(n + 8 - 36);
                    memcpy(t + 4, &l, 4);
                }
                uint32_t l;
                memcpy(&l, t + 4, 4);
                uint8_t sum = 0;
                t[9] = 0;
                for (size_t i = 0; i < n && i < l; i++)
                    sum += t[i];
                t[9] = (uint8_t)-sum;
                struct acpi_madt m;
                struct acpi_hpet h;
                struct acpi_mcfg c;
                struct acpi_fadt fa;
                if (!acpi_madt_parse(t, n, &m))
                    HT_CHECK(m.cpu_count >= 1 && m.cpu_count <= ACPI_MAX_CPUS && m.ioapic_count <= ACPI_MAX_IOAPICS &&
                                 m.override_count <= ACPI_MAX_OVERRIDES && m.nmi_count <= ACPI_MAX_NMIS,
                             "inconsistent MADT accepted");
                (void)acpi_hpet_parse(t, n, &h);
                if (!acpi_mcfg_parse(t, n, &c))
                    HT_CHECK(c.count <= ACPI_MAX_MCFG, "MCFG count");
                (void)acpi_fadt_parse(t, n, &fa);
                free(t);
            }
            free(b.data);
        }
    }
    mem_reset();
    return HT_END();
}
