/*
 * The local APIC of each CPU: x2APIC mode (MSRs) when CPUID.1:ECX[21] says
 * the CPU has it, xAPIC (MMIO at the MADT's address) otherwise. The timer
 * here is raw (counts at the APIC timer clock / 16); calibrated, callback
 * based timers are in <arch/timer.h>.
 */
#ifndef ARCH_LAPIC_H
#define ARCH_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Enables this CPU's LAPIC: x2APIC if available, spurious vector 0xFF, the
 * error vector, LINT0 masked (the 8259s are not used), LINT1 as NMI where
 * the MADT says so, task priority 0. The BSP calls it first (it maps the
 * xAPIC registers, and sends INIT to the other CPUs so that none is left
 * running firmware code); every AP calls it for itself later.
 */
void lapic_init_cpu(void);

/* True once lapic_init_cpu ran on the BSP. */
bool lapic_ready(void);
bool lapic_x2apic(void);

/* This CPU's APIC ID (the full 32 bits in x2APIC mode). */
uint32_t lapic_id(void);

/* Signals end of interrupt for the vector being serviced. */
void lapic_eoi(void);

/*
 * Inter-processor interrupts (physical destination = APIC ID; each waits
 * until the LAPIC has sent the message):
 *   lapic_send_ipi: fixed-delivery `vector` to one CPU;
 *   lapic_send_nmi_others: an NMI to every CPU but this one (panic stop);
 *   lapic_send_init / lapic_send_sipi: the AP start-up sequence, SIPI
 *   starting the CPU in real mode at physical page `page` (address page << 12).
 */
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);
void lapic_send_nmi_others(void);
void lapic_send_init(uint32_t apic_id);
void lapic_send_sipi(uint32_t apic_id, uint8_t page);

/*
 * Timer: counts down from `count` ticks at the APIC timer rate divided by
 * 16, then raises `vector` once (one-shot) or every `count` ticks
 * (periodic). count 0 stops it. lapic_timer_current() reads the counter.
 */
void lapic_timer_oneshot(uint8_t vector, uint32_t count);
void lapic_timer_periodic(uint8_t vector, uint32_t count);
void lapic_timer_stop(void);
uint32_t lapic_timer_current(void);

#endif
