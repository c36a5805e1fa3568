/*
 * Wait queues: a FIFO of blocked threads and the lock that guards both the
 * queue and the condition the waiters wait for.
 *
 *     spin_lock(&wq->lock);
 *     while (!condition)
 *         if (waitq_wait_locked(wq) == SCHED_KILLED) break;
 *     spin_unlock(&wq->lock);
 *
 * and on the other side: change the condition, then waitq_wake_one/all
 * (which take the lock themselves).
 */
#ifndef SCHED_WAITQ_H
#define SCHED_WAITQ_H

#include <stdbool.h>

#include "lib/spinlock.h"
#include "sched/thread.h"

struct waitq {
    spinlock_t lock;
    struct thread *head, *tail;
};

#define WAITQ_INIT(n) \
    { \
        SPINLOCK_INIT(n), NULL, NULL \
    }

/*
 * With wq->lock held: queues the caller, releases the lock, blocks, and
 * re-takes the lock before returning the wake result (0 or SCHED_KILLED).
 */
int waitq_wait_locked(struct waitq *wq);

/* Wakes the first waiter (or all of them) with result 0. Return: how many were woken. */
int waitq_wake_one(struct waitq *wq);
int waitq_wake_all(struct waitq *wq);

/*
 * Appends t to wq (lock held) without blocking it: for callers that block
 * in their own way (IPC). t's state and reason are the caller's business.
 */
static inline void waitq_push_locked(struct waitq *wq, struct thread *t)
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

/* Removes t from wq if it is queued there (used by thread_kill and IPC); lock held. */
static inline bool waitq_remove_locked(struct waitq *wq, struct thread *t)
{
    if (t->waitq != wq)
        return false;
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
    return true;
}

#endif
