/*
 * Thread lifecycle: create, start, exit, kill, join, and the reaper that
 * frees what a dead thread cannot free itself (the stack it died on).
 */
#include "sched/thread.h"

#include <arch/fpu.h>
#include <arch/sched.h>

#include "debug/log.h"
#include "debug/panic.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/kstack.h"
#include "sched/process.h"
#include "sched/sched.h"
#include "sched/waitq.h"
#include "ipc/endpoint.h"

bool sched_cancel_sleep(struct thread *t);
static void thread_obj_release(cap_object_t *obj);

static volatile uint64_t next_tid = 1;
static volatile uint64_t live_threads;

/* Dead threads waiting for the reaper, and everyone waiting for an exit. */
static spinlock_t dead_lock = SPINLOCK_INIT("dead threads");
static struct thread *dead_head;
static struct reaper_work *work_head;
static volatile uint32_t dead_pending; /* exited, not yet reaped */

/* Above this many unreaped threads, thread_create waits for the reaper. */
#define DEAD_BACKLOG_MAX 256
static struct waitq reaper_wq = WAITQ_INIT("reaper");
static struct waitq exit_wq = WAITQ_INIT("thread exits");
static spinlock_t all_lock = SPINLOCK_INIT("all threads");
static struct thread *all_head;

struct thread *thread_create(const char *name, thread_fn fn, void *arg, int priority, unsigned flags)
{
    if (priority < 0 || priority >= SCHED_PRIOS)
        return NULL;
    /* Back-pressure: never let dead threads' stacks pile up without bound. */
    while (__atomic_load_n(&dead_pending, __ATOMIC_RELAXED) > DEAD_BACKLOG_MAX)
        sched_sleep_ns(100000);
    struct thread *t = kzalloc(sizeof *t);
    if (!t)
        return NULL;
    t->kstack_top = kstack_alloc(THREAD_STACK_PAGES);
    if (!t->kstack_top) {
        kfree(t);
        return NULL;
    }
    if (flags & THREAD_FPU) {
        t->fpu_alloc = kmalloc(fpu_state_size() + 64);
        if (!t->fpu_alloc) {
            kstack_free(t->kstack_top);
            kfree(t);
            return NULL;
        }
        /* XSAVE wants 64-byte alignment. */
        t->fpu = (void *)(((uintptr_t)t->fpu_alloc + 63) & ~(uintptr_t)63);
    }
    t->tid = __atomic_fetch_add(&next_tid, 1, __ATOMIC_RELAXED);
    t->state = THREAD_BLOCKED; /* not runnable until thread_start */
    t->priority = priority;
    t->affinity = AFFINITY_ALL;
    t->entry = fn;
    t->arg = arg;
    t->refs = 2; /* the caller's handle, and the thread's own life */
    cap_object_init(&t->obj, MN_CAP_THREAD, thread_obj_release);
    strlcpy(t->name, name, sizeof t->name);
    arch_thread_stack_init(t);
    spin_lock(&all_lock);
    t->all_next = all_head;
    if (all_head)
        all_head->all_prev = t;
    all_head = t;
    spin_unlock(&all_lock);
    __atomic_fetch_add(&live_threads, 1, __ATOMIC_RELAXED);
    return t;
}

void thread_start(struct thread *t)
{
    if (t->fpu)
        fpu_state_init(t->fpu);
    t->state = THREAD_READY;
    sched_enqueue(sched_pick_cpu(t), t);
}

void thread_set_affinity(struct thread *t, uint64_t mask)
{
    if (mask)
        t->affinity = mask;
}

static void thread_free(struct thread *t)
{
    spin_lock(&all_lock);
    if (t->all_prev)
        t->all_prev->all_next = t->all_next;
    else
        all_head = t->all_next;
    if (t->all_next)
        t->all_next->all_prev = t->all_prev;
    spin_unlock(&all_lock);
    kfree(t->fpu_alloc);
    kfree(t);
}

void thread_discard(struct thread *t)
{
    t->state = THREAD_DEAD; /* a Thread capability that outlives it finds it ended */
    __atomic_fetch_sub(&live_threads, 1, __ATOMIC_RELAXED);
    kstack_free(t->kstack_top);
    t->kstack_top = NULL;
    thread_put(t); /* its own life */
    thread_put(t); /* the creator's handle */
}

void thread_put(struct thread *t)
{
    if (__atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) == 0)
        thread_free(t);
}

void thread_exit(void)
{
    /*
     * Interrupts stay off from here on: once the thread is DEAD a
     * preemption would switch it away for good, before it has woken the
     * reaper and its joiners (bug sched-exit-preempted: both lost wake-ups).
     */
    irq_disable();
    struct thread *me = sched_current();
    ipc_thread_exit(me); /* a reply it owed: the caller learns it will never come */
    spin_lock(&dead_lock);
    me->dead_next = dead_head;
    dead_head = me;
    dead_pending++;
    me->state = THREAD_DEAD;
    spin_unlock(&dead_lock);
    waitq_wake_one(&reaper_wq);
    waitq_wake_all(&exit_wq);
    sched_yield(); /* a DEAD thread is never queued again */
    panic("sched: dead thread %s was scheduled", me->name);
}

void thread_kill(struct thread *t)
{
    t->kill_pending = true;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (t->state != THREAD_BLOCKED)
        return; /* it sees kill_pending at its next block or preemption check */
    if (sched_cancel_sleep(t)) {
        sched_wake(t, SCHED_KILLED);
        return;
    }
    for (;;) {
        struct waitq *wq = __atomic_load_n(&t->waitq, __ATOMIC_ACQUIRE);
        if (!wq)
            break;
        spin_lock(&wq->lock);
        bool removed = waitq_remove_locked(wq, t);
        spin_unlock(&wq->lock);
        if (removed) {
            sched_wake(t, SCHED_KILLED);
            return;
        }
    }
    /* On no queue: a call waiting for its reply (a server took it off the endpoint's queue). */
    if (ipc_cancel_reply_wait(t))
        sched_wake(t, SCHED_KILLED);
}

void thread_join(struct thread *t)
{
    thread_join_killable(t);
}

int thread_join_killable(struct thread *t)
{
    int r = 0;
    spin_lock(&exit_wq.lock);
    while (t->state != THREAD_DEAD && r == 0)
        r = waitq_wait_locked(&exit_wq) == SCHED_KILLED ? SCHED_KILLED : 0;
    spin_unlock(&exit_wq.lock);
    return r;
}

/* The last Thread capability is gone (under cap_lock): drop the handle they held. */
static void thread_obj_release(cap_object_t *obj)
{
    thread_put(thread_of_obj(obj));
}

void thread_debug_walk(void (*fn)(const struct thread *t), int max)
{
    for (struct thread *t = all_head; t && max-- > 0; t = t->all_next)
        fn(t);
}

uint64_t thread_live_count(void)
{
    return live_threads;
}

void reaper_defer(struct reaper_work *w)
{
    spin_lock(&dead_lock);
    w->next = work_head;
    work_head = w;
    spin_unlock(&dead_lock);
    waitq_wake_one(&reaper_wq);
}

/* The reaper: frees the stacks (and processes) of dead threads, and runs deferred work. */
static void reaper_main(void *arg)
{
    (void)arg;
    for (;;) {
        spin_lock(&reaper_wq.lock);
        while (!__atomic_load_n(&dead_head, __ATOMIC_ACQUIRE) && !__atomic_load_n(&work_head, __ATOMIC_ACQUIRE))
            waitq_wait_locked(&reaper_wq);
        spin_unlock(&reaper_wq.lock);

        spin_lock(&dead_lock);
        struct thread *list = dead_head;
        dead_head = NULL;
        struct reaper_work *work = work_head;
        work_head = NULL;
        spin_unlock(&dead_lock);

        while (work) {
            struct reaper_work *w = work;
            work = w->next;
            w->fn(w);
        }

        while (list) {
            struct thread *t = list;
            list = t->dead_next;
            /* Its CPU may still be switching away from its stack. */
            while (__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE)) {
                cpu_relax();
                if (spin_wait_hook)
                    spin_wait_hook();
            }
            kstack_free(t->kstack_top);
            t->kstack_top = NULL;
            __atomic_fetch_sub(&dead_pending, 1, __ATOMIC_RELAXED);
            struct process *p = t->process;
            __atomic_fetch_sub(&live_threads, 1, __ATOMIC_RELAXED);
            if (p)
                process_thread_reaped(p, t);
            thread_put(t);
        }
    }
}

void reaper_start(void)
{
    struct thread *t = thread_create("reaper", reaper_main, NULL, 0, 0);
    if (!t)
        panic("sched: cannot create the reaper");
    thread_start(t);
    thread_put(t);
}
