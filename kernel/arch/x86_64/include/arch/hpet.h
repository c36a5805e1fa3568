/* The HPET's main counter, used as the reference clock for calibration. */
#ifndef ARCH_HPET_H
#define ARCH_HPET_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Maps the HPET the ACPI HPET table names and starts its main counter
 * (legacy replacement stays off; no comparator is used). Returns false,
 * having logged why, when there is none (e.g. microvm).
 */
bool hpet_init(void);

bool hpet_present(void);
/* The main counter (zero-extended when the counter is 32-bit). */
uint64_t hpet_counter(void);
/* Counter frequency in Hz (10^15 / period in femtoseconds). */
uint64_t hpet_hz(void);

#endif
