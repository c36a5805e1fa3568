/*
 * Inter-processor interrupts: reschedule, TLB shootdown, halt.
 *
 * A shootdown is one request at a time (tlb_lock). Its initiator may hold
 * locks with interrupts off while it waits, so a target that spins on a
 * lock with interrupts off could never take the IPI: every spin loop calls
 * smp_tlb_poll() (spinlock.h's wait hook), which answers the request there.
 *
 * CPUs halted in their idle loop are not interrupted: they are marked for a
 * full flush, which they do before running anything again (smp_idle_exit).
 * The initiator writes lazy_flush before reading idle_halted, the idle CPU
 * clears idle_halted before reading lazy_flush (both sequentially
 * consistent), so at least one of them sees the other.
 */
#include <arch/cpu.h>
#include <arch/idt.h>
#include <arch/lapic.h>
#include <arch/smp.h>
#include <arch/time.h>
#include <arch/timer.h>

#include "debug/log.h"
#include "mm/vmm.h"
#include "lib/spinlock.h"
#include "sched/sched.h"

static spinlock_t tlb_lock = SPINLOCK_INIT("tlb shootdown");
static struct {
    uintptr_t va;
    size_t len;
    volatile uint32_t pending; /* CPUs that have not acknowledged yet */
} tlb_req;
static volatile uint64_t tlb_wanted; /* bit n: CPU n has a request to answer */

#define FULL_FLUSH_PAGES 64

static void flush_local(uintptr_t va, size_t len)
{
    if (len / 4096 > FULL_FLUSH_PAGES) {
        uint64_t cr4;
        __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
        /* Toggling PGE drops global entries (the kernel half) as well. */
        __asm__ volatile("mov %0, %%cr4; mov %1, %%cr4" ::"r"(cr4 & ~0x80ull), "r"(cr4) : "memory");
        return;
    }
    for (uintptr_t p = va & ~0xFFFull; p < va + len; p += 4096)
        __asm__ volatile("invlpg (%0)" ::"r"(p) : "memory");
}

void smp_tlb_poll(void)
{
    if (!tlb_wanted)
        return;
    struct cpu *c = this_cpu();
    uint64_t bit = 1ull << c->id;
    if (!(__atomic_load_n(&tlb_wanted, __ATOMIC_ACQUIRE) & bit))
        return;
    flush_local(tlb_req.va, tlb_req.len);
    __atomic_fetch_and(&tlb_wanted, ~bit, __ATOMIC_ACQ_REL);
    __atomic_fetch_sub(&tlb_req.pending, 1, __ATOMIC_ACQ_REL);
}

void smp_tlb_shootdown(struct addr_space *as, uintptr_t va, size_t len)
{
    (void)as; /* every CPU is asked: cheap enough at this scale, and always right */
    if (cpu_count < 2)
        return;
    spin_lock(&tlb_lock);
    struct cpu *me = this_cpu();
    uint64_t targets = 0;
    uint32_t n = 0;
    for (uint32_t i = 0; i < MAX_CPUS; i++) {
        struct cpu *c = &cpus[i];
        if (!c->online || c == me)
            continue;
        __atomic_store_n(&c->lazy_flush, 1, __ATOMIC_SEQ_CST);
        if (__atomic_load_n(&c->idle_halted, __ATOMIC_SEQ_CST))
            continue; /* it flushes everything when it wakes */
        targets |= 1ull << i;
        n++;
    }
    tlb_req.va = va;
    tlb_req.len = len;
    tlb_req.pending = n;
    __atomic_store_n(&tlb_wanted, targets, __ATOMIC_RELEASE);
    for (uint32_t i = 0; i < MAX_CPUS; i++)
        if (targets & (1ull << i))
            lapic_send_ipi(cpus[i].apic_id, IPI_VECTOR_TLB);
    while (__atomic_load_n(&tlb_req.pending, __ATOMIC_ACQUIRE))
        cpu_relax();
    spin_unlock(&tlb_lock);
}

static void smp_idle_enter(void)
{
    __atomic_store_n(&this_cpu()->idle_halted, 1, __ATOMIC_SEQ_CST);
}

static void smp_idle_exit(void)
{
    struct cpu *c = this_cpu();
    if (!__atomic_exchange_n(&c->idle_halted, 0, __ATOMIC_SEQ_CST))
        return;
    if (__atomic_exchange_n(&c->lazy_flush, 0, __ATOMIC_SEQ_CST))
        flush_local(0, ~(size_t)0);
}

static void tlb_ipi(struct int_frame *f, void *ctx)
{
    (void)f, (void)ctx;
    smp_tlb_poll();
}

static void resched_ipi(struct int_frame *f, void *ctx)
{
    (void)f, (void)ctx;
    this_cpu()->need_resched = true; /* acted on at interrupt exit */
}

void ipi_reschedule(struct cpu *c)
{
    lapic_send_ipi(c->apic_id, IPI_VECTOR_RESCHED);
}

void smp_halt_others(void)
{
    if (cpu_count > 1 && lapic_ready())
        lapic_send_nmi_others();
}

static void tick(void *arg)
{
    (void)arg;
    sched_tick();
}

void smp_start_tick(void)
{
    if (timer_periodic(sched_tick_ns, tick, NULL) != 0)
        log_warn("sched: no timer on CPU %u: no preemption there\n", this_cpu()->id);
}

/* Preemption point at the end of every interrupt. */
static void irq_exit(struct int_frame *frame)
{
    sched_irq_exit(frame->rflags & (1u << 9));
}

void ipi_init(void)
{
    irq_register(IPI_VECTOR_RESCHED, resched_ipi, NULL);
    irq_register(IPI_VECTOR_TLB, tlb_ipi, NULL);
    sched_kick_cpu = ipi_reschedule;
    sched_idle_enter_hook = smp_idle_enter;
    sched_idle_exit_hook = smp_idle_exit;
    spin_wait_hook = smp_tlb_poll;
    vmm_remote_flush = smp_tlb_shootdown;
    irq_exit_hook = irq_exit;
}
