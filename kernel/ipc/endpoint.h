/*
 * Synchronous endpoints: a sender blocks until a receiver arrives and vice
 * versa; the three-word message (label, data0, data1) is copied straight
 * from one thread to the other. One FIFO queue per endpoint holds either
 * waiting senders or waiting receivers, never both (seL4's design), and
 * its lock is the endpoint lock. Works across CPUs: the partner is woken
 * on whatever CPU it waits for.
 *
 * Calls: endpoint_call sends and then waits for the reply. The receiver
 * that takes the call gets a one-shot reply right, kept in its thread
 * (thread.reply_to): ipc_reply or endpoint_reply_recv uses it up. If the
 * receiver exits, or receives again, without replying, the caller wakes
 * with MN_ERR_DEAD; if the caller is killed meanwhile, the reply is dropped.
 * Each call carries a token (thread.awaiting_reply) so a reply right can
 * only ever answer the call it was made for.
 *
 * The fast path (seL4's idea): when a call finds its server waiting, or a
 * server's reply finds its caller waiting while no other sender is queued,
 * the kernel switches straight to the partner on this CPU — no run queue,
 * no scheduler decision — if the partner may run here (sched_switch_direct).
 *
 * Capability transfer: endpoint_send_cap carries a capability (by slot,
 * needing GRANT, with a rights mask) that is copied, as a derived child of
 * the sender's, into the slot the receiver named in endpoint_recv_cap. The
 * copy is made at the rendezvous under cap_lock (lock order: cap_lock, then
 * the endpoint lock). A receiver that named no slot (plain receive), or
 * whose slot is no longer empty, or a sender whose capability is gone by
 * then, still gets the message, without the capability.
 *
 * Badges: an Endpoint capability may carry a badge (its data[0], set once
 * by BADGE_CAP); a message carries the badge of the capability it was sent
 * through to the receiver (thread.ipc_recv_badge), so a server can tell
 * its clients apart. The sender's badge is thread.ipc_send_badge, set by
 * ipc_endpoint_of (kernel threads send with badge 0).
 *
 * Lifetime: Endpoint capabilities hold one kernel reference together (the
 * cap_object's release drops it) and every thread inside a send/recv holds
 * one, so an endpoint whose last capability goes away while threads wait
 * on it wakes them with MN_ERR_DEAD and is freed after they leave.
 *
 * Results of the blocking calls: MN_ERR_OK, MN_ERR_WOULD_BLOCK (non-blocking
 * form, no partner), MN_ERR_DEAD (the endpoint died, the server went away
 * without replying, or the thread was killed while waiting).
 */
#ifndef IPC_ENDPOINT_H
#define IPC_ENDPOINT_H

#include <stdbool.h>
#include <stdint.h>

#include "cap/cap.h"
#include "sched/sched.h"
#include "sched/waitq.h"

struct endpoint {
    cap_object_t obj; /* first: capabilities point here */
    struct waitq wq; /* waiting senders or receivers; wq.lock is the endpoint lock */
    int state; /* EP_SENDERS or EP_RECEIVERS while wq is not empty */
    bool dead; /* the last capability went away */
    volatile uint32_t refs;
};

/* A new endpoint with one reference (for the capabilities about to be minted); NULL when out of memory. */
struct endpoint *endpoint_create(void);

void endpoint_get(struct endpoint *ep);
void endpoint_put(struct endpoint *ep);

/* Sends msg[0..2]; blocks (block=true) until a receiver takes it. */
int endpoint_send(struct endpoint *ep, const uint64_t msg[3], bool block);

/* Receives into msg[0..2]. A reply right the thread still held is given up first. */
int endpoint_recv(struct endpoint *ep, uint64_t msg[3], bool block);

/*
 * Sends in[0..2] as a call and waits for the reply, stored in out[0..2].
 * out may overlap in (in is read before out is written): the syscall
 * passes its argument array.
 */
int endpoint_call(struct endpoint *ep, const uint64_t in[3], uint64_t out[3]);

/*
 * Replies in[0..2] through the calling thread's reply right, then receives
 * on ep into out[0..2] (the reply goes first even if the receive fails);
 * out may overlap in. Without a reply right it just receives.
 */
int endpoint_reply_recv(struct endpoint *ep, const uint64_t in[3], uint64_t out[3]);

/*
 * Replies msg[0..2] through the calling thread's reply right. Returns
 * MN_ERR_OK, MN_ERR_NOT_FOUND (no reply right) or MN_ERR_DEAD (the caller
 * was killed meanwhile; the right is used up all the same).
 */
int ipc_reply(const uint64_t msg[3]);

/*
 * Sends (label, data0) with the capability in the caller's slot `cap_slot`
 * (checked at the rendezvous: it must be there and have GRANT), to be
 * derived with rights & `rights`. The receiver's data1 is the MN_INSPECT_MAKE
 * value of what it got (0: nothing). Blocks until a receiver takes it.
 */
int endpoint_send_cap(struct endpoint *ep, uint64_t label, uint64_t data0, uint32_t cap_slot, uint8_t rights);

/*
 * Receives into msg[0..2], taking a transferred capability into the empty
 * slot `slot` of the caller's CNode. *got is true when a capability came
 * (msg[2] is then its MN_INSPECT_MAKE value).
 */
int endpoint_recv_cap(struct endpoint *ep, uint32_t slot, uint64_t msg[3], bool *got);

/*
 * The endpoint behind the calling thread's capability in `slot`, which must
 * have the rights `need` (cnode_lookup's errors otherwise). The thread
 * keeps the last one it looked up, with a reference, and reuses it without
 * taking cap_lock while no capability has left any slot since
 * (cap_generation): the IPC fast path. The endpoint stays valid until the
 * thread's next lookup; the caller takes no reference of its own. Also sets
 * the thread's sending badge to the capability's. ipc_endpoint_lookup is
 * the slow path (with cap_lock).
 */
int ipc_endpoint_lookup(uint64_t slot, uint8_t need, struct endpoint **out);

static inline int ipc_endpoint_of(uint64_t slot, uint8_t need, struct endpoint **out)
{
    struct thread *me = sched_current();
    if (__builtin_expect(me->epc_ep && slot == me->epc_slot &&
                             __atomic_load_n(&cap_generation, __ATOMIC_ACQUIRE) == me->epc_gen &&
                             (me->epc_rights & need) == need,
                         1)) {
        *out = me->epc_ep;
        me->ipc_send_badge = me->epc_badge;
        return MN_ERR_OK;
    }
    return ipc_endpoint_lookup(slot, need, out);
}

/*
 * thread_exit: gives up a reply right the thread still holds (its caller
 * wakes with MN_ERR_DEAD) and its cached endpoint.
 */
void ipc_thread_exit(struct thread *t);

/*
 * thread_kill, for a thread on no wait queue: true when t was waiting for a
 * reply and this call ended the wait (the caller then wakes t); the reply,
 * should it come, is dropped.
 */
bool ipc_cancel_reply_wait(struct thread *t);

/* Endpoints alive, for leak tests. */
uint64_t endpoint_live_count(void);

#endif
