HOST_TESTS += acpi
HOST_TEST_SRCS_acpi := kernel/acpi/tables.c kernel/acpi/madt.c kernel/acpi/fixed.c
