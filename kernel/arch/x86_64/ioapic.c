/* I/O APIC redirection tables: discovery from the MADT, masking, routing. */
#include <arch/ioapic.h>
#include <arch/lapic.h>

#include "acpi/system.h"
#include "debug/log.h"
#include "lib/spinlock.h"
#include "mm/hhdm.h"

#define IOREGSEL 0x00
#define IOWIN 0x10
#define REG_ID 0x00
#define REG_VER 0x01
#define REG_REDIR(n) (0x10 + 2 * (n))

#define RTE_MASKED (1ull << 16)
#define RTE_LEVEL (1ull << 15)
#define RTE_ACTIVE_LOW (1ull << 13)

static struct ioapic {
    volatile uint32_t *regs;
    uint8_t id;
    uint32_t gsi_base;
    uint32_t pins;
} ioapics[ACPI_MAX_IOAPICS];
static uint32_t count;
static spinlock_t lock = SPINLOCK_INIT("ioapic");

static uint32_t rd(struct ioapic *io, uint32_t reg)
{
    io->regs[IOREGSEL / 4] = reg;
    return io->regs[IOWIN / 4];
}

static void wr(struct ioapic *io, uint32_t reg, uint32_t v)
{
    io->regs[IOREGSEL / 4] = reg;
    io->regs[IOWIN / 4] = v;
}

static struct ioapic *find(uint32_t gsi, uint32_t *pin)
{
    for (uint32_t i = 0; i < count; i++) {
        if (gsi >= ioapics[i].gsi_base && gsi < ioapics[i].gsi_base + ioapics[i].pins) {
            *pin = gsi - ioapics[i].gsi_base;
            return &ioapics[i];
        }
    }
    return NULL;
}

void ioapic_init(void)
{
    const struct acpi_system *a = acpi_system();
    if (!a->have_madt || !a->madt.ioapic_count) {
        log_warn("ioapic: none described by ACPI: device IRQs unavailable\n");
        return;
    }
    for (uint32_t i = 0; i < a->madt.ioapic_count; i++) {
        struct ioapic *io = &ioapics[count];
        io->regs = hhdm_map_device(a->madt.ioapics[i].addr, 4096);
        if (!io->regs) {
            log_warn("ioapic: cannot map %x; ignored\n", a->madt.ioapics[i].addr);
            continue;
        }
        io->id = a->madt.ioapics[i].id;
        io->gsi_base = a->madt.ioapics[i].gsi_base;
        uint32_t ver = rd(io, REG_VER);
        io->pins = ((ver >> 16) & 0xFF) + 1;
        for (uint32_t p = 0; p < io->pins; p++) {
            wr(io, REG_REDIR(p) + 1, 0);
            wr(io, REG_REDIR(p), RTE_MASKED);
        }
        count++;
        kprintf("ioapic: id %u at %x, version %x, GSIs %u-%u, all masked\n", io->id, a->madt.ioapics[i].addr,
                ver & 0xFF, io->gsi_base, io->gsi_base + io->pins - 1);
    }
}

bool ioapic_present(void)
{
    return count > 0;
}

uint32_t ioapic_gsi_count(void)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < count; i++)
        if (ioapics[i].gsi_base + ioapics[i].pins > n)
            n = ioapics[i].gsi_base + ioapics[i].pins;
    return n;
}

int ioapic_route_gsi(uint32_t gsi, uint8_t vector, uint32_t apic_id, uint16_t flags)
{
    uint32_t pin;
    struct ioapic *io = find(gsi, &pin);
    if (!io)
        return MN_ERR_NOT_FOUND;
    if (vector < 0x20)
        return MN_ERR_BAD_ARG;
    uint64_t rte = vector | RTE_MASKED; /* fixed delivery, physical destination */
    if ((flags & ACPI_POLARITY_MASK) == ACPI_POLARITY_LOW)
        rte |= RTE_ACTIVE_LOW;
    if ((flags & ACPI_TRIGGER_MASK) == ACPI_TRIGGER_LEVEL)
        rte |= RTE_LEVEL;
    /* xAPIC destinations are 8 bits; x2APIC IDs above 255 need interrupt remapping. */
    if (apic_id > 255) {
        log_warn("ioapic: APIC id %u unreachable without interrupt remapping\n", apic_id);
        return MN_ERR_BAD_ARG;
    }
    rte |= (uint64_t)apic_id << 56;
    spin_lock(&lock);
    wr(io, REG_REDIR(pin), RTE_MASKED);
    wr(io, REG_REDIR(pin) + 1, (uint32_t)(rte >> 32));
    wr(io, REG_REDIR(pin), (uint32_t)rte);
    spin_unlock(&lock);
    return 0;
}

int ioapic_route_isa(uint8_t irq, uint8_t vector, uint32_t apic_id)
{
    if (irq > 15)
        return MN_ERR_BAD_ARG;
    uint16_t flags;
    uint32_t gsi = acpi_isa_irq_to_gsi(irq, &flags);
    int err = ioapic_route_gsi(gsi, vector, apic_id, flags);
    if (err)
        return err;
    log_debug("ioapic: ISA IRQ %u -> GSI %u -> vector %u on APIC %u (flags %x)\n", irq, gsi, vector, apic_id, flags);
    return (int)gsi;
}

bool ioapic_read_route(uint32_t gsi, uint64_t *rte)
{
    uint32_t pin;
    struct ioapic *io = find(gsi, &pin);
    if (!io)
        return false;
    spin_lock(&lock);
    *rte = (uint64_t)rd(io, REG_REDIR(pin) + 1) << 32 | rd(io, REG_REDIR(pin));
    spin_unlock(&lock);
    return true;
}

static void set_mask(uint32_t gsi, bool masked)
{
    uint32_t pin;
    struct ioapic *io = find(gsi, &pin);
    if (!io)
        return;
    spin_lock(&lock);
    uint32_t lo = rd(io, REG_REDIR(pin));
    wr(io, REG_REDIR(pin), masked ? lo | (uint32_t)RTE_MASKED : lo & ~(uint32_t)RTE_MASKED);
    spin_unlock(&lock);
}

void ioapic_mask(uint32_t gsi)
{
    set_mask(gsi, true);
}

void ioapic_unmask(uint32_t gsi)
{
    set_mask(gsi, false);
}

void ioapic_eoi(uint32_t gsi)
{
    (void)gsi;
    lapic_eoi();
}
