/*
 * The simulated PCI configuration space (see pci_sim.h).
 */
#include "pci_sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMD_DECODE 0x0003u

static size_t space(const struct pci_sim *s)
{
    return (size_t)s->max_offset + 1;
}

static uint32_t get32(const uint8_t *p, uint16_t off)
{
    return (uint32_t)p[off] | (uint32_t)p[off + 1] << 8 | (uint32_t)p[off + 2] << 16 | (uint32_t)p[off + 3] << 24;
}

static void put32(uint8_t *p, uint16_t off, uint32_t v)
{
    for (unsigned i = 0; i < 4; i++)
        p[off + i] = (uint8_t)(v >> (8 * i));
}

static void put16(uint8_t *p, uint16_t off, uint16_t v)
{
    p[off] = (uint8_t)v;
    p[off + 1] = (uint8_t)(v >> 8);
}

static unsigned header_type(const struct sim_fn *f)
{
    return f->cfg[PCI_CFG_HEADER_TYPE] & 0x7F;
}

static unsigned bar_count(const struct sim_fn *f)
{
    unsigned ht = header_type(f);
    return ht == 0 ? 6 : ht == 1 ? 2 : ht == 2 ? 1 : 0;
}

static uint16_t rom_reg(const struct sim_fn *f)
{
    unsigned ht = header_type(f);
    return ht == 0 ? PCI_CFG_ROM : ht == 1 ? PCI_CFG_BRIDGE_ROM : 0;
}

static unsigned clamp(unsigned v, unsigned lo, unsigned hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* The write and RW1C masks of a function, from its header type, BAR type bits and size orders. */
static void set_masks(struct sim_fn *f, size_t n)
{
    memset(f->wmask, 0, n);
    memset(f->w1c, 0, n);
    put16(f->wmask, PCI_CFG_COMMAND, 0x0547); /* I/O, memory, bus master, parity, SERR, INTx disable */
    put16(f->w1c, PCI_CFG_STATUS, 0xF900); /* master data parity error, target/master abort, SERR, parity */
    f->wmask[PCI_CFG_IRQ_LINE] = 0xFF;
    unsigned ht = header_type(f);
    if (ht == 1 || ht == 2)
        memset(f->wmask + PCI_CFG_PRIMARY_BUS, 0xFF, 3);
    if (ht == 1)
        put16(f->w1c, PCI_CFG_SEC_STATUS, 0xF900);
    unsigned nbars = bar_count(f);
    for (unsigned i = 0; i < nbars; i++) {
        uint16_t off = (uint16_t)(PCI_CFG_BAR0 + 4 * i);
        uint32_t raw = get32(f->cfg, off);
        unsigned ord = f->order[i];
        if (!ord)
            continue;
        if (raw & 1) {
            put32(f->wmask, off, ~((1u << clamp(ord, 2, 31)) - 1) & 0xFFFFFFFCu);
        } else if ((raw & 6) == 4 && i + 1 < nbars) {
            uint64_t m = ~((1ull << clamp(ord, 4, 63)) - 1) & ~0xFull;
            put32(f->wmask, off, (uint32_t)m);
            put32(f->wmask, off + 4, (uint32_t)(m >> 32));
            i++;
        } else {
            put32(f->wmask, off, ~((1u << clamp(ord, 4, 31)) - 1) & 0xFFFFFFF0u);
        }
    }
    uint16_t rom = rom_reg(f);
    if (rom && f->order[6])
        put32(f->wmask, rom, (~((1u << clamp(f->order[6], 11, 31)) - 1) & 0xFFFFF800u) | 1);
}

struct pci_sim *sim_new(uint16_t max_offset)
{
    struct pci_sim *s = calloc(1, sizeof *s);
    s->max_offset = max_offset;
    s->bus_hi = 255;
    s->index = calloc(65536, sizeof *s->index);
    return s;
}

void sim_reset(struct pci_sim *s)
{
    for (size_t i = 0; i < s->count; i++) {
        struct sim_fn *f = s->fns[i];
        s->index[f->bus << 8 | f->dev << 3 | f->fn] = NULL;
        free(f->cfg);
        free(f);
    }
    s->count = 0;
    s->armed = false;
    s->reads = s->writes = 0;
    s->bad_accesses = s->decode_violations = s->all_ones_probes = 0;
    s->first_error[0] = '\0';
}

void sim_free(struct pci_sim *s)
{
    sim_reset(s);
    free(s->fns);
    free(s->index);
    free(s);
}

/* The function at a location, created zeroed if new (a replaced one is zeroed too). */
static struct sim_fn *fn_at(struct pci_sim *s, uint8_t bus, uint8_t dev, uint8_t fn)
{
    struct sim_fn **slot = &s->index[bus << 8 | dev << 3 | fn];
    size_t n = space(s);
    if (*slot) {
        memset((*slot)->cfg, 0, 4 * n);
        memset((*slot)->order, 0, sizeof(*slot)->order);
        return *slot;
    }
    struct sim_fn *f = calloc(1, sizeof *f);
    f->bus = bus, f->dev = dev, f->fn = fn;
    f->cfg = calloc(4, n);
    f->wmask = f->cfg + n;
    f->w1c = f->cfg + 2 * n;
    f->orig = f->cfg + 3 * n;
    if (s->count == s->capacity) {
        s->capacity = s->capacity ? 2 * s->capacity : 64;
        s->fns = realloc(s->fns, s->capacity * sizeof *s->fns);
    }
    s->fns[s->count++] = f;
    *slot = f;
    return f;
}

struct sim_fn *sim_add(struct pci_sim *s, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t vendor, uint16_t device,
                       uint32_t class24, uint8_t revision, uint8_t header_type_byte)
{
    struct sim_fn *f = fn_at(s, bus, dev, fn);
    put32(f->cfg, PCI_CFG_VENDOR_ID, (uint32_t)device << 16 | vendor);
    put32(f->cfg, PCI_CFG_REVISION, class24 << 8 | revision);
    f->cfg[PCI_CFG_HEADER_TYPE] = header_type_byte;
    set_masks(f, space(s));
    return f;
}

struct sim_fn *sim_find(struct pci_sim *s, uint8_t bus, uint8_t dev, uint8_t fn)
{
    return s->index[bus << 8 | dev << 3 | fn];
}

void sim_w8(struct sim_fn *f, uint16_t off, uint8_t v)
{
    f->cfg[off] = v;
}

void sim_w16(struct sim_fn *f, uint16_t off, uint16_t v)
{
    put16(f->cfg, off, v);
}

void sim_w32(struct sim_fn *f, uint16_t off, uint32_t v)
{
    put32(f->cfg, off, v);
}

uint32_t sim_r32(const struct sim_fn *f, uint16_t off)
{
    return get32(f->cfg, off);
}

static unsigned log2_of(uint64_t size)
{
    unsigned k = 0;
    while (k < 63 && (1ull << k) < size)
        k++;
    return k;
}

/* The masks depend on the whole header, so they are recomputed; 256 is enough for everything set_masks touches. */
static void remask(struct sim_fn *f)
{
    set_masks(f, 256);
}

void sim_bar(struct sim_fn *f, unsigned i, unsigned kind, uint64_t base, uint64_t size)
{
    uint16_t off = (uint16_t)(PCI_CFG_BAR0 + 4 * i);
    uint32_t pref = (kind & SIM_PREF) ? 8 : 0;
    switch (kind & 0xF) {
    case SIM_IO: put32(f->cfg, off, (uint32_t)base | 1); break;
    case SIM_MEM32: put32(f->cfg, off, (uint32_t)base | pref); break;
    default:
        put32(f->cfg, off, ((uint32_t)base & 0xFFFFFFF0u) | 4 | pref);
        put32(f->cfg, off + 4, (uint32_t)(base >> 32));
        f->order[i + 1] = 0;
        break;
    }
    f->order[i] = (uint8_t)log2_of(size);
    remask(f);
}

void sim_rom(struct sim_fn *f, uint32_t base, uint32_t size)
{
    put32(f->cfg, rom_reg(f), base);
    f->order[6] = (uint8_t)log2_of(size);
    remask(f);
}

void sim_bridge(struct sim_fn *f, uint8_t primary, uint8_t secondary, uint8_t subordinate)
{
    f->cfg[PCI_CFG_PRIMARY_BUS] = primary;
    f->cfg[PCI_CFG_SECONDARY_BUS] = secondary;
    f->cfg[PCI_CFG_SUBORDINATE_BUS] = subordinate;
}

void sim_subsys(struct sim_fn *f, uint16_t vendor, uint16_t id)
{
    uint16_t off = header_type(f) == 2 ? PCI_CFG_CARDBUS_SUBSYS : PCI_CFG_SUBSYS_VENDOR;
    put32(f->cfg, off, (uint32_t)id << 16 | vendor);
}

void sim_irq(struct sim_fn *f, uint8_t line, uint8_t pin)
{
    f->cfg[PCI_CFG_IRQ_LINE] = line;
    f->cfg[PCI_CFG_IRQ_PIN] = pin;
}

void sim_cap(struct sim_fn *f, uint8_t off, uint8_t id, const uint8_t *body, size_t len)
{
    uint8_t ptr_reg = header_type(f) == 2 ? PCI_CFG_CARDBUS_CAP_PTR : PCI_CFG_CAP_PTR;
    f->cfg[off] = id;
    f->cfg[off + 1] = 0;
    if (len)
        memcpy(f->cfg + off + 2, body, len);
    f->cfg[PCI_CFG_STATUS] |= PCI_STATUS_CAP_LIST;
    uint8_t *link = &f->cfg[ptr_reg];
    for (int guard = 0; *link && guard < 64; guard++)
        link = &f->cfg[*link + 1];
    *link = off;
}

void sim_ext_cap(struct sim_fn *f, uint16_t off, uint16_t id)
{
    uint32_t head = (uint32_t)id | 1u << 16;
    if (off != 0x100) {
        uint16_t at = 0x100;
        for (int guard = 0; (get32(f->cfg, at) >> 20) && guard < 1024; guard++)
            at = (uint16_t)(get32(f->cfg, at) >> 20);
        put32(f->cfg, at, get32(f->cfg, at) | (uint32_t)off << 20);
    }
    put32(f->cfg, off, head);
}

void sim_snapshot(struct pci_sim *s)
{
    for (size_t i = 0; i < s->count; i++)
        memcpy(s->fns[i]->orig, s->fns[i]->cfg, space(s));
    s->armed = true;
}

size_t sim_changed(const struct pci_sim *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->count; i++)
        n += memcmp(s->fns[i]->orig, s->fns[i]->cfg, space(s)) != 0;
    return n;
}

static void sim_error(struct pci_sim *s, unsigned *counter, const char *what, uint8_t bus, uint8_t dev, uint8_t fn,
                      uint16_t off)
{
    (*counter)++;
    if (!s->first_error[0])
        snprintf(s->first_error, sizeof s->first_error, "%s at %02x:%02x.%x offset 0x%x", what, bus, dev, fn, off);
}

static bool access_ok(struct pci_sim *s, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
    const char *why = NULL;
    if (off % 4 || (uint32_t)off + 3 > s->max_offset)
        why = "offset misaligned or past max_offset";
    else if (seg != s->segment)
        why = "wrong segment";
    else if (dev > 31 || fn > 7)
        why = "device or function out of range";
    else if (bus < s->bus_lo || bus > s->bus_hi)
        why = "bus outside the window";
    if (why)
        sim_error(s, &s->bad_accesses, why, bus, dev, fn, off);
    return why == NULL;
}

static uint32_t sim_read32(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
    struct pci_sim *s = ctx;
    s->reads++;
    if (!access_ok(s, seg, bus, dev, fn, off))
        return 0xFFFFFFFFu;
    struct sim_fn *f = s->index[bus << 8 | dev << 3 | fn];
    return f ? get32(f->cfg, off) : 0xFFFFFFFFu;
}

static bool is_bar_reg(const struct sim_fn *f, uint16_t off)
{
    return (off >= PCI_CFG_BAR0 && off < PCI_CFG_BAR0 + 4 * bar_count(f)) || (rom_reg(f) && off == rom_reg(f));
}

static void sim_write32(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, uint32_t v)
{
    struct pci_sim *s = ctx;
    s->writes++;
    if (!access_ok(s, seg, bus, dev, fn, off))
        return;
    struct sim_fn *f = s->index[bus << 8 | dev << 3 | fn];
    if (!f)
        return;
    f->writes++;
    f->command_writes += off == PCI_CFG_COMMAND;
    for (unsigned b = 0; b < 4; b++) {
        uint8_t nv = (uint8_t)(v >> (8 * b)), m = f->wmask[off + b];
        f->cfg[off + b] = (uint8_t)(((f->cfg[off + b] & ~m) | (nv & m)) & ~(nv & f->w1c[off + b]));
    }
    uint16_t cmd = (uint16_t)get32(f->cfg, PCI_CFG_COMMAND);
    bool decoding = (cmd & CMD_DECODE) != 0;
    bool ones = v == 0xFFFFFFFFu || (off == rom_reg(f) && (v & 0xFFFFF800u) == 0xFFFFF800u);
    if (is_bar_reg(f, off) && ones) {
        if (decoding)
            sim_error(s, &s->decode_violations, "all-ones written to a BAR with decoding on", bus, dev, fn, off);
        else
            s->all_ones_probes++;
    }
    if (!s->armed || !decoding)
        return;
    for (uint16_t r = PCI_CFG_BAR0; r < 0x40; r += 4)
        if (is_bar_reg(f, r) && get32(f->cfg, r) != get32(f->orig, r))
            sim_error(s, &s->decode_violations, "decoding on while a BAR is not restored", bus, dev, fn, r);
}

struct pci_config_ops sim_ops(struct pci_sim *s)
{
    return (struct pci_config_ops){sim_read32, sim_write32, s, s->max_offset};
}

void sim_load(struct pci_sim *s, const uint8_t *data, size_t size)
{
    uint8_t head[SIM_HEADER_BYTES] = {0};
    memcpy(head, data, size < sizeof head ? size : sizeof head);
    bool ecam = head[0] & 1;
    sim_reset(s);
    s->max_offset = ecam ? 0xFFF : 0xFF;
    s->load_flags = head[0];
    s->load_max = head[1];
    s->bus_lo = head[2];
    s->bus_hi = head[3];
    size_t rec = SIM_RECORD_BYTES(ecam), cfg_bytes = rec - 9;
    size_t pos = size < SIM_HEADER_BYTES ? size : SIM_HEADER_BYTES;
    uint8_t buf[SIM_RECORD_BYTES(1)];
    for (unsigned k = 0; k < SIM_MAX_LOAD_RECORDS && pos < size; k++, pos += rec) {
        size_t have = size - pos < rec ? size - pos : rec;
        memset(buf, 0, sizeof buf);
        memcpy(buf, data + pos, have);
        struct sim_fn *f = fn_at(s, buf[0], buf[1] >> 3, buf[1] & 7);
        memcpy(f->order, buf + 2, 7);
        memcpy(f->cfg, buf + 9, cfg_bytes);
        set_masks(f, 256);
    }
    sim_snapshot(s);
}

size_t sim_save(const struct pci_sim *s, uint8_t max_sel, uint8_t first_bus, uint8_t last_bus, uint8_t *buf, size_t cap)
{
    bool ecam = s->max_offset == 0xFFF;
    size_t rec = SIM_RECORD_BYTES(ecam), need = SIM_HEADER_BYTES + s->count * rec;
    if (need > cap)
        return need;
    buf[0] = ecam ? 1 : 0;
    buf[1] = max_sel;
    buf[2] = first_bus;
    buf[3] = last_bus;
    uint8_t *p = buf + SIM_HEADER_BYTES;
    for (size_t i = 0; i < s->count; i++, p += rec) {
        const struct sim_fn *f = s->fns[i];
        p[0] = f->bus;
        p[1] = (uint8_t)(f->dev << 3 | f->fn);
        memcpy(p + 2, f->order, 7);
        memcpy(p + 9, f->cfg, rec - 9);
    }
    return need;
}
