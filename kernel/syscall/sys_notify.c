/*
 * Notifications (NOTIFICATION_CREATE, NOTIFY_SIGNAL/WAIT/POLL) and IRQ
 * lines (WAIT_IRQ, IRQ_BIND, IRQ_ACK). Signalling needs WRITE on the
 * notification, waiting and polling READ; an IrqLine capability needs READ
 * to wait or acknowledge, and binding it needs WRITE on the notification.
 * Notification bits are 0-62: the word comes back in RAX, which must not
 * look like an error.
 */
#include "cap/cspace.h"
#include "ipc/irqline.h"
#include "ipc/notification.h"
#include "sched/process.h"
#include "sched/sched.h"
#include "syscall/syscall.h"

#define NOTIFY_BITS_MASK 0x7FFFFFFFFFFFFFFFull

static struct process *self(void)
{
    return sched_current()->process;
}

/* The notification in `slot` with `need`, pinned by a reference; cap_lock held. */
static int lookup_notification(uint64_t slot, uint8_t need, struct notification **out)
{
    cap_slot_t *s;
    int r = cspace_lookup(self(), slot, MN_CAP_NOTIFICATION, need, &s);
    if (r == MN_ERR_OK) {
        *out = (struct notification *)s->object;
        notification_get(*out);
    }
    return r;
}

static int get_notification(uint64_t slot, uint8_t need, struct notification **out)
{
    spin_lock(&cap_lock);
    int r = lookup_notification(slot, need, out);
    spin_unlock(&cap_lock);
    return r;
}

static int get_irq(uint64_t slot, struct irq_line **out)
{
    cap_slot_t *s;
    spin_lock(&cap_lock);
    int r = cspace_lookup(self(), slot, MN_CAP_IRQ_LINE, MN_RIGHT_READ, &s);
    if (r == MN_ERR_OK) {
        *out = (struct irq_line *)s->object;
        irq_line_get(*out);
    }
    spin_unlock(&cap_lock);
    return r;
}

/* target slot */
int64_t sys_NOTIFICATION_CREATE(uint64_t a[6])
{
    struct process *p = self();
    int r = cspace_prepare_target(p, a[0]);
    if (r != MN_ERR_OK)
        return r;
    struct notification *n = notification_create();
    if (!n)
        return MN_ERR_NO_MEMORY;
    r = cspace_mint(p, a[0], MN_CAP_NOTIFICATION, MN_RIGHTS_ALL, &n->obj, 0, 0, NULL);
    if (r != MN_ERR_OK)
        notification_put(n); /* another thread filled the slot meanwhile */
    return r;
}

/* notification slot, bits */
int64_t sys_NOTIFY_SIGNAL(uint64_t a[6])
{
    if (a[1] & ~NOTIFY_BITS_MASK)
        return MN_ERR_BAD_ARG;
    struct notification *n;
    int r = get_notification(a[0], MN_RIGHT_WRITE, &n);
    if (r != MN_ERR_OK)
        return r;
    notification_signal(n, a[1]);
    notification_put(n);
    return MN_ERR_OK;
}

static int64_t do_wait(uint64_t slot, bool block)
{
    struct notification *n;
    int r = get_notification(slot, MN_RIGHT_READ, &n);
    if (r != MN_ERR_OK)
        return r;
    uint64_t bits = 0;
    r = notification_wait(n, block, &bits);
    notification_put(n);
    return r == MN_ERR_OK ? (int64_t)bits : r;
}

/* notification slot -> bits */
int64_t sys_NOTIFY_WAIT(uint64_t a[6])
{
    return do_wait(a[0], true);
}

int64_t sys_NOTIFY_POLL(uint64_t a[6])
{
    return do_wait(a[0], false);
}

/* irq slot */
int64_t sys_WAIT_IRQ(uint64_t a[6])
{
    struct irq_line *l;
    int r = get_irq(a[0], &l);
    if (r != MN_ERR_OK)
        return r;
    r = irq_line_wait(l);
    irq_line_put(l);
    return r;
}

/* irq slot */
int64_t sys_IRQ_ACK(uint64_t a[6])
{
    struct irq_line *l;
    int r = get_irq(a[0], &l);
    if (r != MN_ERR_OK)
        return r;
    irq_line_ack(l);
    irq_line_put(l);
    return MN_ERR_OK;
}

/* irq slot, notification slot (0: unbind), bit number 0-62 */
int64_t sys_IRQ_BIND(uint64_t a[6])
{
    if (a[1] != 0 && a[2] > 62)
        return MN_ERR_BAD_ARG;
    struct irq_line *l;
    int r = get_irq(a[0], &l);
    if (r != MN_ERR_OK)
        return r;
    struct notification *n = NULL;
    if (a[1] != 0)
        r = get_notification(a[1], MN_RIGHT_WRITE, &n);
    if (r == MN_ERR_OK)
        irq_line_bind(l, n, n ? 1ull << a[2] : 0);
    if (n)
        notification_put(n);
    irq_line_put(l);
    return r;
}
