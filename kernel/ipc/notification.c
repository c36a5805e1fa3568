/* Notification objects (see notification.h). */
#include "ipc/notification.h"

#include "mm/heap.h"
#include "sched/sched.h"

static volatile uint64_t live;

/* The last capability is gone (under cap_lock): waiters wake with an error. */
static void notification_release(cap_object_t *obj)
{
    struct notification *n = (struct notification *)obj;
    spin_lock(&n->wq.lock);
    n->dead = true;
    while (n->wq.head) {
        struct thread *t = n->wq.head;
        waitq_remove_locked(&n->wq, t);
        sched_wake(t, MN_ERR_DEAD);
    }
    spin_unlock(&n->wq.lock);
    notification_put(n);
}

struct notification *notification_create(void)
{
    struct notification *n = kzalloc(sizeof *n);
    if (!n)
        return NULL;
    cap_object_init(&n->obj, MN_CAP_NOTIFICATION, notification_release);
    n->wq = (struct waitq)WAITQ_INIT("notification");
    n->refs = 1;
    __atomic_fetch_add(&live, 1, __ATOMIC_RELAXED);
    return n;
}

void notification_get(struct notification *n)
{
    __atomic_fetch_add(&n->refs, 1, __ATOMIC_RELAXED);
}

void notification_put(struct notification *n)
{
    if (__atomic_sub_fetch(&n->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    kfree(n);
    __atomic_fetch_sub(&live, 1, __ATOMIC_RELAXED);
}

uint64_t notification_live_count(void)
{
    return live;
}

void notification_signal(struct notification *n, uint64_t bits)
{
    spin_lock(&n->wq.lock);
    n->bits |= bits;
    struct thread *t = n->bits ? n->wq.head : NULL;
    if (t) {
        waitq_remove_locked(&n->wq, t);
        t->ipc_msg[0] = n->bits;
        n->bits = 0;
        sched_wake(t, MN_ERR_OK);
    }
    spin_unlock(&n->wq.lock);
}

int notification_wait(struct notification *n, bool block, uint64_t *bits)
{
    struct thread *me = sched_current();
    spin_lock(&n->wq.lock);
    if (n->dead) {
        spin_unlock(&n->wq.lock);
        return MN_ERR_DEAD;
    }
    if (n->bits || !block) {
        *bits = n->bits;
        n->bits = 0;
        spin_unlock(&n->wq.lock);
        return MN_ERR_OK;
    }
    int r = waitq_wait_locked(&n->wq);
    spin_unlock(&n->wq.lock);
    if (r != MN_ERR_OK)
        return MN_ERR_DEAD;
    *bits = me->ipc_msg[0];
    return MN_ERR_OK;
}
