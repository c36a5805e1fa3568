/*
 * IRQ lines: a hardware interrupt delivered to whoever holds its IrqLine
 * capability. The kernel's handler does no device work: it records the
 * interrupt, wakes the thread waiting in irq_line_wait (on whatever CPU it
 * runs) or signals the bound notification, and holds further interrupts
 * back until the holder acknowledges (irq_line_ack): a level-triggered line
 * is masked at the I/O APIC meanwhile; an edge-triggered one stays unmasked
 * (a masked edge would be lost) and an edge that arrives before the
 * acknowledgement is delivered right after it.
 *
 * One object per interrupt source (an ISA IRQ or a GSI); every copy of its
 * capability shares it. When the last capability goes, the line is masked,
 * unbound and its waiter wakes with MN_ERR_DEAD; the source may then be
 * minted again.
 */
#ifndef IPC_IRQLINE_H
#define IPC_IRQLINE_H

#include <stdbool.h>
#include <stdint.h>

#include "cap/cap.h"
#include "sched/waitq.h"

struct notification;

enum irq_line_kind {
    IRQ_LINE_ISA, /* an ISA IRQ, through the MADT's overrides */
    IRQ_LINE_GSI, /* a GSI with the caller's polarity and trigger (PCI INTx: level, active low) */
    IRQ_LINE_MSI, /* a vector the device writes to (MSI, MSI-X): edge, never masked here */
};

struct irq_line {
    cap_object_t obj; /* first: capabilities point here */
    struct waitq wq; /* the waiting thread (at most one); wq.lock guards the rest */
    int kind; /* enum irq_line_kind */
    uint32_t gsi; /* ISA and GSI lines */
    uint8_t vector;
    bool level; /* level-triggered: masked while unacknowledged */
    bool unacked; /* delivered, not yet acknowledged */
    bool pending; /* delivered with nobody waiting: the next irq_line_wait returns at once */
    bool again; /* an edge arrived while unacknowledged */
    bool dead;
    struct notification *notif; /* bound notification (holds a reference), or NULL */
    uint64_t notif_bits;
    volatile uint32_t refs;
    volatile uint64_t count; /* interrupts taken */
};

/*
 * A line for ISA IRQ `irq` (routed through the MADT's overrides to this
 * kernel's handler, masked until someone waits or binds), with one
 * reference for the capabilities about to be minted. Fails (NULL, *err)
 * with MN_ERR_BAD_ARG (irq > 15), MN_ERR_BUSY (the kernel or another live
 * line uses it), MN_ERR_NOT_FOUND (no I/O APIC).
 */
struct irq_line *irq_line_create_isa(uint8_t irq, int *err);

/*
 * A line for `gsi` routed with ACPI-style polarity/trigger `flags` (PCI
 * INTx: IOAPIC_LEVEL_LOW) to a free vector. Errors as irq_line_create_isa,
 * and MN_ERR_NO_SPACE when no vector is left.
 */
struct irq_line *irq_line_create_gsi(uint32_t gsi, uint16_t flags, int *err);

/*
 * A line for a message-signalled interrupt: a free vector, and the message
 * a device must write to raise it (*address, *data: program them into the
 * device's MSI or MSI-X entry). MN_ERR_NO_SPACE when no vector is left.
 */
struct irq_line *irq_line_create_msi(uint64_t *address, uint32_t *data, int *err);

void irq_line_get(struct irq_line *l);
void irq_line_put(struct irq_line *l);

/*
 * Acknowledges the previous interrupt if the caller took it (an implicit
 * irq_line_ack), then waits for the next. Returns MN_ERR_OK, MN_ERR_BUSY
 * (another thread waits already), MN_ERR_DEAD (the line died, or the thread
 * was killed while waiting).
 */
int irq_line_wait(struct irq_line *l);

/* Lets the next interrupt through (unmasks a level-triggered line). */
void irq_line_ack(struct irq_line *l);

/* Binds the line to notification n (NULL: unbinds): each interrupt signals `bits`. */
void irq_line_bind(struct irq_line *l, struct notification *n, uint64_t bits);

/* IRQ lines in use, for leak tests. */
uint64_t irq_line_live_count(void);

#endif
