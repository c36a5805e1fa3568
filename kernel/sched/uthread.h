/*
 * User threads: kernel threads whose entry builds an interrupt frame at the
 * top of their kernel stack and drops to Ring 3 through IRETQ. Every entry
 * into the kernel from Ring 3 (SYSCALL, interrupt, exception) lands on that
 * stack (TSS.RSP0), and every way back checks whether the thread was killed.
 */
#ifndef SCHED_UTHREAD_H
#define SCHED_UTHREAD_H

#include <stdint.h>

struct process;
struct thread;

/*
 * A new thread of p (not started: thread_start it, then thread_put the
 * handle stored in *out) that enters Ring 3 at rip with stack pointer rsp
 * and `arg` in RDI. It has an FPU state area. Returns MN_ERR_OK,
 * MN_ERR_NO_MEMORY, or process_add_thread's errors (p dying, too many
 * threads).
 */
int uthread_create(struct process *p, const char *name, uint64_t rip, uint64_t rsp, uint64_t arg, struct thread **out);

/*
 * The first half of uthread_create: the thread, not yet in any process
 * (process_add_thread it, or thread_discard it). NULL when out of memory.
 */
struct thread *uthread_prepare(const char *name, uint64_t rip, uint64_t rsp, uint64_t arg);

/* Installs the user-return and user-fault hooks (once, at boot). */
void userspace_init(void);

#endif
