/*
 * Per-CPU data through GS: each CPU's GS base points at its `struct cpu`
 * (kernel/sched/cpu.h), whose first field points at itself, so this_cpu()
 * is one load. The kernel runs with its own GS base active; SYSCALL entry
 * and exit will `swapgs` to keep the user's GS base in KERNEL_GS_BASE.
 */
#ifndef ARCH_PERCPU_H
#define ARCH_PERCPU_H

#include <arch/cpu.h>
#include <stdint.h>

#define MSR_GS_BASE        0xC0000101
#define MSR_KERNEL_GS_BASE 0xC0000102

struct cpu;

static inline struct cpu *this_cpu(void)
{
    struct cpu *c;
    __asm__ volatile("movq %%gs:0, %0" : "=r"(c));
    return c;
}

/* Makes `c` this CPU's per-CPU block (c's first word must point at c). */
static inline void percpu_install(struct cpu *c)
{
    wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)c);
    wrmsr(MSR_KERNEL_GS_BASE, 0);
}

#endif
