# kernel/cap: CNodes and the capability derivation tree (pure bookkeeping;
# the kernel's glue provides cap_lock and the object release callbacks).
# Host-tested by tests/host/test_cap.c, fuzzed by tests/fuzz/fuzz_cap.c.
KERNEL_SRCS += \
    kernel/cap/cap.c \
    kernel/cap/cnode.c \
    kernel/cap/cspace.c \
    kernel/cap/cap_bench.c

# The in-kernel test `cap_core` and the benchmarks cap.derive and
# cap.revoke_1000 (73 KiB of BSS for their CNodes).
KERNEL_SRCS += kernel/cap/cap_selftest.c
