# kernel/mm: physical and virtual memory, kernel heap.
KERNEL_SRCS += \
    kernel/mm/hhdm.c \
    kernel/mm/mm.c
