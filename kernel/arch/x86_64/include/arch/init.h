/* CPU and interrupt bring-up, in two steps around memory management. */
#ifndef ARCH_INIT_H
#define ARCH_INIT_H

#include "boot/boot_info.h"

/* Before memory management: exception handling on static tables. */
void arch_early_init(void);
/* After memory management: TSS/IST stacks, ACPI, APICs, timers. */
void arch_late_init(const struct boot_info *bi);

#endif
