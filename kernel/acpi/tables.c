/* ACPI: the RSDP, the root table (XSDT or RSDT) and table validation. Pure. */
#include "acpi/acpi.h"

#include "lib/bytes.h"
#include "lib/string.h"

bool acpi_checksum_ok(const void *p, size_t len)
{
    const uint8_t *b = p;
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum += b[i];
    return sum == 0;
}

const char *acpi_rsdp_parse(const void *buf, size_t len, struct acpi_rsdp_info *out)
{
    const uint8_t *b = buf;
    if (!b || len < 20)
        return "RSDP shorter than 20 bytes";
    if (memcmp(b, "RSD PTR ", 8) != 0)
        return "RSDP signature missing";
    if (!acpi_checksum_ok(b, 20))
        return "RSDP checksum mismatch";
    memset(out, 0, sizeof *out);
    out->revision = b[15];
    memcpy(out->oem_id, b + 9, 6);
    out->rsdt_phys = rd32(b + 16);
    if (out->revision >= 2) {
        if (len < 36)
            return "ACPI 2.0 RSDP shorter than 36 bytes";
        uint32_t length = rd32(b + 20);
        if (length < 36 || length > len)
            return "RSDP length field out of range";
        if (!acpi_checksum_ok(b, length))
            return "RSDP extended checksum mismatch";
        out->xsdt_phys = rd64(b + 24);
    }
    if (!out->rsdt_phys && !out->xsdt_phys)
        return "RSDP points at no root table";
    return NULL;
}

static bool rsdp_at(phys_reader_fn read, uint64_t phys)
{
    const uint8_t *p = read(phys, 20);
    if (!p || memcmp(p, "RSD PTR ", 8) != 0 || !acpi_checksum_ok(p, 20))
        return false;
    if (p[15] >= 2) {
        const uint8_t *q = read(phys, 36);
        struct acpi_rsdp_info info;
        return q && acpi_rsdp_parse(q, 36, &info) == NULL;
    }
    return true;
}

uint64_t acpi_rsdp_scan(phys_reader_fn read)
{
    const uint8_t *bda = read(0x40E, 2);
    if (bda) {
        uint64_t ebda = (uint64_t)(bda[0] | bda[1] << 8) << 4;
        if (ebda >= 0x80000 && ebda < 0xA0000)
            for (uint64_t p = ebda; p < ebda + 1024; p += 16)
                if (rsdp_at(read, p))
                    return p;
    }
    for (uint64_t p = 0xE0000; p < 0x100000; p += 16)
        if (rsdp_at(read, p))
            return p;
    return 0;
}

const char *acpi_table_check(const void *buf, size_t buflen, const char *sig)
{
    const struct acpi_header *h = buf;
    if (!buf || buflen < sizeof *h)
        return "table shorter than its header";
    if (sig && memcmp(h->signature, sig, 4) != 0)
        return "wrong signature";
    if (h->length < sizeof *h)
        return "length field smaller than the header";
    if (h->length > buflen)
        return "length field larger than the table's buffer";
    if (!acpi_checksum_ok(buf, h->length))
        return "checksum mismatch";
    return NULL;
}

/* Maps the whole table at phys through `read` and checks it; NULL + *why on failure. */
static const void *read_table(phys_reader_fn read, uint64_t phys, const char *sig, const char **why)
{
    const struct acpi_header *h = read(phys, sizeof *h);
    if (!h) {
        *why = "header not readable";
        return NULL;
    }
    uint32_t length = h->length;
    if (length < sizeof *h) {
        *why = "length field smaller than the header";
        return NULL;
    }
    const void *t = read(phys, length);
    if (!t) {
        *why = "length runs outside readable memory";
        return NULL;
    }
    *why = acpi_table_check(t, length, sig);
    return *why ? NULL : t;
}

static const char *walk_root(const uint8_t *root, bool xsdt, phys_reader_fn read, acpi_warn_fn warn,
                             struct acpi_tables *out)
{
    uint32_t length = ((const struct acpi_header *)root)->length;
    size_t esize = xsdt ? 8 : 4;
    size_t n = (length - sizeof(struct acpi_header)) / esize;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *e = root + sizeof(struct acpi_header) + i * esize;
        uint64_t phys = xsdt ? rd64(e) : rd32(e);
        const char *why = NULL;
        const struct acpi_header *h = phys ? read_table(read, phys, NULL, &why) : NULL;
        if (!phys)
            why = "null entry";
        if (!h) {
            const struct acpi_header *peek = phys ? read(phys, 4) : NULL;
            char sig[5] = "????";
            if (peek)
                memcpy(sig, peek->signature, 4);
            if (warn)
                warn(sig, phys, why);
            out->rejected++;
            continue;
        }
        if (out->count == ACPI_MAX_TABLES) {
            if (warn)
                warn(h->signature, phys, "too many tables; ignored");
            out->rejected++;
            continue;
        }
        struct acpi_table_ref *r = &out->tables[out->count++];
        memcpy(r->signature, h->signature, 4);
        r->signature[4] = 0;
        r->phys = phys;
        r->length = h->length;
    }
    return NULL;
}

const char *acpi_tables_scan(const struct acpi_rsdp_info *rsdp, phys_reader_fn read, acpi_warn_fn warn,
                             struct acpi_tables *out)
{
    memset(out, 0, sizeof *out);
    const char *why = NULL;
    if (rsdp->revision >= 2 && rsdp->xsdt_phys) {
        const uint8_t *x = read_table(read, rsdp->xsdt_phys, "XSDT", &why);
        if (x) {
            out->xsdt = true;
            out->root_phys = rsdp->xsdt_phys;
            return walk_root(x, true, read, warn, out);
        }
        if (warn)
            warn("XSDT", rsdp->xsdt_phys, why);
    }
    if (!rsdp->rsdt_phys)
        return "no usable root table (XSDT bad, no RSDT)";
    const uint8_t *r = read_table(read, rsdp->rsdt_phys, "RSDT", &why);
    if (!r) {
        if (warn)
            warn("RSDT", rsdp->rsdt_phys, why);
        return "no usable root table";
    }
    out->root_phys = rsdp->rsdt_phys;
    return walk_root(r, false, read, warn, out);
}

const void *acpi_tables_find(const struct acpi_tables *t, const char *sig, phys_reader_fn read, size_t *len)
{
    for (uint32_t i = 0; i < t->count; i++) {
        if (memcmp(t->tables[i].signature, sig, 4) != 0)
            continue;
        const void *p = read(t->tables[i].phys, t->tables[i].length);
        /* Re-check: the memory could have changed since the scan. */
        if (p && !acpi_table_check(p, t->tables[i].length, sig)) {
            *len = t->tables[i].length;
            return p;
        }
    }
    return NULL;
}
