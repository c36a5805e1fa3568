/*
 * Ring 3 benchmarks. syscall.null: user/tests/null.c times SAMPLES null
 * system calls (a number the kernel does not implement: SYSCALL entry,
 * dispatch, SYSRET) with rdtsc around each and exits with the median, so
 * the figure includes the rdtsc/lfence pair, as the Linux getpid
 * reference does.
 */
#include "debug/log.h"
#include "loader/spawn.h"
#include "sched/process.h"
#include "sched/sched.h"
#include "test/kbench.h"

KBENCH(syscall_null, "syscall.null")
{
    struct process *p;
    struct thread *t;
    if (spawn_from_initrd("bin/null", 0, &p, &t) != MN_ERR_OK) {
        log_error("bench_user: cannot spawn bin/null\n");
        return KBENCH_NOT_MEASURED;
    }
    thread_start(t);
    int64_t median = process_wait(p);
    thread_put(t);
    process_put(p);
    return median < 0 ? KBENCH_NOT_MEASURED : (uint64_t)median;
}
