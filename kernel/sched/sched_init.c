/*
 * Making a CPU schedulable. The context that calls sched_init_cpu (kmain on
 * the boot CPU, the AP entry on the others) becomes that CPU's idle thread:
 * it goes on to sched_idle_loop once it has started whatever it wants to run.
 */
#include <arch/fpu.h>
#include <arch/idt.h>
#include <arch/percpu.h>

#include "debug/log.h"
#include "debug/panic.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "sched/sched.h"

void reaper_start(void);

static struct thread bsp_idle;
extern char boot_stack64_top[];

void sched_init_cpu(struct cpu *c, const char *idle_name)
{
    c->self = c;
    c->rq.lock = (spinlock_t)SPINLOCK_INIT("runqueue");
    percpu_install(c);
    struct thread *idle = c->id == 0 ? &bsp_idle : kzalloc(sizeof *idle);
    if (!idle)
        panic("sched: no memory for CPU %u's idle thread", c->id);
    idle->tid = 0;
    idle->state = THREAD_RUNNING;
    idle->priority = SCHED_PRIOS - 1;
    idle->affinity = 1ull << c->id;
    idle->cpu = (int)c->id;
    idle->on_cpu = 1;
    idle->refs = 1;
    idle->kstack_top = c->id == 0 ? boot_stack64_top : c->idle_stack_top;
    strlcpy(idle->name, idle_name, sizeof idle->name);
    c->idle = idle;
    c->current = idle;
    fpu_init_cpu();
    __atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
    __atomic_fetch_add(&cpu_count, 1, __ATOMIC_RELAXED);
}

void sched_init_bsp(void)
{
    cpus[0].id = 0;
    sched_init_cpu(&cpus[0], "idle/0");
    irq_enter_hook = sched_idle_span_end;
    reaper_start();
    kprintf("sched: %u priorities, %lu ms tick, quantum %u tick(s), FPU state by %s (%zu bytes)\n", SCHED_PRIOS,
            (unsigned long)(sched_tick_ns / 1000000), sched_quantum_ticks, fpu_mechanism(), fpu_state_size());
}
