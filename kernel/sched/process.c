/* Process objects (see process.h). */
#include "sched/process.h"

#include "lib/string.h"
#include "mm/heap.h"
#include "mm/vmm.h"

static volatile uint64_t next_pid = 1;
static volatile uint64_t live;

struct process *process_create(const char *name)
{
    struct process *p = kzalloc(sizeof *p);
    if (!p)
        return NULL;
    p->as = addr_space_create();
    if (!p->as) {
        kfree(p);
        return NULL;
    }
    p->pid = __atomic_fetch_add(&next_pid, 1, __ATOMIC_RELAXED);
    strlcpy(p->name, name, sizeof p->name);
    __atomic_fetch_add(&live, 1, __ATOMIC_RELAXED);
    return p;
}

void process_thread_reaped(struct process *p)
{
    if (__atomic_sub_fetch(&p->threads, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    addr_space_destroy(p->as, true);
    kfree(p);
    __atomic_fetch_sub(&live, 1, __ATOMIC_RELAXED);
}

uint64_t process_live_count(void)
{
    return live;
}
