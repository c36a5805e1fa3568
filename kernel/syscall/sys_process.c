/* Thread and process exit, yield, and the debug log write (see syscall.h). */
#include "debug/log.h"
#include "sched/process.h"
#include "sched/sched.h"
#include "syscall/syscall.h"
#include "syscall/uaccess.h"

#define DEBUG_WRITE_MAX 256

int64_t sys_EXIT(uint64_t a[6])
{
    (void)a;
    thread_exit();
}

int64_t sys_PROCESS_EXIT(uint64_t a[6])
{
    struct process *p = sched_current()->process;
    process_kill(p, (int64_t)a[0]);
    thread_exit();
}

int64_t sys_YIELD(uint64_t a[6])
{
    (void)a;
    sched_yield();
    return MN_ERR_OK;
}

int64_t sys_DEBUG_WRITE(uint64_t a[6])
{
    char buf[DEBUG_WRITE_MAX + 1];
    if (a[1] > DEBUG_WRITE_MAX)
        return MN_ERR_BAD_ARG;
    if (a[1] == 0)
        return 0;
    if (copy_from_user(buf, a[0], a[1]) != MN_ERR_OK)
        return MN_ERR_BAD_POINTER;
    buf[a[1]] = 0;
    struct process *p = sched_current()->process;
    kprintf("user %s[%lu]: %s\n", p->name, p->pid, buf);
    return (int64_t)a[1];
}
