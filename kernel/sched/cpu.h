/*
 * Per-CPU state. Each CPU's block is reached with this_cpu() (GS base, see
 * <arch/percpu.h>); the array cpus[] holds them all, indexed by the logical
 * CPU number (0 = the boot CPU).
 */
#ifndef SCHED_CPU_H
#define SCHED_CPU_H

#include <arch/percpu.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/spinlock.h"

#define MAX_CPUS 64
#define SCHED_PRIOS 4 /* 0 is the highest priority */

struct thread;

/* One CPU's ready threads: a FIFO per priority. */
struct runqueue {
    spinlock_t lock;
    struct thread *head[SCHED_PRIOS];
    struct thread *tail[SCHED_PRIOS];
    volatile uint32_t nr_ready; /* threads queued (not counting the running one) */
};

struct cpu {
    struct cpu *self; /* must stay first: this_cpu() reads %gs:0 */
    uint32_t id; /* logical number, index into cpus[] */
    uint32_t apic_id;
    /* SYSCALL entry (syscall.S) reads these two at fixed offsets (<arch/syscall.h>). */
    uint64_t syscall_user_rsp; /* scratch: the user RSP while the entry switches stacks */
    uint64_t *syscall_rsp0; /* where this CPU keeps the running thread's kernel stack top (TSS.RSP0) */
    /* The SYSCALL exit path reads these two too (<arch/syscall.h>). */
    struct thread *current;
    volatile bool need_resched;
    volatile bool online;
    struct thread *idle;
    struct thread *prev; /* the thread switched away from, until the switch finishes */
    struct runqueue rq;
    volatile int idle_halted; /* in the idle loop's hlt: TLB shootdowns skip it (lazy) */
    uint64_t halted_since; /* TSC when its idle loop halted; 0 once the interrupt that woke it has begun */
    volatile int lazy_flush; /* a skipped shootdown: flush everything before running */
    void *arch; /* this CPU's descriptor tables (struct cpu_tables) */
    void *idle_stack_top; /* the stack its idle thread runs on (APs) */
    /* statistics, for tests and the log */
    uint64_t ticks;
    uint64_t switches;
    uint64_t idle_ticks;
    uint64_t enqueued; /* threads queued here (placement and wake-ups) */
    uint64_t stolen; /* threads this CPU took from other CPUs' queues */
};

_Static_assert(__builtin_offsetof(struct cpu, id) == 8, "percpu_index() reads struct cpu.id at %gs:8");

extern struct cpu cpus[MAX_CPUS];
extern volatile uint32_t cpu_count; /* CPUs online */

#endif
