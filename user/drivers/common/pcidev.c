/* pcidev: a PCI function through its capabilities (see pcidev.h). */
#include "pcidev.h"

#include "libmnos.h"

#define BAR_IO 0x1u
#define BAR_TYPE_MASK 0x6u
#define BAR_TYPE_64 0x4u
#define MAP_PROBE_MAX_PAGES (PCIDEV_MMIO_WINDOW / MN_PAGE_SIZE)

static uint32_t cfg_read32(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
    (void)seg, (void)bus, (void)dev, (void)fn;
    int64_t v = mn_sys_PCI_CONFIG_READ(((struct pcidev *)ctx)->cfg, off, 4);
    return v < 0 ? 0xFFFFFFFFu : (uint32_t)v;
}

static void cfg_write32(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, uint32_t value)
{
    (void)seg, (void)bus, (void)dev, (void)fn;
    mn_sys_PCI_CONFIG_WRITE(((struct pcidev *)ctx)->cfg, off, value, 4);
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int pcidev_parse_location(const char *s, uint8_t *bus, uint8_t *dev, uint8_t *fn)
{
    int d[5];
    for (int i = 0, j = 0; i < 7; i++) {
        char want = i == 2 ? ':' : i == 5 ? '.' : 0;
        if (want) {
            if (s[i] != want)
                return MN_ERR_BAD_ARG;
            continue;
        }
        if ((d[j++] = hex_digit(s[i])) < 0)
            return MN_ERR_BAD_ARG;
    }
    int b = d[0] * 16 + d[1], v = d[2] * 16 + d[3], f = d[4];
    if (s[7] != 0 || v > 31 || f > 7)
        return MN_ERR_BAD_ARG;
    *bus = (uint8_t)b;
    *dev = (uint8_t)v;
    *fn = (uint8_t)f;
    return MN_ERR_OK;
}

int pcidev_open(struct pcidev *p, uint32_t cfg, uint8_t bus, uint8_t dev, uint8_t fn, const uint32_t *caps,
                unsigned ncaps)
{
    for (unsigned i = 0; i < PCI_MAX_BARS; i++) {
        p->bar_cap[i] = 0;
        p->bar_va[i] = NULL;
        p->bar_bytes[i] = 0;
    }
    p->cfg = cfg;
    int64_t rights = mn_sys_INSPECT(cfg);
    if (rights < 0)
        return (int)rights;
    p->writable = (MN_INSPECT_RIGHTS(rights) & MN_RIGHT_WRITE) != 0;
    int64_t id = mn_sys_PCI_CONFIG_READ(cfg, 0, 4);
    if (id < 0)
        return (int)id;
    /* ECAM gives 4096 bytes of configuration space, port I/O 256: an access past 0xFF tells them apart. */
    p->ops =
        (struct pci_config_ops){cfg_read32, cfg_write32, p, mn_sys_PCI_CONFIG_READ(cfg, 0x100, 4) >= 0 ? 0xFFF : 0xFF};
    int r = pci_probe_readonly(&p->ops, 0, bus, dev, fn, &p->info);
    if (r != MN_ERR_OK)
        return r;
    unsigned k = 0;
    for (unsigned i = 0; i < p->info.bar_count && i < PCI_MAX_BARS; i++) {
        int64_t raw = mn_sys_PCI_CONFIG_READ(cfg, PCI_CFG_BAR0 + 4 * i, 4);
        if (raw <= 0)
            continue;
        bool io = raw & BAR_IO, wide = !io && (raw & BAR_TYPE_MASK) == BAR_TYPE_64;
        uint32_t cap = k < ncaps ? caps[k] : 0;
        k++;
        if (cap) {
            int64_t v = mn_sys_INSPECT(cap);
            if (v < 0)
                return (int)v;
            if (MN_INSPECT_TYPE(v) != (io ? MN_CAP_IO_PORT : MN_CAP_MMIO_REGION))
                return MN_ERR_WRONG_TYPE;
            p->bar_cap[i] = cap;
        }
        if (wide)
            i++;
    }
    return MN_ERR_OK;
}

/*
 * How many pages of the window at va the MMIO mapping covers: the kernel
 * maps the whole region and tells nobody its size, so a page frame is
 * mapped (and taken back) at a candidate page: MN_ERR_MAP_FAILED means the
 * page is taken, i.e. inside the region. Binary search; nothing else is
 * ever mapped in the window.
 */
static uint64_t mapped_pages(uint32_t self, uint64_t va)
{
    uint32_t alloc = mn_cap(MN_ROLE_ALLOCATOR), frame = mn_slot_alloc();
    if (!alloc || !frame || mn_sys_ALLOC_MEMORY(alloc, frame) != 0) {
        if (frame)
            mn_slot_free(frame);
        return 1; /* at least the first page is there */
    }
    uint64_t lo = 1, hi = MAP_PROBE_MAX_PAGES; /* page lo - 1 is mapped; page hi is not (or past the window) */
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        int64_t r = mn_sys_MAP_MEMORY(self, frame, va + mid * MN_PAGE_SIZE, 0);
        if (r == 0) {
            mn_sys_UNMAP(self, va + mid * MN_PAGE_SIZE, 1);
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    mn_sys_DROP_CAP(frame);
    mn_slot_free(frame);
    return lo;
}

int pcidev_map_bar(struct pcidev *p, unsigned bar)
{
    if (bar >= PCI_MAX_BARS || !p->bar_cap[bar] ||
        (p->info.bars[bar].type != PCI_BAR_MEM32 && p->info.bars[bar].type != PCI_BAR_MEM64))
        return MN_ERR_NOT_FOUND;
    if (p->bar_va[bar])
        return MN_ERR_OK;
    uint32_t self = mn_self();
    uint64_t va = PCIDEV_MMIO_BASE + bar * PCIDEV_MMIO_WINDOW;
    int64_t r = mn_sys_MAP_MMIO(self, p->bar_cap[bar], va, MN_MAP_WRITE);
    if (r != 0)
        return (int)r;
    /* The region starts at the page holding the BAR (a BAR smaller than a page may start inside it). */
    uint64_t in_page = p->info.bars[bar].base & (MN_PAGE_SIZE - 1);
    p->bar_va[bar] = (volatile uint8_t *)(uintptr_t)(va + in_page);
    p->bar_bytes[bar] = mapped_pages(self, va) * MN_PAGE_SIZE - in_page;
    return MN_ERR_OK;
}

int64_t pcidev_cfg_read(const struct pcidev *p, unsigned off, unsigned width)
{
    return mn_sys_PCI_CONFIG_READ(p->cfg, off, width);
}

int pcidev_cfg_write(const struct pcidev *p, unsigned off, uint32_t value, unsigned width)
{
    return (int)mn_sys_PCI_CONFIG_WRITE(p->cfg, off, value, width);
}

int pcidev_command(const struct pcidev *p, uint16_t set, uint16_t clear)
{
    int64_t cmd = pcidev_cfg_read(p, PCI_CFG_COMMAND, 2);
    if (cmd < 0)
        return (int)cmd;
    return pcidev_cfg_write(p, PCI_CFG_COMMAND, (uint16_t)(((uint16_t)cmd | set) & ~clear), 2);
}
