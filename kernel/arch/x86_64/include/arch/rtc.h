/*
 * The CMOS RTC: register access (the IRQ 8 test uses its periodic
 * interrupt) and its seconds counter as the last-resort reference clock
 * for machines with neither HPET nor PIT (e.g. microvm with pit=off).
 */
#ifndef ARCH_RTC_H
#define ARCH_RTC_H

#include <stdbool.h>
#include <stdint.h>

/* True if something answers at the CMOS ports (registers A/B are not all ones). */
bool rtc_present(void);

/*
 * Seconds the RTC's clock has advanced since rtc_seconds_start(). Each call
 * polls the seconds register; poll at least every half second. A change of
 * the count is a second boundary, so timing from one change to the next
 * measures one second exactly (however long the vCPU was descheduled
 * in between, unlike counting periodic flags).
 */
void rtc_seconds_start(void);
uint64_t rtc_seconds(void);

uint8_t cmos_read(uint8_t reg);
void cmos_write(uint8_t reg, uint8_t value);

#endif
