/*
 * PCI configuration access (ECAM or port I/O), the boot-time enumeration
 * and census, and the device registry (see pci_kernel.h).
 *
 * ECAM (PCI Firmware 3.0 4.1.2, PCIe Base 7.2.2): the MCFG gives, per
 * segment, a physical base such that function bus:dev.fn's 4 KiB of
 * configuration space is at base + (bus << 20 | dev << 15 | fn << 12); only
 * the region's bus range is mapped. One lock serializes every access: port
 * I/O needs it (two ports, one sequence), and the narrow writes of lib/pci
 * are a read-modify-write of the dword.
 */
#include "pci/pci_kernel.h"

#include <arch/pci_io.h>

#include "acpi/system.h"
#include "debug/log.h"
#include "lib/spinlock.h"
#include "mm/hhdm.h"

#define ECAM_BUS_SHIFT 20

struct ecam_region {
    volatile uint8_t *base; /* HHDM address of bus 0 of the segment (only bus_start..bus_end are mapped) */
    uint16_t segment;
    uint8_t bus_start, bus_end;
};

static struct ecam_region ecam[ACPI_MAX_MCFG];
static unsigned ecam_count;
static enum pci_access access = PCI_ACCESS_NONE;
static enum pci_chipset chipset = PCI_CHIPSET_UNKNOWN;
static spinlock_t cfg_lock = SPINLOCK_INIT("pci config");

static struct pci_device registry[PCI_REGISTRY_MAX];
static unsigned registry_count, bus_count, census_lines, bars_assigned;

/* ---- the two accessors --------------------------------------------------------- */

static volatile uint32_t *ecam_reg(uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
    for (unsigned i = 0; i < ecam_count; i++) {
        const struct ecam_region *r = &ecam[i];
        if (r->segment == seg && bus >= r->bus_start && bus <= r->bus_end)
            return (volatile uint32_t *)(r->base + ((uint64_t)bus << ECAM_BUS_SHIFT | (uint64_t)dev << 15 |
                                                    (uint64_t)fn << 12 | off));
    }
    return NULL;
}

static uint32_t ecam_read32(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
    (void)ctx;
    volatile uint32_t *reg = ecam_reg(seg, bus, dev, fn, off);
    return reg ? *reg : 0xFFFFFFFFu;
}

static void ecam_write32(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, uint32_t v)
{
    (void)ctx;
    volatile uint32_t *reg = ecam_reg(seg, bus, dev, fn, off);
    if (reg)
        *reg = v;
}

static uint32_t port_read32(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
    (void)ctx;
    return seg == 0 && off < 256 ? pci_io_read32(bus, dev, fn, (uint8_t)off) : 0xFFFFFFFFu;
}

static void port_write32(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, uint32_t v)
{
    (void)ctx;
    if (seg == 0 && off < 256)
        pci_io_write32(bus, dev, fn, (uint8_t)off, v);
}

static const struct pci_config_ops ecam_ops = {ecam_read32, ecam_write32, NULL, 0xFFF};
static const struct pci_config_ops port_ops = {port_read32, port_write32, NULL, 0xFF};

static const struct pci_config_ops *ops(void)
{
    return access == PCI_ACCESS_ECAM ? &ecam_ops : access == PCI_ACCESS_PORT ? &port_ops : NULL;
}

/* Maps every MCFG region's bus range; false when none could be mapped. */
static bool ecam_setup(void)
{
    const struct acpi_system *sys = acpi_system();
    if (!sys->have_mcfg)
        return false;
    for (uint32_t i = 0; i < sys->mcfg.count && i < ACPI_MAX_MCFG; i++) {
        uint64_t base = sys->mcfg.regions[i].base;
        uint8_t first = sys->mcfg.regions[i].bus_start, last = sys->mcfg.regions[i].bus_end;
        if (last < first || base == 0) {
            log_warn("pci: MCFG region %u (buses %u-%u at %lx) ignored\n", i, first, last, base);
            continue;
        }
        uint64_t start = base + ((uint64_t)first << ECAM_BUS_SHIFT);
        uint64_t len = (uint64_t)(last - first + 1) << ECAM_BUS_SHIFT;
        if (!hhdm_map_device(start, len)) {
            log_warn("pci: cannot map ECAM %lx-%lx\n", start, start + len - 1);
            continue;
        }
        ecam[ecam_count++] =
            (struct ecam_region){(volatile uint8_t *)phys_to_virt(base), sys->mcfg.regions[i].segment, first, last};
    }
    return ecam_count > 0;
}

/* ---- enumeration and census ---------------------------------------------------------- */

static unsigned count_buses(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < registry_count; i++) {
        bool seen = false;
        for (unsigned j = 0; j < i && !seen; j++)
            seen = registry[j].segment == registry[i].segment && registry[j].bus == registry[i].bus;
        n += !seen;
    }
    return n;
}

static bool is_at(const struct pci_device *d, uint8_t dev, uint16_t vendor, uint16_t device)
{
    return d->segment == 0 && d->bus == 0 && d->dev == dev && d->fn == 0 && d->vendor_id == vendor &&
           d->device_id == device;
}

/* The chipset is told by its host bridge at 00:00.0 (and, for the i440FX, the PIIX3 that routes its PIRQs). */
static enum pci_chipset detect_chipset(void)
{
    if (registry_count == 0)
        return PCI_CHIPSET_UNKNOWN;
    if (is_at(&registry[0], 0, 0x8086, 0x29C0) && pci_find_id(0x8086, 0x2918, 0) >= 0)
        return PCI_CHIPSET_Q35;
    if (is_at(&registry[0], 0, 0x8086, 0x1237) && pci_find_id(0x8086, 0x7000, 0) >= 0)
        return PCI_CHIPSET_I440FX;
    return PCI_CHIPSET_UNKNOWN;
}

static void enumerate(void)
{
    size_t total = 0;
    if (access == PCI_ACCESS_ECAM) {
        for (unsigned i = 0; i < ecam_count; i++) {
            size_t found = 0, room = PCI_REGISTRY_MAX - registry_count;
            pci_enumerate(&ecam_ops, ecam[i].segment, ecam[i].bus_start, ecam[i].bus_end, registry + registry_count,
                          room, &found);
            registry_count += (unsigned)(found < room ? found : room);
            total += found;
        }
    } else {
        size_t found = 0;
        pci_enumerate(&port_ops, 0, 0, 255, registry, PCI_REGISTRY_MAX, &found);
        registry_count = (unsigned)(found < PCI_REGISTRY_MAX ? found : PCI_REGISTRY_MAX);
        total = found;
    }
    if (total > registry_count)
        log_warn("pci: %lu functions found, only the first %u are kept\n", (unsigned long)total, registry_count);
}

static void print_census(void)
{
    static char line[PCI_FORMAT_MAX]; /* boot CPU only, once */
    for (unsigned i = 0; i < registry_count; i++) {
        pci_format_device(&registry[i], line, sizeof line);
        kprintf("pci: %s\n", line);
        census_lines++;
    }
    kprintf("pci: %u functions on %u buses (%s)\n", registry_count, bus_count,
            access == PCI_ACCESS_ECAM ? "ECAM" : "port I/O");
}

void pci_init(void)
{
    if (ecam_setup())
        access = PCI_ACCESS_ECAM;
    else if (pci_io_present())
        access = PCI_ACCESS_PORT;
    if (access == PCI_ACCESS_NONE) {
        kprintf("pci: 0 functions on 0 buses (no PCI: no MCFG and no host bridge at port 0xCF8)\n");
        return;
    }
    enumerate();
    bars_assigned = pci_assign_bars(registry, registry_count);
    bus_count = count_buses();
    chipset = detect_chipset();
    print_census();
    static const char *const names[] = {"unknown chipset: no INTx routing", "Q35/ICH9", "i440FX/PIIX3"};
    kprintf("pci: INTx routing: %s\n", names[chipset]);
}

/* ---- queries ------------------------------------------------------------------------ */

unsigned pci_count(void)
{
    return registry_count;
}

const struct pci_device *pci_get(unsigned index)
{
    return index < registry_count ? &registry[index] : NULL;
}

int pci_find_id(uint16_t vendor_id, uint16_t device_id, unsigned start)
{
    for (unsigned i = start; i < registry_count; i++)
        if (registry[i].vendor_id == vendor_id && registry[i].device_id == device_id)
            return (int)i;
    return MN_ERR_NOT_FOUND;
}

int pci_find_class(uint8_t class_code, int subclass, unsigned start)
{
    for (unsigned i = start; i < registry_count; i++)
        if (registry[i].class_code == class_code && (subclass < 0 || registry[i].subclass == subclass))
            return (int)i;
    return MN_ERR_NOT_FOUND;
}

uint32_t pci_location(const struct pci_device *d)
{
    return PCI_LOCATION(d->segment, d->bus, d->dev, d->fn);
}

int pci_find_location(uint32_t location)
{
    for (unsigned i = 0; i < registry_count; i++)
        if (pci_location(&registry[i]) == location)
            return (int)i;
    return MN_ERR_NOT_FOUND;
}

enum pci_access pci_access_mode(void)
{
    return access;
}

enum pci_chipset pci_chipset(void)
{
    return chipset;
}

unsigned pci_config_size(void)
{
    return access == PCI_ACCESS_ECAM ? 4096 : access == PCI_ACCESS_PORT ? 256 : 0;
}

unsigned pci_bus_count(void)
{
    return bus_count;
}

unsigned pci_census_lines(void)
{
    return census_lines;
}

unsigned pci_bars_assigned(void)
{
    return bars_assigned;
}

/* ---- configuration access ------------------------------------------------------------ */

static bool access_ok(const struct pci_device *d, uint16_t off, unsigned width)
{
    if (!d || !ops() || (width != 1 && width != 2 && width != 4))
        return false;
    return off % width == 0 && (uint32_t)off + width <= pci_config_size();
}

static bool value_fits(uint32_t value, unsigned width)
{
    return width == 4 || value >> (8 * width) == 0;
}

int pci_cfg_read(const struct pci_device *d, uint16_t off, unsigned width, uint32_t *value)
{
    if (!access_ok(d, off, width) || !value)
        return MN_ERR_BAD_ARG;
    spin_lock(&cfg_lock);
    int r = pci_config_read(ops(), d, off, width, value);
    spin_unlock(&cfg_lock);
    return r;
}

int pci_cfg_write(const struct pci_device *d, uint16_t off, unsigned width, uint32_t value)
{
    if (!access_ok(d, off, width) || !value_fits(value, width))
        return MN_ERR_BAD_ARG;
    spin_lock(&cfg_lock);
    int r = pci_config_write(ops(), d, off, width, value);
    spin_unlock(&cfg_lock);
    return r;
}

int pci_cfg_write_checked(const struct pci_device *d, uint16_t off, unsigned width, uint32_t value)
{
    if (!access_ok(d, off, width) || !value_fits(value, width))
        return MN_ERR_BAD_ARG;
    uint32_t current = 0;
    spin_lock(&cfg_lock);
    int r = pci_config_read(ops(), d, off, width, &current);
    if (r == MN_ERR_OK)
        r = pci_write_policy(d, off, width, value, current);
    if (r == MN_ERR_OK)
        r = pci_config_write(ops(), d, off, width, value);
    spin_unlock(&cfg_lock);
    return r;
}
