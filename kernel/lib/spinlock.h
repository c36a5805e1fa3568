/*
 * Ticket spinlocks that disable interrupts while held (so an interrupt
 * handler on the same CPU can never deadlock against its own CPU). With
 * LOCK_DEBUG (on by default) each lock records the CPU holding it, and
 * taking a lock this CPU already holds, or releasing one it does not hold,
 * panics with the lock's name instead of hanging or corrupting.
 */
#ifndef LIB_SPINLOCK_H
#define LIB_SPINLOCK_H

#include <arch/cpu.h>
#include <arch/percpu.h>
#include <stdbool.h>
#include <stdint.h>

#ifndef LOCK_DEBUG
#define LOCK_DEBUG 1
#endif

typedef struct spinlock {
    volatile uint32_t next;
    volatile uint32_t serving;
    uint64_t saved_flags;
    const char *name;
    volatile uint32_t owner; /* LOCK_DEBUG: holder's CPU number + 1, 0 when free */
} spinlock_t;

#define SPINLOCK_INIT(n) \
    { \
        0, 0, 0, n, 0 \
    }

/* Reports a misused lock (kernel/lib/spinlock.c); does not return. */
__attribute__((noreturn)) void spin_misuse(const spinlock_t *l, const char *what);

/*
 * Called in every spin-wait iteration once SMP is up (answers pending TLB
 * shootdown requests: a CPU spinning with interrupts off cannot take the IPI).
 */
extern void (*volatile spin_wait_hook)(void);

/*
 * For code that already runs with interrupts off and keeps them off (the
 * IPC fast path): takes and releases the lock without saving or restoring
 * the interrupt flag. Never mix the two pairs on one acquisition.
 */
static inline void spin_lock_irqsoff(spinlock_t *l)
{
    if (LOCK_DEBUG && l->owner == percpu_index() + 1)
        spin_misuse(l, "taken again by the CPU that holds it (deadlock)");
    uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
    while (__atomic_load_n(&l->serving, __ATOMIC_ACQUIRE) != ticket) {
        cpu_relax();
        if (spin_wait_hook)
            spin_wait_hook();
    }
    if (LOCK_DEBUG)
        l->owner = percpu_index() + 1;
}

static inline void spin_unlock_irqsoff(spinlock_t *l)
{
    if (LOCK_DEBUG) {
        if (l->owner != percpu_index() + 1)
            spin_misuse(l, "released by a CPU that does not hold it");
        l->owner = 0;
    }
    __atomic_store_n(&l->serving, l->serving + 1, __ATOMIC_RELEASE);
}

static inline void spin_lock(spinlock_t *l)
{
    uint64_t flags = irq_save();
    spin_lock_irqsoff(l);
    l->saved_flags = flags;
}

static inline void spin_unlock(spinlock_t *l)
{
    uint64_t flags = l->saved_flags;
    spin_unlock_irqsoff(l);
    irq_restore(flags);
}

/* True when this CPU holds l (always true without LOCK_DEBUG if it is locked at all). */
static inline bool spin_held(spinlock_t *l)
{
    return LOCK_DEBUG ? l->owner == percpu_index() + 1 : l->next != l->serving;
}

static inline bool spin_is_locked(spinlock_t *l)
{
    return __atomic_load_n(&l->next, __ATOMIC_RELAXED) != __atomic_load_n(&l->serving, __ATOMIC_RELAXED);
}

#endif
