/*
 * Ticket spinlocks that disable interrupts while held (so an interrupt
 * handler on the same CPU can never deadlock against its own CPU), and
 * record their holder for debugging.
 */
#ifndef LIB_SPINLOCK_H
#define LIB_SPINLOCK_H

#include <arch/cpu.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct spinlock {
    volatile uint32_t next;
    volatile uint32_t serving;
    uint64_t saved_flags;
    const char *name;
} spinlock_t;

#define SPINLOCK_INIT(n) { 0, 0, 0, n }

/*
 * Called in every spin-wait iteration once SMP is up (answers pending TLB
 * shootdown requests: a CPU spinning with interrupts off cannot take the IPI).
 */
extern void (*volatile spin_wait_hook)(void);

static inline void spin_lock(spinlock_t *l)
{
    uint64_t flags = irq_save();
    uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
    while (__atomic_load_n(&l->serving, __ATOMIC_ACQUIRE) != ticket) {
        cpu_relax();
        if (spin_wait_hook)
            spin_wait_hook();
    }
    l->saved_flags = flags;
}

static inline void spin_unlock(spinlock_t *l)
{
    uint64_t flags = l->saved_flags;
    __atomic_store_n(&l->serving, l->serving + 1, __ATOMIC_RELEASE);
    irq_restore(flags);
}

static inline bool spin_is_locked(spinlock_t *l)
{
    return __atomic_load_n(&l->next, __ATOMIC_RELAXED) != __atomic_load_n(&l->serving, __ATOMIC_RELAXED);
}

#endif
