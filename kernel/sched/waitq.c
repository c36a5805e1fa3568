/* Wait queues (see waitq.h). */
#include "sched/waitq.h"

#include "sched/sched.h"

int waitq_wait_locked(struct waitq *wq)
{
    struct thread *me = sched_current();
    if (me->kill_pending)
        return SCHED_KILLED;
    waitq_push_locked(wq, me);
    me->reason = BLOCK_WAIT;
    __atomic_store_n(&me->state, THREAD_BLOCKED, __ATOMIC_RELEASE);
    spin_unlock(&wq->lock);
    int r = sched_block();
    spin_lock(&wq->lock);
    return r;
}

static int wake(struct waitq *wq, int max)
{
    int n = 0;
    spin_lock(&wq->lock);
    while (wq->head && n < max) {
        struct thread *t = wq->head;
        waitq_remove_locked(wq, t);
        if (sched_wake(t, 0))
            n++;
    }
    spin_unlock(&wq->lock);
    return n;
}

int waitq_wake_one(struct waitq *wq)
{
    return wake(wq, 1);
}

int waitq_wake_all(struct waitq *wq)
{
    return wake(wq, 1 << 30);
}
