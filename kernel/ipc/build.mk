# kernel/ipc: synchronous endpoints.
KERNEL_SRCS += \
    kernel/ipc/endpoint.c
