/* The 8254 PIT: a fallback reference clock and a real ISA IRQ 0 source for tests. */
#ifndef ARCH_PIT_H
#define ARCH_PIT_H

#include <stdbool.h>
#include <stdint.h>

#define PIT_HZ 1193182u

/* True if channel 0's counter moves (probed once; false on machines without a PIT). */
bool pit_present(void);

/*
 * A free-running tick count of channel 0 (mode 2, reload 65536) that the
 * caller must sample at least every 50 ms: each call adds the ticks since
 * the previous call. pit_ticks_start() (re)programs the channel.
 */
void pit_ticks_start(void);
uint64_t pit_ticks(void);

/* Channel 0 in rate-generator mode at `hz`: IRQ 0 fires at that rate. */
void pit_periodic(uint32_t hz);

#endif
