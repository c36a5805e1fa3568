/*
 * Synchronous endpoints: a sender blocks until a receiver arrives and vice
 * versa; the three-word message (label, data0, data1) is copied straight
 * from one thread to the other. One FIFO queue per endpoint holds either
 * waiting senders or waiting receivers, never both (seL4's design), and
 * its lock is the endpoint lock. Works across CPUs: the partner is woken
 * on whatever CPU it waits for.
 *
 * Lifetime: Endpoint capabilities hold one kernel reference together (the
 * cap_object's release drops it) and every thread inside a send/recv holds
 * one, so an endpoint whose last capability goes away while threads wait
 * on it wakes them with MN_ERR_DEAD and is freed after they leave.
 */
#ifndef IPC_ENDPOINT_H
#define IPC_ENDPOINT_H

#include <stdbool.h>
#include <stdint.h>

#include "cap/cap.h"
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

/*
 * Sends msg[0..2]. Blocks (block=true) until a receiver takes it. Returns
 * MN_ERR_OK, MN_ERR_WOULD_BLOCK (no receiver and !block), or MN_ERR_DEAD
 * (the endpoint died, or the thread was killed while waiting).
 */
int endpoint_send(struct endpoint *ep, const uint64_t msg[3], bool block);

/* Receives into msg[0..2]; same results as endpoint_send. */
int endpoint_recv(struct endpoint *ep, uint64_t msg[3], bool block);

/* Endpoints alive, for leak tests. */
uint64_t endpoint_live_count(void);

#endif
