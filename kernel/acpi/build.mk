# kernel/acpi: ACPI table parsing (pure, host-tested) and the kernel's glue.
KERNEL_SRCS += \
    kernel/acpi/tables.c \
    kernel/acpi/madt.c \
    kernel/acpi/fixed.c \
    kernel/acpi/acpi_init.c \
    kernel/test/test_acpi.c
