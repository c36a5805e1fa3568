/* Multiprocessor bring-up and IPIs (kernel/arch/x86_64/smp.c, ipi.c). */
#ifndef ARCH_SMP_H
#define ARCH_SMP_H

#include <stddef.h>
#include <stdint.h>

#define IPI_VECTOR_RESCHED 0xE0
#define IPI_VECTOR_TLB 0xE1

struct addr_space;
struct cpu;

/* Starts every other CPU the MADT lists; logs how many came up. */
void smp_init(void);

/* Describes the boot CPU in cpus[0] and installs the IPI handlers. */
void smp_init_bsp(void);
void ipi_init(void);

/* Starts this CPU's scheduler tick (periodic LAPIC timer). */
void smp_start_tick(void);

/* Interrupts CPU c so that it reschedules. */
void ipi_reschedule(struct cpu *c);

/*
 * Invalidates [va, va+len) of `as` (NULL: the kernel half) in every other
 * online CPU's TLB and returns when all have done it.
 */
void smp_tlb_shootdown(struct addr_space *as, uintptr_t va, size_t len);

/* Answers a pending shootdown request for this CPU, if any (spin loops call it). */
void smp_tlb_poll(void);

/* Stops every other CPU (panic): an NMI to all but this one. */
void smp_halt_others(void);

#endif
