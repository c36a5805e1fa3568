/*
 * SEND/RECV on endpoints (and their non-blocking forms): SEND needs WRITE
 * on the endpoint capability, RECV needs READ. The endpoint is pinned with
 * a reference for the duration of the call, so dropping the capability
 * meanwhile cannot free it under the waiting thread.
 */
#include "cap/cspace.h"
#include "ipc/endpoint.h"
#include "sched/process.h"
#include "sched/sched.h"
#include "syscall/syscall.h"

static int get_endpoint(uint64_t slot, uint8_t need, struct endpoint **out)
{
    cap_slot_t *s;
    spin_lock(&cap_lock);
    int r = cspace_lookup(sched_current()->process, slot, MN_CAP_ENDPOINT, need, &s);
    if (r == MN_ERR_OK) {
        *out = (struct endpoint *)s->object;
        endpoint_get(*out);
    }
    spin_unlock(&cap_lock);
    return r;
}

static int64_t do_send(uint64_t a[6], bool block)
{
    struct endpoint *ep;
    int r = get_endpoint(a[0], MN_RIGHT_WRITE, &ep);
    if (r != MN_ERR_OK)
        return r;
    r = endpoint_send(ep, &a[1], block);
    endpoint_put(ep);
    return r;
}

static int64_t do_recv(uint64_t a[6], bool block)
{
    struct endpoint *ep;
    uint64_t msg[3];
    int r = get_endpoint(a[0], MN_RIGHT_READ, &ep);
    if (r != MN_ERR_OK)
        return r;
    r = endpoint_recv(ep, msg, block);
    endpoint_put(ep);
    if (r == MN_ERR_OK)
        for (int i = 0; i < 3; i++)
            a[i] = msg[i];
    return r;
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
