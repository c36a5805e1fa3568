# kernel/mm: physical and virtual memory, kernel heap (and the x86-64 paging
# and CPU-feature code they drive), with their in-kernel tests and benchmarks.
KERNEL_SRCS += \
    kernel/mm/mm.c \
    kernel/mm/frame_bitmap.c \
    kernel/mm/pmm.c \
    kernel/mm/hhdm.c \
    kernel/mm/vmm.c \
    kernel/mm/vmm_boot.c \
    kernel/mm/kva.c \
    kernel/mm/kstack.c \
    kernel/mm/heap_core.c \
    kernel/mm/kheap.c \
    kernel/mm/umem.c \
    kernel/arch/x86_64/paging.c \
    kernel/arch/x86_64/cpu_features.c

KERNEL_SRCS += \
    kernel/test/test_mm.c \
    kernel/test/bench_mm.c
