/*
 * SMP bring-up and inter-processor interrupts.
 *
 * Every CPU the MADT lists (enabled or online-capable) other than the boot
 * CPU is started with INIT / SIPI / SIPI through the real-mode trampoline
 * (trampoline.S) at TRAMP_BASE, one at a time. The trampoline's page tables
 * live just above it (below 1 MiB, which the PMM never hands out): an
 * identity map of the first 2 MiB plus the kernel half copied from the
 * kernel's PML4. A CPU that does not come up within its time is reported and
 * skipped.
 *
 * IPIs: reschedule (wake an idle CPU), TLB shootdown (vmm_tlb_flush_range on
 * every other CPU, waiting for each to acknowledge), and halt (panic stops
 * the other CPUs through an NMI).
 */
#include <arch/cpu.h>
#include <arch/cpu_features.h>
#include <arch/gdt.h>
#include <arch/idt.h>
#include <arch/lapic.h>
#include <arch/paging.h>
#include <arch/smp.h>
#include <arch/syscall.h>
#include <arch/time.h>
#include <arch/timer.h>

#include "acpi/system.h"
#include "debug/log.h"
#include "debug/panic.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/hhdm.h"
#include "mm/kstack.h"
#include "mm/vmm.h"
#include "sched/sched.h"

#define TRAMP_BASE 0x8000
#define TRAMP_PML4 0x9000
#define TRAMP_PDPT 0xA000
#define TRAMP_PD 0xB000
#define AP_STACK_PAGES 4
#define IST_PAGES 2

extern const char trampoline_start[], trampoline_end[];
extern const char tr_cr3[], tr_efer[], tr_stack[], tr_cpu[], tr_entry[];

static volatile bool ap_started;

/* A trampoline data slot, reached through the HHDM copy. */
static void *tramp_slot(const char *sym)
{
    return (uint8_t *)phys_to_virt(TRAMP_BASE) + (sym - trampoline_start);
}

static void delay_us(uint64_t us)
{
    uint64_t end = ktime_ns() + us * 1000;
    while (ktime_ns() < end)
        cpu_relax();
}

/* Descriptor tables for one CPU, with guarded IST stacks. */
static struct cpu_tables *tables_alloc(void)
{
    struct cpu_tables *t = kzalloc(sizeof *t);
    if (!t)
        return NULL;
    for (int i = 1; i <= IST_COUNT; i++) {
        void *top = kstack_alloc(IST_PAGES);
        if (!top)
            return NULL; /* the caller treats the CPU as failed; a few pages may stay allocated */
        gdt_set_ist(t, i, top);
    }
    return t;
}

/* The C side of an AP's start: runs on the stack smp_init gave it. */
__attribute__((noreturn)) static void ap_entry(struct cpu *c)
{
    percpu_install(c); /* before anything takes a lock (LOCK_DEBUG reads the CPU number) */
    ap_started = true;
    addr_space_activate(&kernel_as);
    cpu_features_enable();
    gdt_init_cpu(c->arch);
    idt_init_cpu();
    syscall_init_cpu(c);
    lapic_init_cpu();
    char name[16];
    ksnprintf(name, sizeof name, "idle/%u", c->id);
    sched_init_cpu(c, name);
    smp_start_tick();
    sched_idle_loop();
}

static void tramp_tables(void)
{
    uint64_t *pml4 = phys_to_virt(TRAMP_PML4), *pdpt = phys_to_virt(TRAMP_PDPT), *pd = phys_to_virt(TRAMP_PD);
    memset(pml4, 0, 4096);
    memset(pdpt, 0, 4096);
    memset(pd, 0, 4096);
    pd[0] = PTE_P | PTE_W | PTE_PS; /* 0..2 MiB identity, executable */
    pdpt[0] = TRAMP_PD | PTE_P | PTE_W;
    pml4[0] = TRAMP_PDPT | PTE_P | PTE_W;
    const uint64_t *kpml4 = phys_to_virt(kernel_as.pml4);
    for (int i = 256; i < 512; i++)
        pml4[i] = kpml4[i];
}

/* Starts one AP; true once it is online. */
static bool start_ap(struct cpu *c)
{
    void *stack = kstack_alloc(AP_STACK_PAGES);
    c->arch = tables_alloc();
    if (!stack || !c->arch)
        return false;
    *(uint64_t *)tramp_slot(tr_stack) = (uint64_t)(uintptr_t)stack;
    *(uint64_t *)tramp_slot(tr_cpu) = (uint64_t)(uintptr_t)c;
    *(uint64_t *)tramp_slot(tr_entry) = (uint64_t)(uintptr_t)ap_entry;
    c->idle_stack_top = stack;
    c->self = c;
    ap_started = false;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);

    lapic_send_init(c->apic_id);
    delay_us(1000);
    for (int attempt = 0; attempt < 2 && !ap_started; attempt++) {
        lapic_send_sipi(c->apic_id, TRAMP_BASE >> 12);
        for (int i = 0; i < 100 && !ap_started; i++)
            delay_us(100);
    }
    if (!ap_started)
        return false;
    for (int i = 0; i < 2000 && !__atomic_load_n(&c->online, __ATOMIC_ACQUIRE); i++)
        delay_us(100);
    return c->online;
}

void smp_init_bsp(void)
{
    cpus[0].apic_id = lapic_ready() ? lapic_id() : 0;
    cpus[0].arch = &bsp_tables;
    ipi_init();
}

void smp_init(void)
{
    const struct acpi_system *acpi = acpi_system();
    if (!acpi->have_madt || !lapic_ready()) {
        kprintf("smp: no MADT or LAPIC: running on the boot CPU only\n");
        return;
    }
    memcpy(phys_to_virt(TRAMP_BASE), trampoline_start, (size_t)(trampoline_end - trampoline_start));
    tramp_tables();
    *(uint32_t *)tramp_slot(tr_cr3) = TRAMP_PML4;
    *(uint32_t *)tramp_slot(tr_efer) = (1u << 8) | (cpu_features.nx ? 1u << 11 : 0);

    uint32_t me = lapic_id(), next_id = 1, failed = 0;
    for (uint32_t i = 0; i < acpi->madt.cpu_count && next_id < MAX_CPUS; i++) {
        uint32_t apic = acpi->madt.cpus[i].apic_id, flags = acpi->madt.cpus[i].flags;
        if (apic == me || !(flags & 3))
            continue; /* the boot CPU, or neither enabled nor online-capable */
        struct cpu *c = &cpus[next_id];
        c->id = next_id;
        c->apic_id = apic;
        if (start_ap(c)) {
            next_id++;
        } else {
            log_warn("smp: CPU with APIC id %u did not start; skipped\n", apic);
            memset(c, 0, sizeof *c);
            failed++;
        }
    }
    kprintf("smp: %u CPUs online%s\n", cpu_count, failed ? " (some failed to start)" : "");
}
