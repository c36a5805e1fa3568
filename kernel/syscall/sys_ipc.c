/*
 * Endpoint calls: SEND, RECV and their non-blocking forms, CALL, REPLY,
 * REPLY_RECV, and capability transfer (SEND_CAP, RECV_CAP). Sending and
 * calling need WRITE on the endpoint capability, receiving needs READ. The
 * endpoint is pinned for the duration of the call by the thread's lookup
 * cache (ipc_endpoint_of), so dropping the capability meanwhile cannot free
 * it under a waiting thread. The receiving calls return the badge of the
 * capability the message was sent through (0: none) in RAX.
 */
#include "cap/cspace.h"
#include "ipc/endpoint.h"
#include "sched/process.h"
#include "sched/sched.h"
#include "syscall/syscall.h"

/* Copies a received message into the output registers. */
static void out_msg(uint64_t a[6], const uint64_t msg[3])
{
    a[0] = msg[0];
    a[1] = msg[1];
    a[2] = msg[2];
}

static int64_t do_send(uint64_t a[6], bool block)
{
    struct endpoint *ep;
    int r = ipc_endpoint_of(a[0], MN_RIGHT_WRITE, &ep);
    if (r != MN_ERR_OK)
        return r;
    uint64_t msg[3] = {a[1], a[2], a[3]};
    r = endpoint_send(ep, msg, block);
    return r;
}

static int64_t do_recv(uint64_t a[6], bool block)
{
    struct endpoint *ep;
    uint64_t msg[3];
    int r = ipc_endpoint_of(a[0], MN_RIGHT_READ, &ep);
    if (r != MN_ERR_OK)
        return r;
    r = endpoint_recv(ep, msg, block);
    if (r != MN_ERR_OK)
        return r;
    out_msg(a, msg);
    return (int64_t)sched_current()->ipc_recv_badge;
}

int64_t sys_SEND(uint64_t a[6])
{
    return do_send(a, true);
}

int64_t sys_SEND_NB(uint64_t a[6])
{
    return do_send(a, false);
}

int64_t sys_RECV(uint64_t a[6])
{
    return do_recv(a, true);
}

int64_t sys_RECV_NB(uint64_t a[6])
{
    return do_recv(a, false);
}

/* endpoint slot, label, data0, data1 -> the reply */
int64_t sys_CALL(uint64_t a[6])
{
    struct endpoint *ep;
    int r = ipc_endpoint_of(a[0], MN_RIGHT_WRITE, &ep);
    if (r != MN_ERR_OK)
        return r;
    return endpoint_call(ep, &a[1], a);
}

/* reply label, data0, data1 */
int64_t sys_REPLY(uint64_t a[6])
{
    uint64_t msg[3] = {a[0], a[1], a[2]};
    return ipc_reply(msg);
}

/* endpoint slot, reply label, data0, data1 -> the next message (the reply goes out even if the slot is bad) */
int64_t sys_REPLY_RECV(uint64_t a[6])
{
    struct endpoint *ep;
    int r = ipc_endpoint_of(a[0], MN_RIGHT_READ, &ep);
    if (r != MN_ERR_OK) {
        ipc_reply(&a[1]);
        return r;
    }
    r = endpoint_reply_recv(ep, &a[1], a);
    return r == MN_ERR_OK ? (int64_t)sched_current()->ipc_recv_badge : r;
}

/* endpoint slot, label, data0, cap slot, rights mask */
int64_t sys_SEND_CAP(uint64_t a[6])
{
    if (a[4] & ~(uint64_t)MN_RIGHTS_ALL)
        return MN_ERR_BAD_ARG;
    cap_slot_t *s;
    spin_lock(&cap_lock);
    int r = cspace_lookup(sched_current()->process, a[3], MN_CAP_EMPTY, MN_RIGHT_GRANT, &s);
    spin_unlock(&cap_lock);
    if (r != MN_ERR_OK)
        return r;
    struct endpoint *ep;
    r = ipc_endpoint_of(a[0], MN_RIGHT_WRITE, &ep);
    if (r != MN_ERR_OK)
        return r;
    r = endpoint_send_cap(ep, a[1], a[2], (uint32_t)a[3], (uint8_t)a[4]);
    return r;
}

/* endpoint slot, empty slot -> label, data0, data1 (MN_INSPECT of the cap); RAX badge << 1 | 1 if a cap came */
int64_t sys_RECV_CAP(uint64_t a[6])
{
    struct process *p = sched_current()->process;
    int r = cspace_prepare_target(p, a[1]);
    if (r != MN_ERR_OK)
        return r;
    struct endpoint *ep;
    r = ipc_endpoint_of(a[0], MN_RIGHT_READ, &ep);
    if (r != MN_ERR_OK)
        return r;
    uint64_t msg[3];
    bool got;
    r = endpoint_recv_cap(ep, (uint32_t)a[1], msg, &got);
    if (r != MN_ERR_OK)
        return r;
    out_msg(a, msg);
    return (int64_t)(sched_current()->ipc_recv_badge << 1 | (got ? 1 : 0));
}
