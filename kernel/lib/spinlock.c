/* The spin-wait hook (see spinlock.h); NULL until SMP is up. */
#include "lib/spinlock.h"

#include "debug/panic.h"

void (*volatile spin_wait_hook)(void);

void spin_misuse(const spinlock_t *l, const char *what)
{
    panic("spinlock %s: %s (CPU %u)", l->name ? l->name : "?", what, percpu_index());
}
