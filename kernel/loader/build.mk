# kernel/loader: ELF64 validation (elf.c); the mapping of the segments it
# returns belongs with process creation. Host-tested by tests/host/test_elf.c,
# fuzzed by tests/fuzz/fuzz_elf.c.
KERNEL_SRCS += \
    kernel/loader/elf.c
