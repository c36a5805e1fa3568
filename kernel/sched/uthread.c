/* User threads and the kernel's side of user faults (see uthread.h). */
#include "sched/uthread.h"

#include <arch/cpu.h>
#include <arch/idt.h>
#include <arch/syscall.h>

#include "cap/cspace.h"
#include "debug/log.h"
#include "sched/process.h"
#include "sched/sched.h"

static void uthread_main(void *arg)
{
    (void)arg;
    struct thread *me = sched_current();
    irq_disable();
    if (me->kill_pending)
        thread_exit();
    arch_enter_user(me->user_entry[0], me->user_entry[1], me->user_entry[2], me->kstack_top);
}

struct thread *uthread_prepare(const char *name, uint64_t rip, uint64_t rsp, uint64_t arg)
{
    struct thread *t = thread_create(name, uthread_main, NULL, 2, THREAD_FPU);
    if (!t)
        return NULL;
    t->user_entry[0] = rip;
    t->user_entry[1] = rsp;
    t->user_entry[2] = arg;
    return t;
}

int uthread_create(struct process *p, const char *name, uint64_t rip, uint64_t rsp, uint64_t arg, struct thread **out)
{
    struct thread *t = uthread_prepare(name, rip, rsp, arg);
    if (!t)
        return MN_ERR_NO_MEMORY;
    int r = process_add_thread(p, t);
    if (r != MN_ERR_OK) {
        thread_discard(t);
        return r;
    }
    *out = t;
    return MN_ERR_OK;
}

/* Before any return to Ring 3 (interrupts off): a killed thread exits instead. */
static void user_return(void)
{
    struct thread *me = sched_current();
    if (me->kill_pending)
        thread_exit();
}

/* A CPU exception in Ring 3: report it in one line and end the process (never returns for a process thread). */
static void user_fault(const struct int_frame *f, uint64_t addr)
{
    struct thread *me = sched_current();
    struct process *p = me->process;
    if (!p)
        return; /* a kernel thread in Ring 3 (arch_probe_user tests): the caller panics */
    log_warn("user: process %s (pid %lu) killed: %s at rip %016lx, address %016lx\n", p->name, p->pid,
             exception_name((unsigned)f->vector), f->rip, addr);
    process_kill(p, PROCESS_KILLED_BASE - (int64_t)f->vector, MN_EXIT_FAULT, (int)f->vector);
    thread_exit();
}

void userspace_init(void)
{
    cspace_init();
    user_return_hook = user_return;
    user_fault_hook = user_fault;
}
