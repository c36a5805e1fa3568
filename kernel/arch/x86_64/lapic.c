/* Local APIC: mode selection (x2APIC / xAPIC), EOI, and the raw timer. */
#include <arch/cpu.h>
#include <arch/idt.h>
#include <arch/lapic.h>

#include "acpi/system.h"
#include "debug/log.h"
#include "mm/hhdm.h"

#define MSR_APIC_BASE 0x1B
#define APIC_BASE_ENABLE (1u << 11)
#define APIC_BASE_X2APIC (1u << 10)
#define X2APIC_MSR(reg) (0x800 + ((reg) >> 4))

#define REG_ID 0x020
#define REG_VERSION 0x030
#define REG_TPR 0x080
#define REG_EOI 0x0B0
#define REG_SVR 0x0F0
#define REG_ESR 0x280
#define REG_ICR_LO 0x300
#define REG_ICR_HI 0x310
#define REG_LVT_TIMER 0x320
#define REG_LVT_LINT0 0x350
#define REG_LVT_LINT1 0x360
#define REG_LVT_ERROR 0x370
#define REG_TIMER_INIT 0x380
#define REG_TIMER_CUR 0x390
#define REG_TIMER_DIV 0x3E0

#define LVT_MASKED (1u << 16)
#define LVT_PERIODIC (1u << 17)
#define LVT_NMI (4u << 8)
#define LVT_LEVEL (1u << 15)
#define LVT_ACTIVE_LOW (1u << 13)
#define SVR_ENABLE (1u << 8)
#define TIMER_DIV_16 0x3

static bool x2apic;
static bool ready;

static void park_other_cpus(void);
static volatile uint32_t *mmio;

static uint32_t rd(uint32_t reg)
{
    if (x2apic)
        return (uint32_t)rdmsr(X2APIC_MSR(reg));
    return mmio[reg / 4];
}

static void wr(uint32_t reg, uint32_t v)
{
    if (x2apic)
        wrmsr(X2APIC_MSR(reg), v);
    else
        mmio[reg / 4] = v;
}

bool lapic_ready(void)
{
    return ready;
}

bool lapic_x2apic(void)
{
    return x2apic;
}

uint32_t lapic_id(void)
{
    return x2apic ? rd(REG_ID) : rd(REG_ID) >> 24;
}

void lapic_eoi(void)
{
    wr(REG_EOI, 0);
}

static void eoi_hook(void)
{
    lapic_eoi();
}

static void error_irq(struct int_frame *f, void *ctx)
{
    (void)f, (void)ctx;
    wr(REG_ESR, 0);
    log_warn("lapic: error interrupt, ESR %x\n", rd(REG_ESR));
}

/* LINT1 (or LINT0) as NMI for this CPU, as the MADT's LAPIC NMI entries say. */
static void program_nmi(uint32_t my_uid_hint)
{
    const struct acpi_system *a = acpi_system();
    wr(REG_LVT_LINT1, LVT_MASKED);
    if (!a->have_madt)
        return;
    for (uint32_t i = 0; i < a->madt.nmi_count; i++) {
        uint32_t uid = a->madt.nmis[i].uid;
        if (uid != 0xFFFFFFFFu && uid != my_uid_hint)
            continue;
        uint32_t lvt = LVT_NMI;
        uint16_t fl = a->madt.nmis[i].flags;
        if ((fl & ACPI_POLARITY_MASK) == ACPI_POLARITY_LOW)
            lvt |= LVT_ACTIVE_LOW;
        if ((fl & ACPI_TRIGGER_MASK) == ACPI_TRIGGER_LEVEL)
            lvt |= LVT_LEVEL;
        wr(a->madt.nmis[i].lint ? REG_LVT_LINT1 : REG_LVT_LINT0, lvt);
    }
}

/* The ACPI processor UID of the CPU with APIC ID `id` (NMI entries name UIDs). */
static uint32_t uid_of(uint32_t id)
{
    const struct acpi_system *a = acpi_system();
    for (uint32_t i = 0; a->have_madt && i < a->madt.cpu_count; i++)
        if (a->madt.cpus[i].apic_id == id)
            return a->madt.cpus[i].uid;
    return 0xFFFFFFFEu;
}

void lapic_init_cpu(void)
{
    uint32_t a, b, c, d;
    cpuid(1, 0, &a, &b, &c, &d);
    bool first = !ready;
    if (first) {
        x2apic = c & (1u << 21);
        if (!x2apic) {
            uint64_t phys = acpi_system()->have_madt ? acpi_system()->madt.lapic_addr : 0xFEE00000u;
            mmio = hhdm_map_device(phys, 4096);
            if (!mmio)
                log_error("lapic: cannot map the xAPIC registers at %lx\n", phys);
        }
    }
    uint64_t base = rdmsr(MSR_APIC_BASE);
    base |= APIC_BASE_ENABLE;
    wrmsr(MSR_APIC_BASE, base);
    if (x2apic)
        wrmsr(MSR_APIC_BASE, base | APIC_BASE_X2APIC);
    wr(REG_TPR, 0);
    wr(REG_SVR, SVR_ENABLE | IRQ_VECTOR_SPURIOUS);
    wr(REG_LVT_TIMER, LVT_MASKED);
    wr(REG_LVT_LINT0, LVT_MASKED);
    program_nmi(uid_of(lapic_id()));
    wr(REG_ESR, 0);
    wr(REG_ESR, 0);
    wr(REG_LVT_ERROR, IRQ_VECTOR_ERROR);
    wr(REG_TIMER_DIV, TIMER_DIV_16);
    lapic_eoi(); /* clear anything the firmware left in service */
    if (first) {
        irq_register(IRQ_VECTOR_ERROR, error_irq, NULL);
        if (acpi_system()->have_madt && acpi_system()->madt.cpu_count > 1)
            park_other_cpus();
        irq_eoi_hook = eoi_hook;
        ready = true;
        kprintf("lapic: %s mode, id %u, version %x\n", x2apic ? "x2APIC" : "xAPIC", lapic_id(), rd(REG_VERSION) & 0xFF);
    }
}

#define ICR_FIXED (0u << 8)
#define ICR_NMI (4u << 8)
#define ICR_INIT (5u << 8)
#define ICR_STARTUP (6u << 8)
#define ICR_ASSERT (1u << 14)
#define ICR_PENDING (1u << 12)
#define ICR_ALL_BUT_SELF (3u << 18)

/* Writes the ICR (destination `dest` unless a shorthand is in `lo`) and waits for delivery. */
static void send_icr(uint32_t dest, uint32_t lo)
{
    if (x2apic) {
        wrmsr(X2APIC_MSR(REG_ICR_LO), (uint64_t)dest << 32 | lo);
        return;
    }
    uint64_t flags = irq_save();
    wr(REG_ICR_HI, dest << 24);
    wr(REG_ICR_LO, lo);
    for (int i = 0; i < 1000000 && (rd(REG_ICR_LO) & ICR_PENDING); i++)
        cpu_relax();
    irq_restore(flags);
}

void lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
    send_icr(apic_id, ICR_FIXED | ICR_ASSERT | vector);
}

void lapic_send_nmi_others(void)
{
    send_icr(0, ICR_NMI | ICR_ASSERT | ICR_ALL_BUT_SELF);
}

void lapic_send_init(uint32_t apic_id)
{
    send_icr(apic_id, ICR_INIT | ICR_ASSERT);
}

void lapic_send_sipi(uint32_t apic_id, uint8_t page)
{
    send_icr(apic_id, ICR_STARTUP | ICR_ASSERT | page);
}

/*
 * Sends INIT to every other CPU. Firmware (OVMF in particular) can leave the
 * APs spinning in a wait loop; under TCG those loops take host CPU time from
 * the BSP. INIT parks them in wait-for-SIPI, where SMP bring-up starts them.
 */
static void park_other_cpus(void)
{
    send_icr(0, ICR_INIT | ICR_ASSERT | ICR_ALL_BUT_SELF);
}

void lapic_timer_oneshot(uint8_t vector, uint32_t count)
{
    wr(REG_LVT_TIMER, vector);
    wr(REG_TIMER_DIV, TIMER_DIV_16);
    wr(REG_TIMER_INIT, count);
}

void lapic_timer_periodic(uint8_t vector, uint32_t count)
{
    wr(REG_LVT_TIMER, vector | LVT_PERIODIC);
    wr(REG_TIMER_DIV, TIMER_DIV_16);
    wr(REG_TIMER_INIT, count);
}

void lapic_timer_stop(void)
{
    wr(REG_TIMER_INIT, 0);
    wr(REG_LVT_TIMER, LVT_MASKED);
}

uint32_t lapic_timer_current(void)
{
    return rd(REG_TIMER_CUR);
}
