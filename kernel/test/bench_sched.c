/*
 * Scheduler benchmarks (make bench; guest instructions under -icount).
 *   sched.yield_switch        per switch, two threads yielding to each other on CPU 0
 *   sched.thread_create_exit  create + start + exit + join + reap of a kernel thread
 *   sched.cross_cpu_wakeup    from waking a thread blocked on CPU 1 to it running
 *                             (needs two CPUs; with one it reports "not measured")
 */
#include <arch/cpu.h>

#include "debug/log.h"
#include "sched/sched.h"
#include "sched/waitq.h"
#include "test/kbench.h"

#define YIELDS 20000

static void yielder(void *arg)
{
    (void)arg;
    for (int i = 0; i < YIELDS; i++)
        sched_yield();
}

KBENCH(yield_switch, "sched.yield_switch")
{
    struct thread *a = thread_create("yield-a", yielder, NULL, 0, 0);
    struct thread *b = thread_create("yield-b", yielder, NULL, 0, 0);
    thread_set_affinity(a, 1);
    thread_set_affinity(b, 1);
    uint64_t s0 = cpus[0].switches;
    uint64_t t0 = rdtsc();
    thread_start(a);
    thread_start(b);
    thread_join(a);
    thread_join(b);
    uint64_t t1 = rdtsc();
    uint64_t switches = cpus[0].switches - s0;
    thread_put(a);
    thread_put(b);
    return switches ? (t1 - t0) / switches : 0;
}

static void nop(void *arg)
{
    (void)arg;
}

KBENCH(thread_create_exit, "sched.thread_create_exit")
{
    const int n = 500;
    uint64_t live0 = thread_live_count();
    uint64_t t0 = rdtsc();
    for (int i = 0; i < n; i++) {
        struct thread *t = thread_create("bench", nop, NULL, 1, 0);
        thread_start(t);
        thread_join(t);
        thread_put(t);
    }
    while (thread_live_count() > live0)
        sched_yield(); /* let the reaper finish: its work is part of the cost */
    return (rdtsc() - t0) / n;
}

static struct waitq wake_wq = WAITQ_INIT("bench wake");
static volatile uint64_t woke_at;
static volatile bool wake_flag;

static void wake_target(void *arg)
{
    (void)arg;
    for (int i = 0; i < 32; i++) {
        spin_lock(&wake_wq.lock);
        while (!wake_flag)
            if (waitq_wait_locked(&wake_wq) == SCHED_KILLED) {
                spin_unlock(&wake_wq.lock);
                return;
            }
        wake_flag = false;
        woke_at = rdtsc();
        spin_unlock(&wake_wq.lock);
    }
}

static uint64_t one_wake(void *arg)
{
    (void)arg;
    /* Give the target time to block on CPU 1. */
    for (int i = 0; i < 50; i++)
        sched_yield();
    woke_at = 0;
    uint64_t t0 = rdtsc();
    spin_lock(&wake_wq.lock);
    wake_flag = true;
    spin_unlock(&wake_wq.lock);
    waitq_wake_one(&wake_wq);
    while (!woke_at)
        cpu_relax();
    return woke_at - t0;
}

KBENCH(cross_cpu_wakeup, "sched.cross_cpu_wakeup")
{
    if (cpu_count < 2)
        return KBENCH_NOT_MEASURED;
    struct thread *t = thread_create("wake-target", wake_target, NULL, 0, 0);
    thread_set_affinity(t, 2);
    thread_start(t);
    uint64_t v = kbench_median(one_wake, NULL, 31);
    /* let the target finish its remaining rounds */
    for (int i = 0; i < 1; i++) {
        spin_lock(&wake_wq.lock);
        wake_flag = true;
        spin_unlock(&wake_wq.lock);
        waitq_wake_one(&wake_wq);
    }
    thread_kill(t);
    thread_join(t);
    thread_put(t);
    return v;
}
