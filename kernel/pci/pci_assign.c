/*
 * Addresses for the BARs firmware left unassigned. SeaBIOS and OVMF assign
 * every BAR; qboot (the fast firmware of the PVH test boots) assigns none,
 * and a BAR at 0 cannot be handed to a driver. So at boot, before the
 * census, every sized BAR still at 0 gets an address aligned to its size:
 *
 *   memory: the 32-bit PCI hole, [max(0xC0000000, top of RAM below 4 GiB),
 *           0xFEC00000): on QEMU's q35 and pc machines everything between
 *           the top of low RAM and the I/O APIC that is not RAM decodes to
 *           PCI. Every region the memory map lists, the ECAM windows, the
 *           APIC and HPET pages and the BARs already assigned are avoided;
 *           each BAR gets at least a whole page, so no two devices share
 *           one (an MmioRegion capability is made of whole pages). 64-bit
 *           BARs are placed there too (their upper half written as 0).
 *   I/O:    [0xC000, 0x10000), avoiding the I/O BARs already assigned.
 *
 * Largest first, first fit. Only functions on a root bus are assigned: a
 * BAR behind a bridge must also fall inside the bridge's windows, which are
 * the firmware's to set up (firmware that leaves BARs unassigned leaves
 * bridges unconfigured too, and the enumerator does not see past those).
 * Expansion ROMs are not assigned. Decoding stays as it was: the driver
 * turns it on through the command register.
 */
#include "boot/boot_info.h"
#include "debug/log.h"
#include "mm/pmm.h"
#include "pci/pci_kernel.h"

#define MEM_WINDOW_LOW 0xC0000000ull
#define MEM_WINDOW_END 0xFEC00000ull /* the first I/O APIC */
#define FOUR_GIB 0x100000000ull
#define IO_WINDOW_LOW 0xC000ull
#define IO_WINDOW_END 0x10000ull
#define MAX_BARS (PCI_REGISTRY_MAX * PCI_MAX_BARS)

const struct boot_info *kernel_boot_info(void);

struct range {
    uint64_t base, end;
};

struct request {
    struct pci_device *d;
    unsigned bar;
    uint64_t size; /* what it occupies: the BAR's size, at least a page for memory */
};

/* Ranges in use, filled first from the BARs firmware assigned, then from each assignment. */
static struct range used_mem[MAX_BARS], used_io[MAX_BARS];
static unsigned used_mem_count, used_io_count;
static struct request requests[MAX_BARS];

static uint64_t align_up(uint64_t v, uint64_t align)
{
    return (v + align - 1) & ~(align - 1);
}

static bool on_root_bus(const struct pci_device *devs, unsigned count, const struct pci_device *d)
{
    for (unsigned i = 0; i < count; i++)
        if ((devs[i].header_type == PCI_HEADER_BRIDGE || devs[i].header_type == PCI_HEADER_CARDBUS) &&
            devs[i].segment == d->segment && devs[i].secondary_bus == d->bus && devs[i].bus < d->bus)
            return false;
    return true;
}

static uint64_t mem_window_low(void)
{
    const struct boot_info *bi = kernel_boot_info();
    uint64_t low = MEM_WINDOW_LOW;
    for (uint32_t i = 0; i < bi->mmap_count; i++) {
        const struct mem_region *r = &bi->mmap[i];
        uint64_t end = r->base + r->length;
        if (r->type == MEM_USABLE && r->base < FOUR_GIB && end > low)
            low = end < FOUR_GIB ? end : FOUR_GIB;
    }
    return align_up(low, PAGE_SIZE);
}

/* The end of a used range [base, base + size) overlaps, or 0 when it overlaps none. */
static uint64_t overlap_end(const struct range *used, unsigned n, uint64_t base, uint64_t size)
{
    for (unsigned i = 0; i < n; i++)
        if (base < used[i].end && used[i].base < base + size)
            return used[i].end;
    return 0;
}

/* First fit for `size` bytes aligned to `size` in [low, end); false when nothing is free. */
static bool place(bool io, uint64_t low, uint64_t end, uint64_t size, uint64_t *out)
{
    uint64_t at = align_up(low, size);
    while (at >= low && at + size > at && at + size <= end) {
        uint64_t past =
            io ? overlap_end(used_io, used_io_count, at, size) : overlap_end(used_mem, used_mem_count, at, size);
        if (!past && !io && pci_memory_reserved(at, size, true))
            past = at + size;
        if (!past) {
            *out = at;
            return true;
        }
        at = align_up(past, size);
    }
    return false;
}

/* Writes BAR `bar` (and its upper half) with decoding off, reads it back, and records it in *d. */
static bool program(struct pci_device *d, unsigned bar, uint64_t base)
{
    pci_bar_t *b = &d->bars[bar];
    uint16_t off = (uint16_t)(PCI_CFG_BAR0 + 4 * bar);
    uint32_t cmd = 0, low = 0, back = 0, back_high = 0;
    pci_cfg_read(d, PCI_CFG_COMMAND, 2, &cmd);
    pci_cfg_write(d, PCI_CFG_COMMAND, 2, cmd & ~(PCI_CMD_IO | PCI_CMD_MEMORY));
    pci_cfg_read(d, off, 4, &low);
    uint32_t type_bits = b->type == PCI_BAR_IO ? 0x3u : 0xFu;
    pci_cfg_write(d, off, 4, (low & type_bits) | (uint32_t)base);
    if (b->type == PCI_BAR_MEM64)
        pci_cfg_write(d, off + 4, 4, (uint32_t)(base >> 32));
    pci_cfg_read(d, off, 4, &back);
    if (b->type == PCI_BAR_MEM64)
        pci_cfg_read(d, off + 4, 4, &back_high);
    pci_cfg_write(d, PCI_CFG_COMMAND, 2, cmd);
    uint64_t got = ((uint64_t)back_high << 32) | (back & ~type_bits);
    if (got != base)
        return false;
    b->base = base;
    return true;
}

static void note_assigned(const struct pci_device *devs, unsigned count)
{
    for (unsigned i = 0; i < count; i++)
        for (unsigned b = 0; b < devs[i].bar_count && b < PCI_MAX_BARS; b++) {
            const pci_bar_t *bar = &devs[i].bars[b];
            if (bar->base == 0 || bar->type == PCI_BAR_NONE || bar->type == PCI_BAR_MEM64_HIGH)
                continue;
            uint64_t size = bar->size ? bar->size : PAGE_SIZE; /* unsized (host bridge): keep its page clear */
            if (bar->type == PCI_BAR_IO)
                used_io[used_io_count++] = (struct range){bar->base, bar->base + size};
            else
                used_mem[used_mem_count++] = (struct range){bar->base, bar->base + size};
        }
}

unsigned pci_assign_bars(struct pci_device *devs, unsigned count)
{
    used_mem_count = used_io_count = 0;
    note_assigned(devs, count);
    unsigned n = 0;
    for (unsigned i = 0; i < count; i++) {
        struct pci_device *d = &devs[i];
        if (!on_root_bus(devs, count, d) || (d->flags & PCI_DEV_BARS_UNSIZED))
            continue;
        for (unsigned b = 0; b < d->bar_count && b < PCI_MAX_BARS; b++) {
            const pci_bar_t *bar = &d->bars[b];
            bool mem = bar->type == PCI_BAR_MEM32 || bar->type == PCI_BAR_MEM64;
            if ((bar->type != PCI_BAR_IO && !mem) || bar->base != 0 || bar->size == 0)
                continue;
            uint64_t size = mem && bar->size < PAGE_SIZE ? PAGE_SIZE : bar->size;
            /* Insertion by size, largest first: aligned blocks then pack without holes. */
            unsigned at = n++;
            while (at > 0 && requests[at - 1].size < size) {
                requests[at] = requests[at - 1];
                at--;
            }
            requests[at] = (struct request){d, b, size};
        }
    }
    if (n == 0)
        return 0;
    uint64_t mem_low = mem_window_low();
    unsigned done = 0;
    for (unsigned i = 0; i < n; i++) {
        struct request *q = &requests[i];
        bool io = q->d->bars[q->bar].type == PCI_BAR_IO;
        uint64_t base;
        bool ok = io ? place(true, IO_WINDOW_LOW, IO_WINDOW_END, q->size, &base)
                     : place(false, mem_low, MEM_WINDOW_END, q->size, &base);
        if (ok && program(q->d, q->bar, base)) {
            if (io)
                used_io[used_io_count++] = (struct range){base, base + q->size};
            else
                used_mem[used_mem_count++] = (struct range){base, base + q->size};
            done++;
        } else {
            log_warn("pci: %02x:%02x.%x BAR%u (%lu bytes) left unassigned: %s\n", q->d->bus, q->d->dev, q->d->fn,
                     q->bar, q->bar < PCI_MAX_BARS ? q->d->bars[q->bar].size : 0,
                     ok ? "the BAR did not take the address" : "no room in the window");
        }
    }
    kprintf("pci: %u of %u unassigned BARs given addresses (memory from %lx, I/O from %llx)\n", done, n, mem_low,
            IO_WINDOW_LOW);
    return done;
}
