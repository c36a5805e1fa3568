/*
 * Notifications: a word of pending bits for asynchronous events (IRQs,
 * "data ready" signals). Signal ORs bits in and never blocks (safe from an
 * interrupt handler); wait blocks until some bit is set, then returns them
 * all and clears the word; poll does the same without blocking. Waiters
 * queue FIFO; one signal wakes one waiter, which takes every pending bit.
 *
 * Lifetime: like endpoints (endpoint.h): the capabilities hold one
 * reference together, every thread inside a wait and every IRQ line bound
 * to it one each; when the last capability goes, waiters wake with
 * MN_ERR_DEAD.
 */
#ifndef IPC_NOTIFICATION_H
#define IPC_NOTIFICATION_H

#include <stdbool.h>
#include <stdint.h>

#include "cap/cap.h"
#include "sched/waitq.h"

struct notification {
    cap_object_t obj; /* first: capabilities point here */
    struct waitq wq; /* waiters; wq.lock guards bits and dead */
    uint64_t bits;
    bool dead;
    volatile uint32_t refs;
};

/* A new notification with one reference (for the capabilities about to be minted); NULL when out of memory. */
struct notification *notification_create(void);
void notification_get(struct notification *n);
void notification_put(struct notification *n);

/* ORs `bits` in and wakes the first waiter, if any. Any context, interrupts included. */
void notification_signal(struct notification *n, uint64_t bits);

/*
 * Waits until a bit is pending and stores them all in *bits (clearing them).
 * block=false: never waits (*bits may be 0). Returns MN_ERR_OK or MN_ERR_DEAD
 * (the notification died, or the thread was killed while waiting).
 */
int notification_wait(struct notification *n, bool block, uint64_t *bits);

/* Notifications alive, for leak tests. */
uint64_t notification_live_count(void);

#endif
