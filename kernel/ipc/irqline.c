/* IRQ line objects (see irqline.h). */
#include "ipc/irqline.h"

#include <arch/idt.h>
#include <arch/ioapic.h>
#include <arch/lapic.h>

#include "acpi/system.h"
#include "debug/log.h"
#include "ipc/notification.h"
#include "sched/sched.h"

/*
 * Lines live in a static table indexed by vector and are never freed: an
 * interrupt handler running on one CPU while another CPU releases the line
 * may still touch it, harmlessly (it sees `dead`, or a fresh owner gets one
 * spurious interrupt). refs > 0 means the entry is in use.
 */
static struct irq_line lines[256];
static spinlock_t table_lock = SPINLOCK_INIT("irq lines");
static volatile uint64_t live;

/* An interrupt is through: to the waiter, else pending; and to the bound notification. wq.lock held. */
static void deliver_locked(struct irq_line *l)
{
    l->unacked = true;
    if (l->level)
        ioapic_mask(l->gsi);
    struct thread *t = l->wq.head;
    if (t) {
        waitq_remove_locked(&l->wq, t);
        sched_wake(t, MN_ERR_OK);
    } else if (!l->notif) {
        l->pending = true;
    }
    if (l->notif)
        notification_signal(l->notif, l->notif_bits);
}

static void irq_line_handler(struct int_frame *frame, void *ctx)
{
    (void)frame;
    struct irq_line *l = ctx;
    spin_lock(&l->wq.lock);
    __atomic_fetch_add(&l->count, 1, __ATOMIC_RELAXED);
    if (l->dead) {
        if (l->kind != IRQ_LINE_MSI)
            ioapic_mask(l->gsi);
    } else if (l->unacked)
        l->again = true; /* only edges get here: a level line is masked while unacknowledged */
    else
        deliver_locked(l);
    spin_unlock(&l->wq.lock);
}

static void ack_locked(struct irq_line *l)
{
    if (!l->unacked)
        return;
    l->unacked = false;
    l->pending = false;
    if (l->again) {
        l->again = false;
        deliver_locked(l);
    } else if (l->level) {
        ioapic_unmask(l->gsi);
    }
}

/* The last capability is gone (under cap_lock): quiet the line, wake the waiter. */
static void irq_line_release(cap_object_t *obj)
{
    struct irq_line *l = (struct irq_line *)obj;
    if (l->kind != IRQ_LINE_MSI)
        ioapic_mask(l->gsi);
    spin_lock(&l->wq.lock);
    l->dead = true;
    struct notification *n = l->notif;
    l->notif = NULL;
    while (l->wq.head) {
        struct thread *t = l->wq.head;
        waitq_remove_locked(&l->wq, t);
        sched_wake(t, MN_ERR_DEAD);
    }
    spin_unlock(&l->wq.lock);
    irq_retire(l->vector); /* an MSI, or an INTx delivery already on its way, may still come: no warning */
    if (n)
        notification_put(n);
    irq_line_put(l);
}

/*
 * Claims the table entry of `vector` and its IDT vector for a new line of
 * `kind`; NULL (MN_ERR_BUSY) when either is taken. `gsi` must not have a
 * live line of its own already (checked here for non-MSI kinds).
 */
static struct irq_line *claim(uint8_t vector, int kind, uint32_t gsi, int *err)
{
    struct irq_line *l = &lines[vector];
    spin_lock(&table_lock);
    bool busy = l->refs != 0;
    for (unsigned v = 0; v < 256 && !busy && kind != IRQ_LINE_MSI; v++)
        busy = lines[v].refs != 0 && lines[v].kind != IRQ_LINE_MSI && lines[v].gsi == gsi;
    if (!busy) {
        __atomic_fetch_add(&live, 1, __ATOMIC_RELAXED);
        cap_object_init(&l->obj, MN_CAP_IRQ_LINE, irq_line_release);
        l->wq = (struct waitq)WAITQ_INIT("irq line");
        l->vector = vector;
        l->kind = kind;
        l->gsi = gsi;
        l->level = false;
        l->unacked = l->pending = l->again = l->dead = false;
        l->notif = NULL;
        l->count = 0;
        l->refs = 1;
    }
    spin_unlock(&table_lock);
    /* The vector is the line's: one the kernel uses is refused. */
    if (busy || irq_register(vector, irq_line_handler, l) != MN_ERR_OK) {
        if (!busy)
            irq_line_put(l);
        *err = MN_ERR_BUSY;
        return NULL;
    }
    return l;
}

/* Routes the claimed line's GSI through the I/O APIC (ISA: through the MADT overrides) and unmasks it. */
static struct irq_line *route(struct irq_line *l, int kind, uint8_t isa_irq, uint16_t flags, int *err)
{
    int gsi = kind == IRQ_LINE_ISA ? ioapic_route_isa(isa_irq, l->vector, lapic_id())
                                   : ioapic_route_gsi(l->gsi, l->vector, lapic_id(), flags);
    if (kind == IRQ_LINE_GSI && gsi == 0)
        gsi = (int)l->gsi;
    uint64_t rte;
    if (gsi < 0 || !ioapic_read_route((uint32_t)gsi, &rte)) {
        irq_unregister(l->vector);
        irq_line_put(l);
        *err = gsi < 0 ? gsi : MN_ERR_NOT_FOUND;
        return NULL;
    }
    l->gsi = (uint32_t)gsi;
    l->level = rte & (1ull << 15);
    ioapic_unmask(l->gsi); /* interrupts before anyone waits are kept as pending */
    return l;
}

struct irq_line *irq_line_create_isa(uint8_t irq, int *err)
{
    if (irq > 15) {
        *err = MN_ERR_BAD_ARG;
        return NULL;
    }
    if (!ioapic_present()) {
        *err = MN_ERR_NOT_FOUND;
        return NULL;
    }
    uint16_t flags;
    uint32_t gsi = acpi_isa_irq_to_gsi(irq, &flags);
    struct irq_line *l = claim(IRQ_VECTOR_ISA(irq), IRQ_LINE_ISA, gsi, err);
    return l ? route(l, IRQ_LINE_ISA, irq, 0, err) : NULL;
}

struct irq_line *irq_line_create_gsi(uint32_t gsi, uint16_t flags, int *err)
{
    if (!ioapic_present() || gsi >= ioapic_gsi_count()) {
        *err = MN_ERR_NOT_FOUND;
        return NULL;
    }
    unsigned vector = irq_alloc_vector();
    if (!vector) {
        *err = MN_ERR_NO_SPACE;
        return NULL;
    }
    irq_unregister(vector); /* give the reservation back: claim registers the handler itself */
    struct irq_line *l = claim((uint8_t)vector, IRQ_LINE_GSI, gsi, err);
    return l ? route(l, IRQ_LINE_GSI, 0, flags, err) : NULL;
}

struct irq_line *irq_line_create_msi(uint64_t *address, uint32_t *data, int *err)
{
    unsigned vector = irq_alloc_vector();
    if (!vector) {
        *err = MN_ERR_NO_SPACE;
        return NULL;
    }
    irq_unregister(vector);
    struct irq_line *l = claim((uint8_t)vector, IRQ_LINE_MSI, 0, err);
    if (!l)
        return NULL;
    /* Intel SDM 10.11: fixed delivery, edge, physical destination: this CPU's LAPIC. */
    *address = 0xFEE00000ull | ((uint64_t)lapic_id() << 12);
    *data = l->vector;
    return l;
}

void irq_line_get(struct irq_line *l)
{
    __atomic_fetch_add(&l->refs, 1, __ATOMIC_RELAXED);
}

void irq_line_put(struct irq_line *l)
{
    if (__atomic_sub_fetch(&l->refs, 1, __ATOMIC_ACQ_REL) == 0)
        __atomic_fetch_sub(&live, 1, __ATOMIC_RELAXED);
}

uint64_t irq_line_live_count(void)
{
    return live;
}

int irq_line_wait(struct irq_line *l)
{
    spin_lock(&l->wq.lock);
    if (l->dead) {
        spin_unlock(&l->wq.lock);
        return MN_ERR_DEAD;
    }
    if (l->unacked && !l->pending)
        ack_locked(l); /* the previous interrupt, which this holder took */
    if (l->pending) {
        l->pending = false;
        spin_unlock(&l->wq.lock);
        return MN_ERR_OK;
    }
    if (l->wq.head) {
        spin_unlock(&l->wq.lock);
        return MN_ERR_BUSY;
    }
    int r = waitq_wait_locked(&l->wq);
    spin_unlock(&l->wq.lock);
    return r == MN_ERR_OK ? MN_ERR_OK : MN_ERR_DEAD;
}

void irq_line_ack(struct irq_line *l)
{
    spin_lock(&l->wq.lock);
    if (!l->dead)
        ack_locked(l);
    spin_unlock(&l->wq.lock);
}

void irq_line_bind(struct irq_line *l, struct notification *n, uint64_t bits)
{
    if (n)
        notification_get(n);
    spin_lock(&l->wq.lock);
    struct notification *old = l->notif;
    l->notif = l->dead ? NULL : n;
    l->notif_bits = bits;
    bool drop_new = l->dead && n;
    if (l->notif && l->pending) {
        l->pending = false; /* delivered before the binding: hand it to the notification */
        notification_signal(l->notif, bits);
    }
    spin_unlock(&l->wq.lock);
    if (old)
        notification_put(old);
    if (drop_new)
        notification_put(n);
}
