/*
 * Per-CPU data through GS: each CPU's GS base points at its `struct cpu`
 * (kernel/sched/cpu.h), whose first field points at itself, so this_cpu()
 * is one load. The kernel runs with its own GS base active; SYSCALL entry
 * and exit will `swapgs` to keep the user's GS base in KERNEL_GS_BASE.
 */
#ifndef ARCH_PERCPU_H
#define ARCH_PERCPU_H

#include <arch/cpu.h>
#include <stdbool.h>
#include <stdint.h>

#define MSR_GS_BASE 0xC0000101
#define MSR_KERNEL_GS_BASE 0xC0000102

struct cpu;
struct thread;

/* Offset of struct cpu's `current` (kernel/sched/cpu.h; checked in syscall.c). */
#define PERCPU_OFF_CURRENT 32

static inline struct cpu *this_cpu(void)
{
    struct cpu *c;
    __asm__ volatile("movq %%gs:0, %0" : "=r"(c));
    return c;
}

/*
 * The thread running this code, in one load. Not volatile and no memory
 * operand on purpose: for a given thread the answer never changes (it is
 * `current` on whichever CPU runs it), so the compiler may reuse it.
 */
static inline struct thread *percpu_current(void)
{
    struct thread *t;
    __asm__("movq %%gs:%c1, %0" : "=r"(t) : "i"(PERCPU_OFF_CURRENT));
    return t;
}

/* Set once the boot CPU's GS base points at its per-CPU block. */
extern volatile bool percpu_ready;

/*
 * This CPU's logical number (struct cpu's `id`, at offset 8), usable before
 * the scheduler runs: 0 until the boot CPU has its per-CPU block. Every
 * other CPU installs its block before it takes any lock.
 */
static inline uint32_t percpu_index(void)
{
    uint32_t id;
    if (!percpu_ready)
        return 0;
    __asm__ volatile("movl %%gs:8, %0" : "=r"(id));
    return id;
}

/* Makes `c` this CPU's per-CPU block (c's first word must point at c). */
static inline void percpu_install(struct cpu *c)
{
    wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)c);
    wrmsr(MSR_KERNEL_GS_BASE, 0);
    percpu_ready = true;
}

#endif
