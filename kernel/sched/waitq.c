/* Wait queues (see waitq.h). */
#include "sched/waitq.h"

#include "sched/sched.h"

static void wq_push(struct waitq *wq, struct thread *t)
{
    t->next = NULL;
    t->prev = wq->tail;
    if (wq->tail)
        wq->tail->next = t;
    else
        wq->head = t;
    wq->tail = t;
    t->waitq = wq;
}

static void wq_unlink(struct waitq *wq, struct thread *t)
{
    if (t->prev)
        t->prev->next = t->next;
    else
        wq->head = t->next;
    if (t->next)
        t->next->prev = t->prev;
    else
        wq->tail = t->prev;
    t->next = t->prev = NULL;
    t->waitq = NULL;
}

int waitq_wait_locked(struct waitq *wq)
{
    struct thread *me = sched_current();
    if (me->kill_pending)
        return SCHED_KILLED;
    wq_push(wq, me);
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
        wq_unlink(wq, t);
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

void waitq_push_locked(struct waitq *wq, struct thread *t)
{
    wq_push(wq, t);
}

bool waitq_remove_locked(struct waitq *wq, struct thread *t)
{
    if (t->waitq != wq)
        return false;
    wq_unlink(wq, t);
    return true;
}
