# kernel/ipc: synchronous endpoints (calls, replies, capability transfer), notifications, IRQ lines.
KERNEL_SRCS += \
    kernel/ipc/endpoint.c \
    kernel/ipc/notification.c \
    kernel/ipc/irqline.c
