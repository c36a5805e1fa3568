# kernel/syscall: the dispatch table generated from abi/include/mnos/syscalls.h,
# user-memory copies, and the handlers (one file per group of calls). The
# SYSCALL entry itself is kernel/arch/x86_64/syscall.S.
KERNEL_SRCS += \
    kernel/syscall/dispatch.c \
    kernel/syscall/uaccess.c \
    kernel/syscall/sys_process.c \
    kernel/syscall/sys_cap.c \
    kernel/syscall/sys_port.c \
    kernel/syscall/sys_ipc.c \
    kernel/syscall/sys_mem.c \
    kernel/syscall/sys_notify.c \
    kernel/syscall/sys_pci.c

# The Ring 3 tests (programs from user/tests/ in the initrd).
KERNEL_SRCS += kernel/test/user_harness.c kernel/test/test_user.c kernel/test/test_user_ipc.c kernel/test/test_user_objs.c \
    kernel/test/bench_user.c
