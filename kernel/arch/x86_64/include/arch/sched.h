/* The architecture side of thread switching. */
#ifndef ARCH_SCHED_H
#define ARCH_SCHED_H

#include <stdint.h>

struct thread;

/* Saves prev's callee-saved registers and RSP, loads next's (switch.S). */
void arch_switch(uint64_t *save_rsp, uint64_t load_rsp);

/*
 * Everything a switch needs besides the registers: FPU state (only for
 * threads that have an area), the address space (CR3 only when it changes),
 * and the stack the CPU takes on an interrupt from Ring 3 (TSS RSP0). Then
 * the register switch itself. Interrupts off.
 */
void arch_switch_to(struct thread *prev, struct thread *next);

/* Prepares a new thread's kernel stack so that its first switch runs entry(arg). */
void arch_thread_stack_init(struct thread *t);

#endif
