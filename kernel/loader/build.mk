# kernel/loader: ELF64 validation (elf.c); the mapping of the segments it
# returns belongs with process creation. Host-tested by tests/host/test_elf.c,
# fuzzed by tests/fuzz/fuzz_elf.c.
KERNEL_SRCS += \
    kernel/loader/elf.c \
    kernel/loader/initrd.c \
    kernel/loader/load.c \
    kernel/loader/spawn.c \
    kernel/loader/startup.c \
    kernel/loader/init.c

# TarFS (the initrd) is shared with Ring 3; its build.mk has the object rule.
include lib/tarfs/build.mk
KERNEL_SRCS += $(TARFS_SRCS)
