# kernel/arch/x86_64: CPU tables, interrupts, timers (the entry stub and
# consoles are listed in kernel/build.mk).
KERNEL_SRCS += \
    kernel/arch/x86_64/arch_init.c
