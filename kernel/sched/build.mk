# kernel/sched: threads, processes, the scheduler, wait queues, the reaper.
KERNEL_SRCS += \
    kernel/sched/sched.c \
    kernel/sched/sched_init.c \
    kernel/sched/thread.c \
    kernel/sched/process.c \
    kernel/sched/uthread.c \
    kernel/sched/waitq.c \
    kernel/arch/x86_64/switch.S \
    kernel/arch/x86_64/sched_arch.c \
    kernel/arch/x86_64/fpu.c \
    kernel/arch/x86_64/smp.c \
    kernel/arch/x86_64/trampoline.S \
    kernel/arch/x86_64/ipi.c \
    kernel/test/test_sched.c \
    kernel/test/bench_sched.c
