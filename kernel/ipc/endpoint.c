/* Synchronous IPC endpoints (see endpoint.h). */
#include "ipc/endpoint.h"

#include "debug/log.h"
#include "mm/heap.h"
#include "sched/sched.h"

enum { EP_SENDERS = 1, EP_RECEIVERS = 2 };

static volatile uint64_t live;

/* The last capability is gone (called under cap_lock): wake every waiter with an error. */
static void endpoint_release(cap_object_t *obj)
{
    struct endpoint *ep = (struct endpoint *)obj;
    spin_lock(&ep->wq.lock);
    ep->dead = true;
    while (ep->wq.head) {
        struct thread *t = ep->wq.head;
        waitq_remove_locked(&ep->wq, t);
        sched_wake(t, MN_ERR_DEAD);
    }
    spin_unlock(&ep->wq.lock);
    endpoint_put(ep);
}

struct endpoint *endpoint_create(void)
{
    struct endpoint *ep = kzalloc(sizeof *ep);
    if (!ep)
        return NULL;
    cap_object_init(&ep->obj, MN_CAP_ENDPOINT, endpoint_release);
    ep->wq = (struct waitq)WAITQ_INIT("endpoint");
    ep->refs = 1;
    __atomic_fetch_add(&live, 1, __ATOMIC_RELAXED);
    return ep;
}

void endpoint_get(struct endpoint *ep)
{
    __atomic_fetch_add(&ep->refs, 1, __ATOMIC_RELAXED);
}

void endpoint_put(struct endpoint *ep)
{
    if (__atomic_sub_fetch(&ep->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    kfree(ep);
    __atomic_fetch_sub(&live, 1, __ATOMIC_RELAXED);
}

uint64_t endpoint_live_count(void)
{
    return live;
}

/*
 * The rendezvous both directions share: `me_role` is what the caller
 * would wait as; a partner waiting in the other role is taken first.
 */
static int rendezvous(struct endpoint *ep, uint64_t msg[3], int me_role, bool block)
{
    int other = me_role == EP_SENDERS ? EP_RECEIVERS : EP_SENDERS;
    struct thread *me = sched_current();
    spin_lock(&ep->wq.lock);
    if (ep->dead) {
        spin_unlock(&ep->wq.lock);
        return MN_ERR_DEAD;
    }
    if (ep->wq.head && ep->state == other) {
        struct thread *t = ep->wq.head;
        waitq_remove_locked(&ep->wq, t);
        for (int i = 0; i < 3; i++) {
            if (me_role == EP_SENDERS)
                t->ipc_msg[i] = msg[i];
            else
                msg[i] = t->ipc_msg[i];
        }
        sched_wake(t, MN_ERR_OK);
        spin_unlock(&ep->wq.lock);
        return MN_ERR_OK;
    }
    if (!block) {
        spin_unlock(&ep->wq.lock);
        return MN_ERR_WOULD_BLOCK;
    }
    if (me_role == EP_SENDERS)
        for (int i = 0; i < 3; i++)
            me->ipc_msg[i] = msg[i];
    ep->state = me_role;
    int r = waitq_wait_locked(&ep->wq);
    spin_unlock(&ep->wq.lock);
    if (r == SCHED_KILLED)
        return MN_ERR_DEAD;
    if (r == MN_ERR_OK && me_role == EP_RECEIVERS)
        for (int i = 0; i < 3; i++)
            msg[i] = me->ipc_msg[i];
    return r;
}

int endpoint_send(struct endpoint *ep, const uint64_t msg[3], bool block)
{
    uint64_t m[3] = {msg[0], msg[1], msg[2]};
    return rendezvous(ep, m, EP_SENDERS, block);
}

int endpoint_recv(struct endpoint *ep, uint64_t msg[3], bool block)
{
    return rendezvous(ep, msg, EP_RECEIVERS, block);
}
