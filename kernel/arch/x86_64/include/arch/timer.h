/*
 * Timer events on the local APIC timer, calibrated at boot against the best
 * reference clock there is (HPET, else a CPUID-exact TSC, else the PIT,
 * else the CMOS RTC's 1024 Hz flag, else the boot-time TSC estimate).
 * The scheduler arms its quantum with timer_oneshot(); callbacks run in
 * interrupt context with interrupts off. One event per CPU (the scheduler
 * multiplexes its own), on the CPU that armed it (APIC IDs up to 255).
 */
#ifndef ARCH_TIMER_H
#define ARCH_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#include <mnos/errors.h>

typedef void (*timer_fn)(void *arg);

/*
 * Calibrates the LAPIC timer (and refines the TSC rate against the same
 * reference when CPUID did not give it). Needs lapic_init_cpu() and, optionally, hpet_init().
 * Returns false (logged) if there is no usable reference: timers then fail.
 */
bool timer_init(void);

/*
 * Calls fn(arg) once, `ns` nanoseconds from now (at least one timer tick),
 * replacing whatever event was armed on this CPU. Returns 0, MN_ERR_BAD_ARG
 * (fn is NULL) or MN_ERR_NOT_FOUND (no calibrated timer on this CPU: timer_init
 * failed, or its APIC ID is above 255).
 */
int timer_oneshot(uint64_t ns, timer_fn fn, void *arg);

/* Calls fn(arg) every `ns` nanoseconds until timer_cancel(). Same returns. */
int timer_periodic(uint64_t ns, timer_fn fn, void *arg);

/* Disarms this CPU's event (a callback already running completes). */
void timer_cancel(void);

/* The LAPIC timer's calibrated tick rate (after its divider), 0 if uncalibrated. */
uint64_t timer_lapic_hz(void);
/* Name of the reference the calibration used ("HPET", "TSC (cpuid)", "PIT", "RTC", ...). */
const char *timer_reference(void);

/* Nanoseconds on the reference clock (HPET when present, else ktime_ns). */
uint64_t timer_reference_ns(void);

#endif
