/* Monotonic time since boot, from the TSC. */
#ifndef ARCH_TIME_H
#define ARCH_TIME_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Calibrates the TSC (CPUID leaf 0x15/0x16 when they give a frequency,
 * otherwise against PIT channel 0) and makes `boot_tsc`, the TSC read by the
 * entry stub's first instructions, time zero.
 */
void time_init(uint64_t boot_tsc);

/* Nanoseconds since the kernel's first instruction (0 before time_init). */
uint64_t ktime_ns(void);

/* TSC ticks since the kernel's first instruction. */
uint64_t ktime_ticks(void);

/* The TSC value at kernel entry (what ktime_ticks counts from): userspace's boot figures start there. */
uint64_t ktime_boot_tsc(void);

/* The calibrated TSC frequency in Hz, and how it was found. */
uint64_t time_tsc_hz(void);
const char *time_tsc_source(void);

/* True when the TSC rate came from CPUID (exact), not from a measurement. */
bool time_tsc_precise(void);

/*
 * Replaces the TSC rate with a better measurement (e.g. against the HPET).
 * ktime_ns() stays continuous and monotonic across the change.
 */
void time_set_tsc_hz(uint64_t hz, const char *source);

/* Busy-waits at least `ns` nanoseconds (interrupts keep running). */
void ksleep_ns(uint64_t ns);

#endif
