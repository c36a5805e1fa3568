/*
 * The scheduler: preemptive, priority round robin, per-CPU run queues with
 * work stealing, driven by each CPU's LAPIC timer tick.
 *
 * Locking: each run queue has a spinlock (interrupts off while held). A
 * thread's state changes with atomic compare-and-swap; a thread that is
 * still running on a CPU (on_cpu set) may already be queued elsewhere, and
 * the CPU that picks it waits for the old CPU to finish switching away.
 */
#ifndef SCHED_SCHED_H
#define SCHED_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "sched/cpu.h"
#include "sched/thread.h"

/* Result of a wait that was ended by thread_kill. */
#define SCHED_KILLED (-100)

/* The boot CPU becomes cpus[0]; kmain's context becomes its first thread. */
void sched_init_bsp(void);

/*
 * Makes the calling CPU (already described by cpus[id]) schedulable: its
 * per-CPU block, idle thread, and the current context as a thread.
 */
void sched_init_cpu(struct cpu *c, const char *boot_thread_name);

/* The thread running on this CPU. */
static inline struct thread *sched_current(void)
{
    return percpu_current();
}

/* Gives up the CPU to the next ready thread of the same or higher priority. */
void sched_yield(void);

/*
 * Blocks the calling thread (its state must already be THREAD_BLOCKED, set
 * by the caller while it held the lock that guards the wake-up condition)
 * and returns the wake result passed to sched_wake.
 */
int sched_block(void);

/*
 * Makes a blocked thread ready; `result` becomes the return value of its
 * sched_block. Returns false if t was not blocked (already woken).
 */
bool sched_wake(struct thread *t, int result);

/*
 * IPC's direct switch (the call/reply fast path). With interrupts off, the
 * calling thread's state already THREAD_BLOCKED (or made READY by a waker
 * meanwhile), and `next` a blocked thread the caller owns (taken off an IPC
 * queue under its lock, so nobody else will wake it): runs `next` on this
 * CPU at once, with `result` as its wake result, without touching any run
 * queue; `next` inherits what is left of the caller's quantum. Returns true
 * when the caller has been switched back to (its own wake result is then in
 * sched_current()->wake_result), false — having changed nothing — when next
 * may not run here now (affinity, still switching away on another CPU,
 * lower priority): the caller then wakes it the ordinary way.
 */
bool sched_switch_direct(struct thread *next, int result);

/* Sleeps at least ns nanoseconds (woken on the first tick after). Returns 0 or SCHED_KILLED. */
int sched_sleep_ns(uint64_t ns);

/* Called by each CPU's timer interrupt: accounting, sleepers, preemption. */
void sched_tick(void);

/* Called on the way out of an interrupt: switches if a reschedule is due. */
void sched_irq_exit(bool interrupted_with_irqs_on);

/* The scheduling quantum in ticks, and the tick length. */
extern uint32_t sched_quantum_ticks;
extern uint64_t sched_tick_ns;

/* Enqueues t (READY) on CPU c's run queue and pokes c if it is idle. */
void sched_enqueue(struct cpu *c, struct thread *t);

/* The CPU with the fewest ready threads that t may run on. */
struct cpu *sched_pick_cpu(struct thread *t);

/* Hook for a "reschedule" IPI; set by the SMP code. */
extern void (*sched_kick_cpu)(struct cpu *c);

/*
 * Set by the SMP code: called (interrupts off) just before an idle CPU
 * halts, and before it runs anything after halting (lazy TLB flushing).
 */
extern void (*sched_idle_enter_hook)(void);

/*
 * TSC ticks all CPUs have spent halted in their idle loops since boot
 * (IDLE_TSC). Under QEMU's -icount sleep=off the TSC counts retired
 * instructions and leaps over halted time, so a benchmark subtracts this
 * to count only the instructions executed.
 */
extern uint64_t sched_idle_tsc;

/* Ends this CPU's halted span, if it is in one (the interrupt entry hook: the handler's work is not idle time). */
void sched_idle_span_end(void);
extern void (*sched_idle_exit_hook)(void);

/* The idle loop each CPU ends up in. */
__attribute__((noreturn)) void sched_idle_loop(void);

#endif
