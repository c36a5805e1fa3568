/* The spin-wait hook (see spinlock.h); NULL until SMP is up. */
#include "lib/spinlock.h"

void (*volatile spin_wait_hook)(void);
