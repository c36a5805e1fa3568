/*
 * The census line (pci_format_device): location, IDs, class, name, bridge
 * buses, interrupt, BARs, ROM, capabilities, problems. A tiny bounded
 * writer instead of printf, since the library links without libc.
 */
#include "pci.h"

struct out {
    char *buf;
    size_t n, len; /* len counts every character, stored or not */
};

static void put_c(struct out *o, char c)
{
    if (o->len + 1 < o->n)
        o->buf[o->len] = c;
    o->len++;
}

static void put_s(struct out *o, const char *s)
{
    while (*s)
        put_c(o, *s++);
}

static void put_hex(struct out *o, uint64_t v, unsigned min_digits)
{
    char tmp[16];
    unsigned k = 0;
    do {
        tmp[k++] = "0123456789abcdef"[v & 0xF];
        v >>= 4;
    } while (v && k < sizeof tmp);
    while (k < min_digits && k < sizeof tmp)
        tmp[k++] = '0';
    while (k)
        put_c(o, tmp[--k]);
}

static void put_dec(struct out *o, uint64_t v)
{
    char tmp[20];
    unsigned k = 0;
    do {
        tmp[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v && k < sizeof tmp);
    while (k)
        put_c(o, tmp[--k]);
}

static bool same(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

/* "0x" and the value, as lspci and the kernel log print addresses. */
static void put_addr(struct out *o, uint64_t v)
{
    put_s(o, "0x");
    put_hex(o, v, 1);
}

/* A power-of-two size in the largest unit it fills: 128, 4K, 16M, 2G; "?" when unknown (0). */
static void put_size(struct out *o, uint64_t size)
{
    put_c(o, '[');
    if (size == 0)
        put_c(o, '?');
    else if (size >= (1ull << 30))
        put_dec(o, size >> 30), put_c(o, 'G');
    else if (size >= (1ull << 20))
        put_dec(o, size >> 20), put_c(o, 'M');
    else if (size >= (1ull << 10))
        put_dec(o, size >> 10), put_c(o, 'K');
    else
        put_dec(o, size);
    put_c(o, ']');
}

static void put_bars(struct out *o, const struct pci_device *d)
{
    for (unsigned i = 0; i < d->bar_count && i < PCI_MAX_BARS; i++) {
        const pci_bar_t *b = &d->bars[i];
        if (b->type == PCI_BAR_NONE || b->type == PCI_BAR_MEM64_HIGH)
            continue;
        put_s(o, "; BAR");
        put_dec(o, i);
        put_s(o, b->type == PCI_BAR_IO ? " io " : b->type == PCI_BAR_MEM32 ? " mem32 " : " mem64 ");
        if (b->prefetchable)
            put_s(o, "pref ");
        put_addr(o, b->base);
        put_c(o, ' ');
        put_size(o, b->size);
    }
    if (d->rom_size) {
        put_s(o, "; ROM ");
        put_addr(o, d->rom_base);
        put_c(o, ' ');
        put_size(o, d->rom_size);
        if (d->rom_enabled)
            put_s(o, " enabled");
    }
}

static void put_virtio(struct out *o, const pci_virtio_cap_t *v)
{
    put_s(o, "(");
    put_s(o, pci_virtio_cfg_name(v->cfg_type));
    if (v->cfg_type == PCI_VIRTIO_PCI_CFG) { /* its BAR fields are the access window's, set by the driver */
        put_c(o, ')');
        return;
    }
    put_s(o, " BAR");
    put_dec(o, v->bar);
    put_c(o, '+');
    put_addr(o, v->offset);
    if (v->cfg_type == PCI_VIRTIO_NOTIFY_CFG) {
        put_s(o, " x");
        put_dec(o, v->notify_off_multiplier);
    }
    put_c(o, ')');
}

/* One capability: name@offset, and what was decoded from it. */
static void put_cap(struct out *o, const struct pci_device *d, const pci_cap_t *c)
{
    put_c(o, ' ');
    if (c->extended) {
        const char *name = pci_ext_cap_name(c->id);
        if (name[0] == '?')
            put_s(o, "ecap"), put_hex(o, c->id, 4);
        else
            put_s(o, name);
        put_c(o, '@');
        put_hex(o, c->offset, 2);
        return;
    }
    const char *name = pci_cap_name((uint8_t)c->id);
    const pci_virtio_cap_t *v = NULL;
    for (unsigned i = 0; i < d->virtio_count && i < PCI_MAX_VIRTIO_CAPS; i++)
        if (d->virtio[i].cap == c->offset)
            v = &d->virtio[i];
    if (v)
        put_s(o, "virtio");
    else if (name[0] == '?')
        put_s(o, "cap"), put_hex(o, c->id, 2);
    else
        put_s(o, name);
    put_c(o, '@');
    put_hex(o, c->offset, 2);
    if (v) {
        put_virtio(o, v);
    } else if (c->offset == d->msi.cap) {
        put_c(o, '(');
        put_dec(o, d->msi.vectors);
        put_s(o, " vec");
        if (d->msi.is64)
            put_s(o, " 64-bit");
        if (d->msi.maskable)
            put_s(o, " maskable");
        put_c(o, ')');
    } else if (c->offset == d->msix.cap) {
        put_c(o, '(');
        put_dec(o, d->msix.table_size);
        put_s(o, " vec)");
    } else if (c->offset == d->pcie.cap) {
        put_c(o, '(');
        put_s(o, pci_pcie_type_name(d->pcie.port_type));
        put_c(o, ')');
    }
}

static void put_flags(struct out *o, uint16_t flags)
{
    static const struct {
        uint16_t bit;
        const char *name;
    } names[] = {
        {PCI_DEV_CAPS_BROKEN, " caps-broken"},       {PCI_DEV_CAPS_TRUNCATED, " caps-truncated"},
        {PCI_DEV_BAR_BROKEN, " bar-broken"},         {PCI_DEV_BRIDGE_SKIPPED, " bridge-not-followed"},
        {PCI_DEV_UNKNOWN_HEADER, " unknown-header"},
    };
    /* PCI_DEV_BARS_UNSIZED is not printed: its BARs already say "[?]". */
    if (!(flags & ~PCI_DEV_BARS_UNSIZED))
        return;
    put_s(o, "; problems:");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (flags & names[i].bit)
            put_s(o, names[i].name);
}

size_t pci_format_device(const struct pci_device *d, char *buf, size_t n)
{
    struct out o = {buf, buf ? n : 0, 0};
    if (!d) {
        put_s(&o, "(no device)");
    } else {
        if (d->segment)
            put_hex(&o, d->segment, 4), put_c(&o, ':');
        put_hex(&o, d->bus, 2);
        put_c(&o, ':');
        put_hex(&o, d->dev, 2);
        put_c(&o, '.');
        put_hex(&o, d->fn, 1);
        put_c(&o, ' ');
        put_hex(&o, d->vendor_id, 4);
        put_c(&o, ':');
        put_hex(&o, d->device_id, 4);
        put_c(&o, ' ');
        put_hex(&o, d->class_code, 2);
        put_c(&o, '.');
        put_hex(&o, d->subclass, 2);
        put_c(&o, '.');
        put_hex(&o, d->prog_if, 2);
        put_c(&o, ' ');
        put_s(&o, pci_class_name(d->class_code, d->subclass, d->prog_if));
        put_s(&o, " \"");
        const char *name = pci_device_name(d->vendor_id, d->device_id);
        const char *vendor = pci_vendor_name(d->vendor_id);
        if (same(name, "unknown device") && !same(vendor, "unknown vendor"))
            put_s(&o, vendor), put_s(&o, " device");
        else
            put_s(&o, name);
        put_c(&o, '"');
        if (d->header_type == PCI_HEADER_BRIDGE || d->header_type == PCI_HEADER_CARDBUS) {
            put_s(&o, " bus ");
            put_hex(&o, d->secondary_bus, 2);
            put_s(&o, "..");
            put_hex(&o, d->subordinate_bus, 2);
        }
        if (d->irq_pin) {
            put_s(&o, " irq ");
            if (d->irq_line == 0xFF)
                put_c(&o, '?');
            else
                put_dec(&o, d->irq_line);
            put_c(&o, ' ');
            if (d->irq_pin <= 4)
                put_s(&o, "INT"), put_c(&o, (char)('A' + d->irq_pin - 1));
            else
                put_s(&o, "pin?");
        }
        put_bars(&o, d);
        if (d->cap_count) {
            put_s(&o, "; caps");
            for (unsigned i = 0; i < d->cap_count && i < PCI_MAX_CAPS; i++)
                put_cap(&o, d, &d->caps[i]);
        }
        put_flags(&o, d->flags);
    }
    if (o.n)
        o.buf[o.len < o.n ? o.len : o.n - 1] = '\0';
    return o.len;
}
