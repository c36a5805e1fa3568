/* SYSCALL setup and the C side of the entry's slow paths (see syscall.S, <arch/syscall.h>). */
#include <arch/cpu.h>
#include <arch/gdt.h>
#include <arch/percpu.h>
#include <arch/syscall.h>
#include <stddef.h>

#include <mnos/syscalls.h>

#include "debug/log.h"
#include "sched/cpu.h"
#include "sched/process.h"
#include "sched/sched.h"
#include "sched/thread.h"

#define MSR_EFER 0xC0000080u
#define MSR_STAR 0xC0000081u
#define MSR_LSTAR 0xC0000082u
#define MSR_SFMASK 0xC0000084u
#define EFER_SCE (1ull << 0)
/* RFLAGS bits SYSCALL clears: TF (8), IF (9), DF (10), AC (18). NT (14) too, as Linux does. */
#define SFMASK_BITS ((1ull << 8) | (1ull << 9) | (1ull << 10) | (1ull << 14) | (1ull << 18))

_Static_assert(offsetof(struct cpu, syscall_user_rsp) == CPU_OFF_SYSCALL_USER_RSP, "syscall.S per-CPU offset");
_Static_assert(offsetof(struct cpu, syscall_rsp0) == CPU_OFF_SYSCALL_RSP0, "syscall.S per-CPU offset");
_Static_assert(offsetof(struct cpu, current) == CPU_OFF_CURRENT && CPU_OFF_CURRENT == PERCPU_OFF_CURRENT,
               "syscall.S and percpu_current() per-CPU offset");
_Static_assert(offsetof(struct cpu, need_resched) == CPU_OFF_NEED_RESCHED, "syscall.S per-CPU offset");
_Static_assert(offsetof(struct thread, kill_pending) == THREAD_OFF_KILL_PENDING, "syscall.S thread offset");
_Static_assert(sizeof(((struct thread *)0)->kill_pending) == 1, "syscall.S tests kill_pending as a byte");
_Static_assert(sizeof(((struct cpu *)0)->need_resched) == 1, "syscall.S tests need_resched as a byte");
_Static_assert(offsetof(struct syscall_frame, rip) == SYSCALL_FRAME_RIP, "syscall.S frame offset");
_Static_assert(sizeof(struct syscall_frame) == 9 * 8, "syscall.S pushes nine words");
_Static_assert(GDT_USER_CODE == 0x2B && GDT_USER_DATA == 0x23, "the SYSRET selectors (STAR) are the user ones");

extern void syscall_entry(void);

void (*user_return_hook)(void);

void syscall_init_cpu(struct cpu *c)
{
    struct cpu_tables *t = c->arch;
    /* RSP0 sits at offset 4 of the packed TSS: unaligned, which the entry's mov does not mind. */
    c->syscall_rsp0 = (uint64_t *)((char *)&t->tss + offsetof(struct tss, rsp));
    wrmsr(MSR_STAR, GDT_STAR_VALUE);
    wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
    wrmsr(MSR_SFMASK, SFMASK_BITS);
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}

/*
 * syscall.S, interrupts off, before a return to Ring 3: the thread was killed
 * (it ends here) or a reschedule is due. Returns with interrupts off; the
 * entry checks again.
 */
void syscall_exit_work(void)
{
    if (user_return_hook)
        user_return_hook();
    if (this_cpu()->need_resched)
        sched_yield();
}

/*
 * syscall.S: the frame would return to a RIP that SYSRET cannot take (not a
 * canonical lower-half address). Nothing the kernel does today produces one;
 * should a future call set a thread's RIP, the process dies with a report
 * rather than the kernel taking a #GP in Ring 0.
 */
__attribute__((noreturn)) void syscall_bad_return(const struct syscall_frame *f)
{
    struct thread *me = sched_current();
    struct process *p = me->process;
    log_warn("user: process %s (pid %lu) killed: system call return to non-canonical rip %016lx\n", p ? p->name : "?",
             p ? p->pid : 0, f->rip);
    if (p)
        process_kill(p, PROCESS_KILLED_BASE - 13, MN_EXIT_FAULT, 13);
    thread_exit();
}
