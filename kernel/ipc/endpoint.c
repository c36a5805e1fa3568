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

/*
 * The last capability is gone (called under cap_lock, so interrupts are off,
 * as they are wherever this file takes an endpoint lock): wake every waiter
 * with an error.
 */
static void endpoint_release(cap_object_t *obj)
{
    struct endpoint *ep = (struct endpoint *)obj;
    spin_lock_irqsoff(&ep->wq.lock);
    ep->dead = true;
    while (ep->wq.head) {
        struct thread *t = ep->wq.head;
        waitq_remove_locked(&ep->wq, t);
        sched_wake(t, MN_ERR_DEAD);
    }
    spin_unlock_irqsoff(&ep->wq.lock);
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

/* Ends c's wait for call `token`; false when that call is over already (killed, or answered). */
static bool claim_caller(struct thread *c, uint64_t token)
{
    uint64_t expected = token;
    return __atomic_compare_exchange_n(&c->awaiting_reply, &expected, 0, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/* Gives up a reply right without replying: the caller wakes with MN_ERR_DEAD. */
static void abandon_reply(struct thread *me)
{
    struct thread *c = me->reply_to;
    if (!c)
        return;
    me->reply_to = NULL;
    if (claim_caller(c, me->reply_token))
        sched_wake(c, MN_ERR_DEAD);
    thread_put(c);
}

void ipc_thread_exit(struct thread *t)
{
    abandon_reply(t);
    if (t->epc_ep) {
        endpoint_put(t->epc_ep);
        t->epc_ep = NULL;
    }
}

int ipc_endpoint_lookup(uint64_t slot, uint8_t need, struct endpoint **out)
{
    struct thread *me = sched_current();
    cap_slot_t *s;
    struct endpoint *old = me->epc_ep, *ep = NULL;
    spin_lock(&cap_lock);
    int r = cspace_lookup(me->process, slot, MN_CAP_ENDPOINT, need, &s);
    if (r == MN_ERR_OK) {
        ep = (struct endpoint *)s->object;
        endpoint_get(ep);
        me->epc_ep = ep;
        me->epc_slot = slot;
        me->epc_rights = s->rights;
        me->epc_badge = s->data[0];
        me->epc_gen = cap_generation;
    }
    spin_unlock(&cap_lock);
    if (r != MN_ERR_OK)
        return r;
    if (old)
        endpoint_put(old);
    me->ipc_send_badge = me->epc_badge;
    *out = ep;
    return MN_ERR_OK;
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

/* ---- the two halves of every rendezvous ------------------------------------------------- */

/*
 * A sender meets receiver r, which it has just taken off ep's queue (ep
 * lock held, interrupts off): r gets the message. For a plain send r is
 * woken and MN_ERR_OK returned; for a call (token != 0) r gets the reply
 * right, the caller blocks until the reply (switching straight to r when it
 * can) and the reply lands in out. Releases the ep lock (and cap_lock, if
 * `caplocked`).
 */
static inline int deliver_to_receiver(struct endpoint *ep, struct thread *me, struct thread *r, const uint64_t in[3],
                                      uint64_t info, bool caplocked, uint64_t token, uint64_t out[3])
{
    r->ipc_msg[0] = in[0];
    r->ipc_msg[1] = in[1];
    r->ipc_msg[2] = caplocked ? info : in[2];
    r->ipc_cap_info = info;
    r->ipc_recv_badge = me->ipc_send_badge;
    if (!token) {
        spin_unlock_irqsoff(&ep->wq.lock);
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
    spin_unlock_irqsoff(&ep->wq.lock);
    return finish_call(me, block_for(me, r), out);
}

/*
 * Queues the calling thread on ep as a receiver (ep lock held, interrupts
 * off), releases the locks, and blocks (handing the CPU to `reply`, the
 * caller it has just answered, if any) until a message comes; the message
 * lands in out, a transferred capability's MN_INSPECT value in *cap_info
 * (unless cap_info is NULL).
 */
static inline int wait_as_receiver(struct endpoint *ep, struct thread *me, uint32_t recv_slot, bool caplocked,
                                   struct thread *reply, uint64_t out[3], uint64_t *cap_info)
{
    me->ipc_cap_slot = recv_slot;
    me->ipc_cap_info = 0;
    waitq_push_locked(&ep->wq, me);
    ep->state = EP_RECEIVERS;
    me->reason = BLOCK_RECV;
    __atomic_store_n(&me->state, THREAD_BLOCKED, __ATOMIC_RELEASE);
    spin_unlock_irqsoff(&ep->wq.lock);
    if (caplocked)
        spin_unlock(&cap_lock);
    if (block_for(me, reply) != MN_ERR_OK)
        return MN_ERR_DEAD;
    out[0] = me->ipc_msg[0];
    out[1] = me->ipc_msg[1];
    out[2] = me->ipc_msg[2];
    if (cap_info)
        *cap_info = me->ipc_cap_info;
    return MN_ERR_OK;
}

/* ---- sending ------------------------------------------------------------------------ */

/*
 * Every send: plain (flags 0), a call (IPC_SEND_CALL: then out receives the
 * reply) or with a capability (IPC_SEND_CAP: the caller holds cap_lock, and
 * me->ipc_cap_slot/ipc_cap_rights name it). Interrupts are off throughout,
 * so nothing can preempt the thread between committing to a partner and
 * switching to it. Releases cap_lock (if held) before blocking. out may
 * overlap in (in is read before out is written).
 */
static int send_locked_out(struct endpoint *ep, const uint64_t in[3], unsigned flags, bool block, uint64_t out[3])
{
    struct thread *me = sched_current();
    bool caplocked = flags & IPC_SEND_CAP;
    spin_lock_irqsoff(&ep->wq.lock);
    struct thread *r = ep->state == EP_RECEIVERS ? ep->wq.head : NULL;
    if (ep->dead || (!r && !block)) {
        int err = ep->dead ? MN_ERR_DEAD : MN_ERR_WOULD_BLOCK;
        spin_unlock_irqsoff(&ep->wq.lock);
        if (caplocked)
            spin_unlock(&cap_lock);
        return err;
    }
    uint64_t token = (flags & IPC_SEND_CALL) ? begin_call(me) : 0;
    if (r) {
        waitq_remove_locked(&ep->wq, r);
        uint64_t info = caplocked ? transfer_cap(me, r, r->ipc_cap_slot) : 0;
        return deliver_to_receiver(ep, me, r, in, info, caplocked, token, out);
    }
    /* Nobody waiting: queue up as a sender. */
    me->ipc_msg[0] = in[0];
    me->ipc_msg[1] = in[1];
    me->ipc_msg[2] = in[2];
    me->ipc_flags = (uint8_t)flags;
    waitq_push_locked(&ep->wq, me);
    ep->state = EP_SENDERS;
    me->reason = BLOCK_SEND;
    __atomic_store_n(&me->state, THREAD_BLOCKED, __ATOMIC_RELEASE);
    spin_unlock_irqsoff(&ep->wq.lock);
    if (caplocked)
        spin_unlock(&cap_lock);
    int res = sched_block();
    if (token)
        return finish_call(me, res, out);
    return res == MN_ERR_OK ? MN_ERR_OK : MN_ERR_DEAD;
}

int endpoint_send(struct endpoint *ep, const uint64_t msg[3], bool block)
{
    uint64_t flags = irq_save();
    int r = send_locked_out(ep, msg, 0, block, NULL);
    irq_restore(flags);
    return r;
}

int endpoint_call(struct endpoint *ep, const uint64_t in[3], uint64_t out[3])
{
    struct thread *me = sched_current();
    uint64_t flags = irq_save();
    int r;
    /* The fast path: a server waits (the common case for an RPC). */
    spin_lock_irqsoff(&ep->wq.lock);
    struct thread *s = ep->wq.head;
    if (__builtin_expect(s && ep->state == EP_RECEIVERS && !ep->dead, 1)) {
        waitq_remove_locked(&ep->wq, s);
        r = deliver_to_receiver(ep, me, s, in, 0, false, begin_call(me), out);
    } else {
        spin_unlock_irqsoff(&ep->wq.lock);
        r = send_locked_out(ep, in, IPC_SEND_CALL, true, out);
    }
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
    int r = send_locked_out(ep, m, IPC_SEND_CAP, true, NULL);
    irq_restore(flags);
    return r;
}

/* ---- receiving ------------------------------------------------------------------------ */

/*
 * Every receive, interrupts off. `reply` (may be NULL) is the caller whose
 * call this thread answers first (already claimed, its reply in place): it
 * is woken here, by a direct switch when this thread blocks. recv_slot is
 * where a transferred capability may go (0: nowhere); its MN_INSPECT value
 * (or 0) is stored in *cap_info unless cap_info is NULL.
 */
static int recv_locked_out(struct endpoint *ep, uint64_t out[3], uint32_t recv_slot, bool block, struct thread *reply,
                           uint64_t *cap_info)
{
    struct thread *me = sched_current();
    bool caplocked = false;
    uint64_t info = 0;
    struct thread *s;
    for (;;) {
        if (caplocked)
            spin_lock(&cap_lock);
        spin_lock_irqsoff(&ep->wq.lock);
        s = ep->state == EP_SENDERS ? ep->wq.head : NULL;
        if (!s || !(s->ipc_flags & IPC_SEND_CAP) || caplocked)
            break;
        /* A capability comes with this message: start over holding cap_lock (it is taken first). */
        spin_unlock_irqsoff(&ep->wq.lock);
        caplocked = true;
    }
    if (!ep->dead && !s && block)
        return wait_as_receiver(ep, me, recv_slot, caplocked, reply, out, cap_info);
    int r = ep->dead ? MN_ERR_DEAD : !s ? MN_ERR_WOULD_BLOCK : MN_ERR_OK;
    struct thread *wake = NULL;
    if (r == MN_ERR_OK) {
        /* A sender is waiting: take its message; a caller stays blocked, owed a reply by this thread. */
        waitq_remove_locked(&ep->wq, s);
        me->ipc_recv_badge = s->ipc_send_badge;
        out[0] = s->ipc_msg[0];
        out[1] = s->ipc_msg[1];
        out[2] = s->ipc_msg[2];
        if (s->ipc_flags & IPC_SEND_CAP) {
            info = transfer_cap(s, me, recv_slot);
            out[2] = info;
        }
        if (s->ipc_flags & IPC_SEND_CALL) {
            me->reply_to = s;
            me->reply_token = s->awaiting_reply;
            thread_get(s);
            s->reason = BLOCK_REPLY;
        } else {
            wake = s;
        }
    }
    spin_unlock_irqsoff(&ep->wq.lock);
    if (caplocked)
        spin_unlock(&cap_lock);
    if (wake)
        sched_wake(wake, MN_ERR_OK);
    if (reply)
        sched_wake(reply, MN_ERR_OK);
    if (cap_info)
        *cap_info = info;
    return r;
}

int endpoint_recv(struct endpoint *ep, uint64_t msg[3], bool block)
{
    uint64_t flags = irq_save();
    abandon_reply(sched_current());
    int r = recv_locked_out(ep, msg, 0, block, NULL, NULL);
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

/*
 * Uses up the calling thread's reply right (me->reply_to must be set): puts
 * the reply into the caller it names and returns that caller, claimed and
 * still blocked, for the caller of this function to wake; NULL when that
 * call is over already (the caller was killed).
 */
static struct thread *prepare_reply(struct thread *me, const uint64_t msg[3])
{
    struct thread *c = me->reply_to;
    me->reply_to = NULL;
    if (!claim_caller(c, me->reply_token)) {
        thread_put(c);
        return NULL;
    }
    c->ipc_msg[0] = msg[0];
    c->ipc_msg[1] = msg[1];
    c->ipc_msg[2] = msg[2];
    return c;
}

int ipc_reply(const uint64_t msg[3])
{
    struct thread *me = sched_current();
    if (!me->reply_to)
        return MN_ERR_NOT_FOUND;
    uint64_t flags = irq_save();
    struct thread *c = prepare_reply(me, msg);
    if (c) {
        sched_wake(c, MN_ERR_OK);
        thread_put(c);
    }
    irq_restore(flags);
    return c ? MN_ERR_OK : MN_ERR_DEAD;
}

int endpoint_reply_recv(struct endpoint *ep, const uint64_t in[3], uint64_t out[3])
{
    struct thread *me = sched_current();
    int r;
    uint64_t flags = irq_save();
    struct thread *c = me->reply_to ? prepare_reply(me, in) : NULL;
    /* The fast path: no sender queued, so wait and run the caller just answered. */
    spin_lock_irqsoff(&ep->wq.lock);
    if (__builtin_expect(!ep->dead && !(ep->state == EP_SENDERS && ep->wq.head), 1)) {
        r = wait_as_receiver(ep, me, 0, false, c, out, NULL);
    } else {
        spin_unlock_irqsoff(&ep->wq.lock);
        r = recv_locked_out(ep, out, 0, true, c, NULL);
    }
    if (c)
        thread_put(c);
    irq_restore(flags);
    return r;
}
