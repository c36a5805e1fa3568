/*
 * A function's capabilities: its configuration space (PciDevice) and one
 * IoPort or MmioRegion per BAR (see pci_mint_device_caps in pci_kernel.h
 * for the slot layout). A BAR becomes a capability only when it cannot
 * reach anything but the device: firmware assigned it (base 0 is what an
 * unprogrammed BAR reads), it was sized, and it overlaps neither memory the
 * memory map calls RAM or firmware's (a BAR there would hand out kernel
 * memory), nor the registers the kernel drives itself (LAPIC, I/O APICs,
 * HPET, ECAM windows, the 0xCF8-0xCFF configuration ports).
 */
#include <arch/pci_io.h>

#include "acpi/system.h"
#include "boot/boot_info.h"
#include "cap/cspace.h"
#include "mm/pmm.h"
#include "pci/pci_kernel.h"

#define DEVICE_CAP_RIGHTS (MN_RIGHTS_ALL & ~MN_RIGHT_EXEC)

const struct boot_info *kernel_boot_info(void);

static bool overlaps(uint64_t base, uint64_t size, uint64_t other, uint64_t other_size)
{
    return base < other + other_size && other < base + size;
}

bool pci_memory_reserved(uint64_t base, uint64_t size, bool any_region)
{
    const struct boot_info *bi = kernel_boot_info();
    for (uint32_t i = 0; i < bi->mmap_count; i++) {
        const struct mem_region *r = &bi->mmap[i];
        bool ram = r->type == MEM_USABLE || r->type == MEM_ACPI_RECLAIM || r->type == MEM_ACPI_NVS;
        if ((ram || any_region) && overlaps(base, size, r->base, r->length))
            return true;
    }
    /* The boot framebuffer is normally a BAR itself: it is only kept clear of new assignments. */
    if (any_region && bi->fb.present && overlaps(base, size, bi->fb.phys, (uint64_t)bi->fb.pitch * bi->fb.height))
        return true;
    const struct acpi_system *sys = acpi_system();
    if (sys->have_madt) {
        if (overlaps(base, size, sys->madt.lapic_addr, PAGE_SIZE))
            return true;
        for (uint32_t i = 0; i < sys->madt.ioapic_count && i < ACPI_MAX_IOAPICS; i++)
            if (overlaps(base, size, sys->madt.ioapics[i].addr, PAGE_SIZE))
                return true;
    }
    if (sys->have_hpet && overlaps(base, size, sys->hpet.addr, PAGE_SIZE))
        return true;
    for (uint32_t i = 0; sys->have_mcfg && i < sys->mcfg.count && i < ACPI_MAX_MCFG; i++) {
        uint64_t start = sys->mcfg.regions[i].base + ((uint64_t)sys->mcfg.regions[i].bus_start << 20);
        uint64_t len = (uint64_t)(sys->mcfg.regions[i].bus_end - sys->mcfg.regions[i].bus_start + 1) << 20;
        if (overlaps(base, size, start, len))
            return true;
    }
    return false;
}

int pci_bar_region(const struct pci_device *d, unsigned bar, uint8_t *type, uint64_t *base, uint64_t *size)
{
    if (!d || bar >= d->bar_count || bar >= PCI_MAX_BARS)
        return MN_ERR_NOT_FOUND;
    const pci_bar_t *b = &d->bars[bar];
    if (b->size == 0 || b->base == 0)
        return MN_ERR_NOT_FOUND;
    if (b->type == PCI_BAR_IO) {
        if (b->base + b->size > 0x10000 ||
            overlaps(b->base, b->size, PCI_IO_FIRST_PORT, PCI_IO_LAST_PORT - PCI_IO_FIRST_PORT + 1))
            return MN_ERR_NOT_FOUND;
        *type = MN_CAP_IO_PORT;
        *base = b->base;
        *size = b->size;
        return MN_ERR_OK;
    }
    if (b->type != PCI_BAR_MEM32 && b->type != PCI_BAR_MEM64)
        return MN_ERR_NOT_FOUND;
    /* A BAR smaller than a page still maps as a whole page (which may hold another device's registers). */
    uint64_t first = b->base & ~(PAGE_SIZE - 1);
    uint64_t end = (b->base + b->size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    if (end <= first || pci_memory_reserved(first, end - first, false))
        return MN_ERR_NOT_FOUND;
    *type = MN_CAP_MMIO_REGION;
    *base = first;
    *size = end - first;
    return MN_ERR_OK;
}

struct planned_cap {
    uint8_t type; /* MN_CAP_EMPTY: the slot stays empty */
    uint64_t data0, data1;
};

int pci_mint_device_caps(struct process *p, unsigned index, uint32_t first_slot, uint32_t *next_slot)
{
    const struct pci_device *d = pci_get(index);
    if (!d)
        return MN_ERR_NOT_FOUND;
    struct planned_cap plan[1 + PCI_MAX_BARS];
    unsigned n = 0;
    plan[n++] = (struct planned_cap){MN_CAP_PCI_DEVICE, pci_location(d), 0};
    for (unsigned i = 0; i < d->bar_count && i < PCI_MAX_BARS; i++) {
        if (d->bars[i].type == PCI_BAR_NONE || d->bars[i].type == PCI_BAR_MEM64_HIGH)
            continue;
        struct planned_cap *c = &plan[n++];
        if (pci_bar_region(d, i, &c->type, &c->data0, &c->data1) != MN_ERR_OK)
            *c = (struct planned_cap){MN_CAP_EMPTY, 0, 0};
    }
    for (unsigned i = 0; i < n; i++) {
        int r = cspace_prepare_target(p, (uint64_t)first_slot + i);
        if (r != MN_ERR_OK)
            return r;
    }
    for (unsigned i = 0; i < n; i++) {
        if (plan[i].type == MN_CAP_EMPTY)
            continue;
        int r = cspace_mint(p, (uint64_t)first_slot + i, plan[i].type, DEVICE_CAP_RIGHTS, NULL, plan[i].data0,
                            plan[i].data1, NULL);
        if (r != MN_ERR_OK)
            return r;
    }
    if (next_slot)
        *next_slot = first_slot + n;
    return MN_ERR_OK;
}
