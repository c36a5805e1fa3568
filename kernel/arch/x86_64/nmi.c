/*
 * NMIs. After a panic on another CPU an NMI means "stop" (smp_halt_others).
 * Otherwise it is a request for a snapshot: each CPU prints where it is —
 * registers, the thread it runs, its run queue, a backtrace — straight to
 * COM1 (the log lock may be held by the very code the NMI interrupted), one
 * CPU at a time, and carries on. The test harness injects one through QEMU's
 * monitor when a boot hangs, so the log shows what every CPU was doing.
 */
#include <arch/cpu.h>
#include <arch/idt.h>
#include <arch/nmi.h>
#include <arch/percpu.h>
#include <arch/serial.h>

#include "debug/panic.h"
#include "lib/format.h"
#include "lib/string.h"
#include "sched/cpu.h"
#include "sched/thread.h"

extern const char __text_start[], __text_end[];

static volatile int dump_lock;

static void raw(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void raw(const char *fmt, ...)
{
    char buf[200];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    serial_write(buf, strlen(buf));
}

static void raw_symbol(const char *prefix, uintptr_t addr)
{
    uintptr_t off = 0;
    const char *name = ksyms_lookup(addr, &off);
    raw("%s%p %s+0x%lx\n", prefix, (void *)addr, name ? name : "?", (unsigned long)off);
}

static void print_thread(const struct thread *t)
{
    static const char *const states[] = {"ready", "running", "blocked", "dead"};
    raw("nmi:   thread %-12s tid %-5lu %-7s reason %d cpu %d on_cpu %d waitq %p kill %d\n", t->name, t->tid,
        t->state >= 0 && t->state < 4 ? states[t->state] : "?", t->reason, t->cpu, t->on_cpu, (void *)t->waitq,
        t->kill_pending);
}

void nmi_handle(struct int_frame *f)
{
    if (panic_in_progress())
        cpu_stop();
    /*
     * An NMI can land in the few instructions of SYSCALL entry or exit where
     * the user's GS base is live even though CS is the kernel's (isr.S
     * swaps only on a change of privilege). Read the MSR, as the per-CPU
     * data is needed below, and swap for the duration if it is not ours.
     */
    bool swapped = rdmsr(MSR_GS_BASE) < 0xFFFF800000000000ull && percpu_ready;
    if (swapped)
        __asm__ volatile("swapgs" ::: "memory");
    while (__atomic_exchange_n(&dump_lock, 1, __ATOMIC_ACQUIRE))
        cpu_relax();
    uint32_t id = percpu_index();
    raw("nmi: CPU %u%s\n", id, (f->cs & 3) ? " (user mode)" : "");
    raw_symbol("nmi:   at ", f->rip);
    raw("nmi:   rsp=%016lx rbp=%016lx rflags=%016lx\n", f->rsp, f->rbp, f->rflags);
    uintptr_t stack_top = 0;
    if (percpu_ready) {
        struct cpu *c = this_cpu();
        if (c->current)
            stack_top = (uintptr_t)c->current->kstack_top;
        struct thread *t = c->current;
        raw("nmi:   thread %s (tid %lu, state %d), %u ready here, need_resched %d, idle_halted %d\n", t ? t->name : "?",
            t ? t->tid : 0, t ? t->state : -1, c->rq.nr_ready, c->need_resched, c->idle_halted);
    }
    uintptr_t rbp = f->rbp;
    /* Only frames inside the thread's own stack: reading past its top could fault. */
    for (int depth = 0;
         depth < 16 && rbp && rbp % 8 == 0 && rbp >= 0xFFFF800000000000ull && (!stack_top || rbp + 16 <= stack_top);
         depth++) {
        const uintptr_t *frame = (const uintptr_t *)rbp;
        uintptr_t ret = frame[1];
        if (ret <= (uintptr_t)__text_start || ret - 1 >= (uintptr_t)__text_end)
            break;
        raw_symbol("nmi:   called from ", ret - 1);
        if (frame[0] <= rbp)
            break;
        rbp = frame[0];
    }
    if (id == 0) {
        raw("nmi: threads (newest first; racy snapshot):\n");
        thread_debug_walk(print_thread, 40);
    }
    __atomic_store_n(&dump_lock, 0, __ATOMIC_RELEASE);
    if (swapped)
        __asm__ volatile("swapgs" ::: "memory");
}
