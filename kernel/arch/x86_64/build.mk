# kernel/arch/x86_64: CPU tables, interrupts, timers (the entry stub and
# consoles are listed in kernel/build.mk).
KERNEL_SRCS += \
    kernel/arch/x86_64/arch_init.c \
    kernel/arch/x86_64/gdt.c \
    kernel/arch/x86_64/idt.c \
    kernel/arch/x86_64/isr.S \
    kernel/arch/x86_64/exceptions.c \
    kernel/arch/x86_64/nmi.c \
    kernel/arch/x86_64/probe.c \
    kernel/arch/x86_64/probe_jmp.S \
    kernel/arch/x86_64/syscall.S \
    kernel/arch/x86_64/syscall.c \
    kernel/arch/x86_64/uaccess.S \
    kernel/arch/x86_64/uaccess_fixup.c \
    kernel/arch/x86_64/pic.c \
    kernel/arch/x86_64/lapic.c \
    kernel/arch/x86_64/ioapic.c \
    kernel/arch/x86_64/pci_io.c \
    kernel/arch/x86_64/hpet.c \
    kernel/arch/x86_64/pit.c \
    kernel/arch/x86_64/rtc.c \
    kernel/arch/x86_64/timer.c \
    kernel/test/test_intr.c \
    kernel/test/test_timer.c \
    kernel/test/bench_intr.c
include kernel/acpi/build.mk

