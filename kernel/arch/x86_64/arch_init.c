/* CPU and interrupt bring-up (to be filled in: GDT/TSS/IDT, ACPI, APICs). */
#include <arch/init.h>

void arch_early_init(void)
{
}

void arch_late_init(const struct boot_info *bi)
{
    (void)bi;
}
