/* Synchronous IPC endpoints, calls and replies, capability transfer (see endpoint.h). */
#include "ipc/endpoint.h"

#include <arch/cpu.h>

#include "cap/cspace.h"
#include "debug/panic.h"
#include "mm/heap.h"
#include "sched/process.h"
#include "sched/sched.h"

enum { EP_SENDERS = 1, EP_RECEIVERS = 2 };

/* thread.ipc_flags of a queued sender */
#define IPC_SEND_CALL 0x1u
#define IPC_SEND_CAP 0x2u

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

/* ---- reply rights ---------------------------------------------------------- */

static void thread_get(struct thread *t)
{
    __atomic_fetch_add(&t->refs, 1, __ATOMIC_RELAXED);
}

/* Takes the calling thread's reply right: the caller it names, or NULL; *token is the call's token. */
static struct thread *take_reply_right(struct thread *me, uint64_t *token)
{
    struct thread *c = me->reply_to;
    *token = me->reply_token;
    me->reply_to = NULL;
    return c;
}

/* Ends c's wait for call `token`; false when that call is over already (killed, or answered). */
static bool claim_caller(struct thread *c, uint64_t token)
{
    uint64_t expected = token;
    return __atomic_compare_exchange_n(&c->awaiting_reply, &expected, 0, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/* Gives up a reply right without replying: the caller wakes with MN_ERR_DEAD. */
static void abandon_reply(struct thread *me)
{
    uint64_t token;
    struct thread *c = take_reply_right(me, &token);
    if (!c)
        return;
    if (claim_caller(c, token))
        sched_wake(c, MN_ERR_DEAD);
    thread_put(c);
}

void ipc_thread_exit(struct thread *t)
{
    abandon_reply(t);
}

bool ipc_cancel_reply_wait(struct thread *t)
{
    uint64_t token = __atomic_load_n(&t->awaiting_reply, __ATOMIC_ACQUIRE);
    return token && claim_caller(t, token);
}

/* Starts a call by the calling thread: its token, set before it becomes visible to a server. */
static uint64_t begin_call(struct thread *me)
{
    uint64_t token = ++me->call_seq;
    if (token == 0)
        token = ++me->call_seq;
    __atomic_store_n(&me->awaiting_reply, token, __ATOMIC_RELEASE);
    return token;
}

/*
 * The end of a call's wait, whatever ended it: the reply (in me->ipc_msg) or
 * an error. A wake by a queue removal (kill, endpoint death) left the token
 * set: nobody else knows this call, so it is cleared here.
 */
static int finish_call(struct thread *me, int r, uint64_t msg[3])
{
    __atomic_store_n(&me->awaiting_reply, 0, __ATOMIC_RELEASE);
    if (r == MN_ERR_OK) {
        for (int i = 0; i < 3; i++)
            msg[i] = me->ipc_msg[i];
        return MN_ERR_OK;
    }
    return MN_ERR_DEAD; /* SCHED_KILLED or MN_ERR_DEAD */
}

/* Blocks the calling thread, which is BLOCKED already, handing the CPU to `next` directly when it can. */
static int block_for(struct thread *me, struct thread *next)
{
    if (next && !sched_switch_direct(next, MN_ERR_OK)) {
        sched_wake(next, MN_ERR_OK);
        next = NULL;
    }
    if (!next)
        return sched_block();
    return me->wake_result;
}

/* ---- capability transfer (cap_lock held) ------------------------------------------ */

/* Copies the sender's capability to the receiver's named slot; returns its MN_INSPECT_MAKE value, or 0. */
static uint64_t transfer_cap(struct thread *sender, struct thread *receiver, uint32_t recv_slot)
{
    struct process *sp = sender->process, *rp = receiver->process;
    if (!recv_slot || !sp || !rp || !sp->cnode_chunk || !rp->cnode_chunk)
        return 0;
    cap_slot_t *src = cnode_slot(&sp->cnode, sender->ipc_cap_slot), *dst;
    if (!cap_present(src) || !(src->rights & MN_RIGHT_GRANT))
        return 0;
    if (cap_derive(src, &rp->cnode, recv_slot, sender->ipc_cap_rights, &dst) != MN_ERR_OK)
        return 0;
    return MN_INSPECT_MAKE(dst->type, dst->rights);
}

/* ---- sending ------------------------------------------------------------------------ */

/*
 * Every send: plain (flags 0), a call (IPC_SEND_CALL: then msg receives the
 * reply) or with a capability (IPC_SEND_CAP: the caller holds cap_lock, and
 * me->ipc_cap_slot/ipc_cap_rights name it). Interrupts are off throughout,
 * so nothing can preempt the thread between committing to a partner and
 * switching to it. Releases cap_lock (if held) before blocking.
 */
static int send_locked_out(struct endpoint *ep, uint64_t msg[3], unsigned flags, bool block)
{
    struct thread *me = sched_current();
    bool caplocked = flags & IPC_SEND_CAP;
    spin_lock(&ep->wq.lock);
    if (ep->dead) {
        spin_unlock(&ep->wq.lock);
        if (caplocked)
            spin_unlock(&cap_lock);
        return MN_ERR_DEAD;
    }
    struct thread *r = ep->state == EP_RECEIVERS ? ep->wq.head : NULL;
    if (!r && !block) {
        spin_unlock(&ep->wq.lock);
        if (caplocked)
            spin_unlock(&cap_lock);
        return MN_ERR_WOULD_BLOCK;
    }
    uint64_t token = (flags & IPC_SEND_CALL) ? begin_call(me) : 0;
    if (r) {
        /* A receiver is waiting: hand it the message (and the reply right, for a call). */
        waitq_remove_locked(&ep->wq, r);
        for (int i = 0; i < 3; i++)
            r->ipc_msg[i] = msg[i];
        r->ipc_cap_info = caplocked ? transfer_cap(me, r, r->ipc_cap_slot) : 0;
        if (caplocked)
            r->ipc_msg[2] = r->ipc_cap_info;
        if (!token) {
            spin_unlock(&ep->wq.lock);
            if (caplocked)
                spin_unlock(&cap_lock);
            sched_wake(r, MN_ERR_OK);
            return MN_ERR_OK;
        }
        thread_get(me);
        r->reply_to = me;
        r->reply_token = token;
        me->reason = BLOCK_REPLY;
        __atomic_store_n(&me->state, THREAD_BLOCKED, __ATOMIC_RELEASE);
        spin_unlock(&ep->wq.lock);
        return finish_call(me, block_for(me, r), msg);
    }
    /* Nobody waiting: queue up as a sender. */
    for (int i = 0; i < 3; i++)
        me->ipc_msg[i] = msg[i];
    me->ipc_flags = (uint8_t)flags;
    waitq_push_locked(&ep->wq, me);
    ep->state = EP_SENDERS;
    me->reason = BLOCK_SEND;
    __atomic_store_n(&me->state, THREAD_BLOCKED, __ATOMIC_RELEASE);
    spin_unlock(&ep->wq.lock);
    if (caplocked)
        spin_unlock(&cap_lock);
    int res = sched_block();
    if (token)
        return finish_call(me, res, msg);
    return res == MN_ERR_OK ? MN_ERR_OK : MN_ERR_DEAD;
}

int endpoint_send(struct endpoint *ep, const uint64_t msg[3], bool block)
{
    uint64_t m[3] = {msg[0], msg[1], msg[2]};
    uint64_t flags = irq_save();
    int r = send_locked_out(ep, m, 0, block);
    irq_restore(flags);
    return r;
}

int endpoint_call(struct endpoint *ep, uint64_t msg[3])
{
    uint64_t flags = irq_save();
    int r = send_locked_out(ep, msg, IPC_SEND_CALL, true);
    irq_restore(flags);
    return r;
}

int endpoint_send_cap(struct endpoint *ep, uint64_t label, uint64_t data0, uint32_t cap_slot, uint8_t rights)
{
    struct thread *me = sched_current();
    uint64_t m[3] = {label, data0, 0};
    me->ipc_cap_slot = cap_slot;
    me->ipc_cap_rights = rights;
    uint64_t flags = irq_save();
    spin_lock(&cap_lock);
    int r = send_locked_out(ep, m, IPC_SEND_CAP, true);
    irq_restore(flags);
    return r;
}

/* ---- receiving ------------------------------------------------------------------------ */

/*
 * Every receive, interrupts off. `reply` (may be NULL) is the caller whose
 * call this thread answers first (already claimed, its reply in place): it
 * is woken here, by a direct switch when this thread blocks. recv_slot is
 * where a transferred capability may go (0: nowhere).
 */
static int recv_locked_out(struct endpoint *ep, uint64_t msg[3], uint32_t recv_slot, bool block, struct thread *reply,
                           uint64_t *cap_info)
{
    struct thread *me = sched_current();
    bool caplocked = false;
    *cap_info = 0;
    for (;;) {
        if (caplocked)
            spin_lock(&cap_lock);
        spin_lock(&ep->wq.lock);
        struct thread *s = ep->state == EP_SENDERS ? ep->wq.head : NULL;
        if (!s || !(s->ipc_flags & IPC_SEND_CAP) || caplocked)
            break;
        /* A capability comes with this message: start over holding cap_lock (it is taken first). */
        spin_unlock(&ep->wq.lock);
        caplocked = true;
    }
    int r = MN_ERR_OK;
    struct thread *s = ep->state == EP_SENDERS ? ep->wq.head : NULL;
    if (ep->dead)
        r = MN_ERR_DEAD;
    else if (!s && !block)
        r = MN_ERR_WOULD_BLOCK;
    if (r != MN_ERR_OK || s) {
        if (s && r == MN_ERR_OK) {
            /* A sender is waiting: take its message; a caller stays blocked, owed a reply by this thread. */
            waitq_remove_locked(&ep->wq, s);
            for (int i = 0; i < 3; i++)
                msg[i] = s->ipc_msg[i];
            if (s->ipc_flags & IPC_SEND_CAP) {
                *cap_info = transfer_cap(s, me, recv_slot);
                msg[2] = *cap_info;
            }
            if (__atomic_load_n(&s->awaiting_reply, __ATOMIC_ACQUIRE) && (s->ipc_flags & IPC_SEND_CALL)) {
                me->reply_to = s;
                me->reply_token = s->awaiting_reply;
                thread_get(s);
                s->reason = BLOCK_REPLY;
                s = NULL;
            }
        } else {
            s = NULL;
        }
        spin_unlock(&ep->wq.lock);
        if (caplocked)
            spin_unlock(&cap_lock);
        if (s)
            sched_wake(s, MN_ERR_OK);
        if (reply)
            sched_wake(reply, MN_ERR_OK);
        return r;
    }
    /* Nobody waiting: queue up as a receiver (and run the caller just answered, if any). */
    me->ipc_cap_slot = recv_slot;
    me->ipc_cap_info = 0;
    waitq_push_locked(&ep->wq, me);
    ep->state = EP_RECEIVERS;
    me->reason = BLOCK_RECV;
    __atomic_store_n(&me->state, THREAD_BLOCKED, __ATOMIC_RELEASE);
    spin_unlock(&ep->wq.lock);
    if (caplocked)
        spin_unlock(&cap_lock);
    r = block_for(me, reply);
    if (r != MN_ERR_OK)
        return MN_ERR_DEAD;
    for (int i = 0; i < 3; i++)
        msg[i] = me->ipc_msg[i];
    *cap_info = me->ipc_cap_info;
    return MN_ERR_OK;
}

int endpoint_recv(struct endpoint *ep, uint64_t msg[3], bool block)
{
    uint64_t info, flags = irq_save();
    abandon_reply(sched_current());
    int r = recv_locked_out(ep, msg, 0, block, NULL, &info);
    irq_restore(flags);
    return r;
}

int endpoint_recv_cap(struct endpoint *ep, uint32_t slot, uint64_t msg[3], bool *got)
{
    uint64_t info, flags = irq_save();
    abandon_reply(sched_current());
    int r = recv_locked_out(ep, msg, slot, true, NULL, &info);
    irq_restore(flags);
    *got = r == MN_ERR_OK && info != 0;
    return r;
}

/* Puts the reply into the caller this thread owes one; returns it (claimed, still blocked) or NULL. */
static struct thread *prepare_reply(struct thread *me, const uint64_t msg[3], int *result)
{
    uint64_t token;
    struct thread *c = take_reply_right(me, &token);
    if (!c) {
        *result = MN_ERR_NOT_FOUND;
        return NULL;
    }
    if (!claim_caller(c, token)) {
        *result = MN_ERR_DEAD;
        thread_put(c);
        return NULL;
    }
    for (int i = 0; i < 3; i++)
        c->ipc_msg[i] = msg[i];
    *result = MN_ERR_OK;
    return c;
}

int ipc_reply(const uint64_t msg[3])
{
    int r;
    uint64_t flags = irq_save();
    struct thread *c = prepare_reply(sched_current(), msg, &r);
    if (c) {
        sched_wake(c, MN_ERR_OK);
        thread_put(c);
    }
    irq_restore(flags);
    return r;
}

int endpoint_reply_recv(struct endpoint *ep, uint64_t msg[3])
{
    int ignored;
    uint64_t info, flags = irq_save();
    struct thread *c = prepare_reply(sched_current(), msg, &ignored);
    int r = recv_locked_out(ep, msg, 0, true, c, &info);
    if (c)
        thread_put(c);
    irq_restore(flags);
    return r;
}
