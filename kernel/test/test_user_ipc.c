/*
 * Ring 3 tests, part 2: IPC between processes. SEND/RECV on one CPU and
 * across CPUs, FIFO order of waiting senders and receivers, an endpoint
 * destroyed under a waiter; CALL/REPLY/REPLY_RECV (same CPU, across CPUs,
 * a server that never replies, a caller killed while its server holds the
 * reply right); capability transfer and revocation across processes.
 */
#include "cap/cspace.h"
#include "debug/log.h"
#include "ipc/endpoint.h"
#include "ipc/notification.h"
#include "sched/process.h"
#include "sched/sched.h"
#include "test/ktest.h"
#include "test/user_harness.h"

/* Both CPU masks for a pair of processes: two different CPUs when there are two, else anywhere. */
static uint64_t cpu_mask(int which)
{
    return cpu_count < 2 ? 0 : 1ull << which;
}

/* ---- SEND / RECV ------------------------------------------------------------ */

static const char *run_ipc_pair(uint64_t client_cpus, uint64_t server_cpus)
{
    struct uproc c, s;
    const char *err = uproc_spawn("bin/ipc", 0, &c);
    if (!err)
        err = uproc_spawn("bin/ipc", 1, &s);
    if (err)
        return err;
    struct endpoint *req = endpoint_create(), *rep = endpoint_create();
    KTEST_CHECK(req && rep, "endpoint_create");
    KTEST_CHECK(uproc_mint(&c, 1, MN_CAP_ENDPOINT, MN_RIGHT_WRITE, &req->obj, 0, 0) &&
                    uproc_mint(&c, 2, MN_CAP_ENDPOINT, MN_RIGHT_READ, &rep->obj, 0, 0) &&
                    uproc_mint(&s, 1, MN_CAP_ENDPOINT, MN_RIGHT_READ, &req->obj, 0, 0) &&
                    uproc_mint(&s, 2, MN_CAP_ENDPOINT, MN_RIGHT_WRITE, &rep->obj, 0, 0),
                "mint");
    uproc_start(&c, client_cpus);
    uproc_start(&s, server_cpus);
    int64_t sc = uproc_finish(&c, 0), ss = uproc_finish(&s, 0);
    KTEST_CHECK(sc == 0 && ss == 0, "IPC between two processes failed (see the log)");
    return NULL;
}

KTEST(user_ipc_same_cpu)
{
    return run_ipc_pair(1, 1);
}

KTEST(user_ipc_cross_cpu)
{
    return run_ipc_pair(cpu_mask(0), cpu_mask(1));
}

/* A receiver blocked on an endpoint whose last capability goes away wakes with MN_ERR_DEAD. */
static const char *run_ipc_death(void)
{
    struct uproc w;
    const char *err = uproc_spawn("bin/ipc", 2, &w);
    if (err)
        return err;
    struct endpoint *ep = endpoint_create();
    KTEST_CHECK(ep, "endpoint_create");
    KTEST_CHECK(uproc_mint(&w, 1, MN_CAP_ENDPOINT, MN_RIGHTS_ALL, &ep->obj, 0, 0), "mint");
    uproc_start(&w, 0);
    KTEST_CHECK(uproc_wait_blocked(w.t), "the receiver did not block");
    spin_lock(&cap_lock);
    int r = cap_delete(cnode_slot(&w.p->cnode, 1));
    spin_unlock(&cap_lock);
    KTEST_CHECK(r == MN_ERR_OK, "cap_delete");
    KTEST_CHECK(uproc_finish(&w, MN_ERR_DEAD) == MN_ERR_DEAD,
                "a receiver on a destroyed endpoint did not get MN_ERR_DEAD");
    return NULL;
}

KTEST(user_ipc_endpoint_death)
{
    return run_ipc_death();
}

/*
 * Senders queue in FIFO order, and so do receivers: three processes block
 * one after the other; the kernel side takes (or gives) three messages and
 * each must reach the process that came first.
 */
static const char *run_ipc_fifo(void)
{
    struct endpoint *ep = endpoint_create();
    KTEST_CHECK(ep, "endpoint_create");
    endpoint_get(ep);
    struct uproc u[3];
    const char *err = NULL;
    for (int i = 0; i < 3 && !err; i++) {
        err = uproc_spawn("bin/ipc", 100 + i, &u[i]);
        if (!err && !uproc_mint(&u[i], 1, MN_CAP_ENDPOINT, MN_RIGHT_WRITE, &ep->obj, 0, 0))
            err = "mint";
        if (!err) {
            uproc_start(&u[i], 0);
            if (!uproc_wait_blocked(u[i].t))
                err = "a sender did not block";
        }
    }
    if (err)
        return err;
    for (int i = 0; i < 3; i++) {
        uint64_t m[3];
        KTEST_CHECK(endpoint_recv(ep, m, false) == MN_ERR_OK, "no sender waiting");
        KTEST_CHECK(m[0] == 100u + i, "senders not served in FIFO order");
    }
    for (int i = 0; i < 3; i++)
        KTEST_CHECK(uproc_finish(&u[i], 0) == 0, "a sender's SEND failed");
    /* The senders' capabilities are gone with them, so that endpoint is dead now: a new one. */
    endpoint_put(ep);
    ep = endpoint_create();
    KTEST_CHECK(ep, "endpoint_create");
    endpoint_get(ep);
    for (int i = 0; i < 3 && !err; i++) {
        err = uproc_spawn("bin/ipc", 2, &u[i]);
        if (!err && !uproc_mint(&u[i], 1, MN_CAP_ENDPOINT, MN_RIGHT_READ, &ep->obj, 0, 0))
            err = "mint";
        if (!err) {
            uproc_start(&u[i], 0);
            if (!uproc_wait_blocked(u[i].t))
                err = "a receiver did not block";
        }
    }
    if (err)
        return err;
    for (int i = 0; i < 3; i++) {
        uint64_t m[3] = {10u + i, 0, 0};
        KTEST_CHECK(endpoint_send(ep, m, false) == MN_ERR_OK, "no receiver waiting");
    }
    for (int i = 0; i < 3; i++)
        KTEST_CHECK(uproc_finish(&u[i], 10 + i) == 10 + i, "receivers not served in FIFO order");
    endpoint_put(ep);
    return NULL;
}

KTEST(user_ipc_fifo)
{
    return run_ipc_fifo();
}

/* ---- CALL / REPLY / REPLY_RECV ------------------------------------------------- */

/* bin/call client mode `cmode` and server mode `smode` on one endpoint (client WRITE, server READ). */
static const char *call_pair(uint64_t cmode, uint64_t smode, uint64_t ccpus, uint64_t scpus, struct uproc *c,
                             struct uproc *s, struct notification **go, uint64_t badge)
{
    const char *err = uproc_spawn("bin/call", cmode, c);
    if (!err)
        err = uproc_spawn("bin/call", smode, s);
    if (err)
        return err;
    struct endpoint *ep = endpoint_create();
    KTEST_CHECK(ep, "endpoint_create");
    KTEST_CHECK(uproc_mint(c, 1, MN_CAP_ENDPOINT, MN_RIGHT_WRITE, &ep->obj, badge, 0) &&
                    uproc_mint(s, 1, MN_CAP_ENDPOINT, MN_RIGHT_READ, &ep->obj, 0, 0),
                "mint");
    if (go) {
        *go = notification_create();
        KTEST_CHECK(*go, "notification_create");
        notification_get(*go);
        KTEST_CHECK(uproc_mint(s, 2, MN_CAP_NOTIFICATION, MN_RIGHT_READ, &(*go)->obj, 0, 0), "mint");
    }
    uproc_start(s, scpus);
    uproc_start(c, ccpus);
    return NULL;
}

static const char *run_call(uint64_t ccpus, uint64_t scpus)
{
    struct uproc c, s;
    const char *err = call_pair(0, 1, ccpus, scpus, &c, &s, NULL, 0);
    if (err)
        return err;
    int64_t sc = uproc_finish(&c, 0), ss = uproc_finish(&s, 0);
    KTEST_CHECK(sc == 0 && ss == 0, "CALL/REPLY_RECV between two processes failed (see the log)");
    return NULL;
}

KTEST(user_call_same_cpu)
{
    return run_call(1, 1);
}

KTEST(user_call_cross_cpu)
{
    return run_call(cpu_mask(0), cpu_mask(1));
}

/* A server that exits holding the reply right: its caller wakes with MN_ERR_DEAD. */
static const char *run_call_abandoned(void)
{
    struct uproc c, s;
    const char *err = call_pair(3, 2, 0, 0, &c, &s, NULL, 0);
    if (err)
        return err;
    int64_t ss = uproc_finish(&s, 0), sc = uproc_finish(&c, 0);
    KTEST_CHECK(ss == 0 && sc == 0, "a call whose server exited did not fail with MN_ERR_DEAD");
    return NULL;
}

KTEST(user_call_abandoned)
{
    return run_call_abandoned();
}

/* A caller killed while its server holds the reply right: the reply reports MN_ERR_DEAD, nobody hangs. */
static const char *run_call_killed(void)
{
    struct uproc c, s;
    struct notification *go;
    const char *err = call_pair(5, 4, 0, 0, &c, &s, &go, 0);
    if (err)
        return err;
    /* The server waits for the go (on a notification) once it has the call; the client waits for the reply. */
    bool ready = false;
    for (int i = 0; i < 1000 && !ready; i++) {
        ready = c.t->state == THREAD_BLOCKED && c.t->reason == BLOCK_REPLY && s.t->state == THREAD_BLOCKED &&
                s.t->reason == BLOCK_WAIT;
        if (!ready)
            sched_sleep_ns(1000000);
    }
    KTEST_CHECK(ready, "the call did not reach its server");
    process_kill(c.p, MN_STATUS_KILLED, MN_EXIT_KILLED, 0);
    KTEST_CHECK(uproc_finish(&c, MN_STATUS_KILLED) == MN_STATUS_KILLED, "the waiting caller was not killed");
    notification_signal(go, 1);
    notification_put(go);
    KTEST_CHECK(uproc_finish(&s, 0) == 0, "the reply to a killed caller did not report MN_ERR_DEAD");
    return NULL;
}

KTEST(user_call_killed_caller)
{
    return run_call_killed();
}

/* A badged capability: the server sees its badge with each message. */
static const char *run_call_badge(void)
{
    struct uproc c, s;
    const char *err = call_pair(6, 7, 0, 0, &c, &s, NULL, 0xB0D6E);
    if (err)
        return err;
    int64_t sc = uproc_finish(&c, 0), ss = uproc_finish(&s, 0);
    KTEST_CHECK(sc == 0 && ss == 0, "the badge did not travel with the messages (see the log)");
    return NULL;
}

KTEST(user_call_badge)
{
    return run_call_badge();
}

/* ---- capability transfer, revocation across processes -------------------------- */

#define SCRATCH_PORT 0x3FF

static const char *run_captx(void)
{
    struct uproc a, b;
    const char *err = uproc_spawn("bin/captx", 0, &a);
    if (!err)
        err = uproc_spawn("bin/captx", 1, &b);
    if (err)
        return err;
    struct endpoint *to_b = endpoint_create(), *to_a = endpoint_create();
    KTEST_CHECK(to_b && to_a, "endpoint_create");
    KTEST_CHECK(uproc_mint(&a, 1, MN_CAP_IO_PORT, MN_RIGHTS_ALL, NULL, SCRATCH_PORT, 1) &&
                    uproc_mint(&a, 2, MN_CAP_ENDPOINT, MN_RIGHT_WRITE, &to_b->obj, 0, 0) &&
                    uproc_mint(&a, 3, MN_CAP_ENDPOINT, MN_RIGHT_READ, &to_a->obj, 0, 0) &&
                    uproc_mint(&a, 4, MN_CAP_PROCESS, MN_RIGHT_WRITE, &b.p->obj, 0, 0) &&
                    uproc_mint(&b, 1, MN_CAP_ENDPOINT, MN_RIGHT_READ, &to_b->obj, 0, 0) &&
                    uproc_mint(&b, 2, MN_CAP_ENDPOINT, MN_RIGHT_WRITE, &to_a->obj, 0, 0),
                "mint");
    uproc_start(&a, cpu_mask(0));
    uproc_start(&b, cpu_mask(1));
    int64_t sa = uproc_finish(&a, 0), sb = uproc_finish(&b, 0);
    KTEST_CHECK(sa == 0 && sb == 0, "capability transfer or revocation across processes failed (see the log)");
    return NULL;
}

KTEST(user_cap_transfer_revoke)
{
    return run_captx();
}

const char *run_ipc_tests(void)
{
    const char *err = run_ipc_pair(0, 0);
    if (!err)
        err = run_ipc_death();
    if (!err)
        err = run_ipc_fifo();
    if (!err)
        err = run_call(0, 0);
    if (!err)
        err = run_call_abandoned();
    if (!err)
        err = run_call_killed();
    if (!err)
        err = run_call_badge();
    if (!err)
        err = run_captx();
    return err;
}
