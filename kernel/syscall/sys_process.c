/*
 * Processes and threads: spawning an empty process and threads in it,
 * killing and waiting for a process, exit; and yield, sleep, the clock and
 * the debug log write. A Process capability needs WRITE to add threads to
 * or kill the process, READ to wait for it.
 */
#include <arch/time.h>
#include <mnos/layout.h>

#include "cap/cspace.h"
#include "debug/log.h"
#include "lib/string.h"
#include "sched/process.h"
#include "sched/sched.h"
#include "sched/uthread.h"
#include "syscall/syscall.h"
#include "syscall/uaccess.h"

#define DEBUG_WRITE_MAX 256
#define NAME_MAX_COPY 64

static struct process *self(void)
{
    return sched_current()->process;
}

int64_t sys_EXIT(uint64_t a[6])
{
    (void)a;
    thread_exit();
}

int64_t sys_PROCESS_EXIT(uint64_t a[6])
{
    process_kill(self(), (int64_t)a[0], MN_EXIT_NORMAL, 0);
    thread_exit();
}

int64_t sys_YIELD(uint64_t a[6])
{
    (void)a;
    sched_yield();
    return MN_ERR_OK;
}

/* nanoseconds */
int64_t sys_SLEEP(uint64_t a[6])
{
    return sched_sleep_ns(a[0]) == 0 ? MN_ERR_OK : MN_ERR_DEAD;
}

int64_t sys_CLOCK(uint64_t a[6])
{
    (void)a;
    return (int64_t)ktime_ns();
}

int64_t sys_IDLE_TSC(uint64_t a[6])
{
    (void)a;
    return (int64_t)__atomic_load_n(&sched_idle_tsc, __ATOMIC_RELAXED);
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
    struct process *p = self();
    kprintf("user %s[%lu]: %s\n", p->name, p->pid, buf);
    return (int64_t)a[1];
}

/* A new empty process named `name`, and a Process cap (every right) for it in the caller's first free slot. */
static int64_t create_process(const char *name)
{
    struct process *p = process_create(name);
    if (!p)
        return MN_ERR_NO_MEMORY;
    uint32_t slot;
    int r = cspace_mint(self(), 0, MN_CAP_PROCESS, MN_RIGHTS_ALL, &p->obj, 0, 0, &slot);
    if (r != MN_ERR_OK) {
        process_abandon(p);
        return r;
    }
    return slot;
}

/* - -> slot of the new Process cap */
int64_t sys_SPAWN_PROCESS(uint64_t a[6])
{
    (void)a;
    return create_process("process");
}

/* name pointer, name length (at most 64; longer names are cut to what fits) -> slot of the new Process cap */
int64_t sys_PROCESS_CREATE(uint64_t a[6])
{
    char name[NAME_MAX_COPY + 1];
    if (a[1] == 0 || a[1] > NAME_MAX_COPY)
        return MN_ERR_BAD_ARG;
    if (copy_from_user(name, a[0], a[1]) != MN_ERR_OK)
        return MN_ERR_BAD_POINTER;
    name[a[1]] = 0;
    return create_process(name);
}

/*
 * A thread in the process of Process cap `slot` (WRITE), entering Ring 3 at
 * rip with stack rsp and `arg` in RDI; with tslot != 0, a Thread capability
 * (every right) for it in the caller's empty slot tslot.
 */
static int64_t create_thread(uint64_t slot, uint64_t rip, uint64_t rsp, uint64_t arg, uint64_t tslot)
{
    if (rip < MN_USER_MIN || rip >= MN_USER_END || rsp < MN_USER_MIN || rsp > MN_USER_END)
        return MN_ERR_BAD_ARG;
    if (tslot) {
        int r = cspace_prepare_target(self(), tslot);
        if (r != MN_ERR_OK)
            return r;
    }
    struct process *target;
    spin_lock(&cap_lock);
    int r = cspace_get_process(self(), slot, MN_RIGHT_WRITE, &target);
    spin_unlock(&cap_lock);
    if (r != MN_ERR_OK)
        return r;
    struct thread *t = uthread_prepare(target->name, rip, rsp, arg);
    if (!t) {
        process_put(target);
        return MN_ERR_NO_MEMORY;
    }
    /* The capability first: once the thread is the process's, nothing may fail any more. */
    if (tslot) {
        __atomic_fetch_add(&t->refs, 1, __ATOMIC_RELAXED); /* the capabilities' handle (their release puts it) */
        r = cspace_mint(self(), tslot, MN_CAP_THREAD, MN_RIGHTS_ALL, &t->obj, t->tid, 0, NULL);
        if (r != MN_ERR_OK)
            thread_put(t); /* the slot was taken meanwhile */
    }
    if (r == MN_ERR_OK)
        r = process_add_thread(target, t);
    process_put(target);
    if (r != MN_ERR_OK) {
        if (tslot && t->obj.refs) { /* minted, but the process is dying: take the capability back */
            cap_slot_t *s;
            spin_lock(&cap_lock);
            if (cspace_lookup(self(), tslot, MN_CAP_THREAD, 0, &s) == MN_ERR_OK && s->object == &t->obj)
                cap_delete(s);
            spin_unlock(&cap_lock);
        }
        thread_discard(t);
        return r;
    }
    int64_t tid = (int64_t)t->tid;
    thread_start(t);
    thread_put(t);
    return tid;
}

/* process slot, rip, rsp -> tid */
int64_t sys_SPAWN_THREAD(uint64_t a[6])
{
    return create_thread(a[0], a[1], a[2], 0, 0);
}

/* process slot, rip, rsp, arg, thread slot -> tid */
int64_t sys_THREAD_CREATE(uint64_t a[6])
{
    return create_thread(a[0], a[1], a[2], a[3], a[4]);
}

/* The thread of the Thread cap in `slot` with `need`, with a handle the caller puts. */
static int get_thread(uint64_t slot, uint8_t need, struct thread **out)
{
    cap_slot_t *s;
    spin_lock(&cap_lock);
    int r = cspace_lookup(self(), slot, MN_CAP_THREAD, need, &s);
    if (r == MN_ERR_OK) {
        *out = thread_of_obj(s->object);
        __atomic_fetch_add(&(*out)->refs, 1, __ATOMIC_RELAXED);
    }
    spin_unlock(&cap_lock);
    return r;
}

/* thread slot (READ): blocks until the thread has ended */
int64_t sys_THREAD_WAIT(uint64_t a[6])
{
    struct thread *t;
    int r = get_thread(a[0], MN_RIGHT_READ, &t);
    if (r != MN_ERR_OK)
        return r;
    if (t == sched_current())
        r = MN_ERR_BAD_ARG; /* it would wait for ever */
    else if (thread_join_killable(t) != 0)
        r = MN_ERR_DEAD;
    thread_put(t);
    return r;
}

/* thread slot (WRITE): ends that thread (at once if blocked, else at its next kernel entry) */
int64_t sys_THREAD_KILL(uint64_t a[6])
{
    struct thread *t;
    int r = get_thread(a[0], MN_RIGHT_WRITE, &t);
    if (r != MN_ERR_OK)
        return r;
    thread_kill(t);
    thread_put(t);
    return MN_ERR_OK;
}

/* process slot */
int64_t sys_KILL(uint64_t a[6])
{
    struct process *target;
    spin_lock(&cap_lock);
    int r = cspace_get_process(self(), a[0], MN_RIGHT_WRITE, &target);
    spin_unlock(&cap_lock);
    if (r != MN_ERR_OK)
        return r;
    process_kill(target, MN_STATUS_KILLED, MN_EXIT_KILLED, 0);
    process_put(target);
    return MN_ERR_OK; /* killing itself: the thread ends on its way out (syscall exit work) */
}

/* process slot -> exit status, reason (MN_EXIT_*), fault vector */
int64_t sys_PROCESS_WAIT(uint64_t a[6])
{
    cap_slot_t *s;
    spin_lock(&cap_lock);
    int r = cspace_lookup(self(), a[0], MN_CAP_PROCESS, MN_RIGHT_READ, &s);
    struct process *target = r == MN_ERR_OK ? process_of_obj(s->object) : NULL;
    if (target == self())
        r = MN_ERR_BAD_ARG; /* it would wait for ever */
    else if (target)
        process_get(target); /* a torn-down process is fine: it has its exit status */
    spin_unlock(&cap_lock);
    if (r != MN_ERR_OK)
        return r;
    int64_t status;
    int reason, vector;
    r = process_wait_killable(target, &status, &reason, &vector);
    process_put(target);
    if (r != MN_ERR_OK)
        return r;
    a[0] = (uint64_t)status;
    a[1] = (uint64_t)reason;
    a[2] = (uint64_t)vector;
    return MN_ERR_OK;
}
