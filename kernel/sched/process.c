/* Process objects (see process.h). */
#include "sched/process.h"

#include "cap/cspace.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/umem.h"
#include "mm/vmm.h"
#include "sched/sched.h"
#include "sched/waitq.h"

static volatile uint64_t next_pid = 1;
static volatile uint64_t live;
/* Everyone in process_wait; the condition is p->exited. */
static struct waitq exit_wq = WAITQ_INIT("process exits");

static void process_teardown(struct process *p);

static void teardown_work(struct reaper_work *w)
{
    process_teardown((struct process *)((char *)w - __builtin_offsetof(struct process, teardown_work)));
}

/* With p->lock held: if p has no thread and may not get one, mark it DYING; true if the caller must queue the teardown.
 */
static bool begin_dying_locked(struct process *p, bool no_more_threads)
{
    if (p->threads == 0 && (p->state == PROC_RUNNING || (p->state == PROC_NEW && no_more_threads))) {
        p->state = PROC_DYING;
        return true;
    }
    return false;
}

/* The last Process capability is gone (under cap_lock): a NEW process can never start now. */
static void process_obj_release(cap_object_t *obj)
{
    struct process *p = process_of_obj(obj);
    spin_lock(&p->lock);
    bool dying = begin_dying_locked(p, true);
    spin_unlock(&p->lock);
    if (dying)
        reaper_defer(&p->teardown_work); /* teardown takes cap_lock */
    process_put(p);
}

struct process *process_create(const char *name)
{
    struct process *p = kzalloc(sizeof *p);
    if (!p)
        return NULL;
    p->cnode_chunk = kmalloc(sizeof(cap_slot_t) * PROCESS_CNODE_SLOTS);
    p->as = addr_space_create();
    if (!p->as || !p->cnode_chunk) {
        if (p->as)
            addr_space_destroy(p->as, true);
        kfree(p->cnode_chunk);
        kfree(p);
        return NULL;
    }
    spin_lock(&cap_lock);
    cnode_init(&p->cnode, p->cnode_chunk);
    spin_unlock(&cap_lock);
    cap_object_init(&p->obj, MN_CAP_PROCESS, process_obj_release);
    p->lock = (spinlock_t)SPINLOCK_INIT("process");
    p->umap_lock = (spinlock_t)SPINLOCK_INIT("process mappings");
    p->teardown_work.fn = teardown_work;
    p->state = PROC_NEW;
    p->refs = 1;
    p->pid = __atomic_fetch_add(&next_pid, 1, __ATOMIC_RELAXED);
    strlcpy(p->name, name, sizeof p->name);
    __atomic_fetch_add(&live, 1, __ATOMIC_RELAXED);
    return p;
}

int process_add_thread(struct process *p, struct thread *t)
{
    spin_lock(&p->lock);
    int r = MN_ERR_OK;
    if (p->killed || p->state == PROC_DYING || p->state == PROC_EXITED)
        r = MN_ERR_DEAD;
    else if (p->threads >= PROCESS_MAX_THREADS)
        r = MN_ERR_NO_SPACE;
    if (r == MN_ERR_OK) {
        t->process = p;
        t->proc_next = p->thread_list;
        p->thread_list = t;
        p->threads++;
        p->state = PROC_RUNNING;
    }
    spin_unlock(&p->lock);
    return r;
}

void process_get(struct process *p)
{
    __atomic_fetch_add(&p->refs, 1, __ATOMIC_RELAXED);
}

void process_put(struct process *p)
{
    if (__atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    kfree(p);
    __atomic_fetch_sub(&live, 1, __ATOMIC_RELAXED);
}

void process_thread_reaped(struct process *p, struct thread *t)
{
    spin_lock(&p->lock);
    for (struct thread **pp = &p->thread_list; *pp; pp = &(*pp)->proc_next) {
        if (*pp == t) {
            *pp = t->proc_next;
            break;
        }
    }
    p->threads--;
    bool dying = begin_dying_locked(p, false);
    spin_unlock(&p->lock);
    if (dying)
        process_teardown(p); /* the reaper is the caller: no lock held */
}

void process_abandon(struct process *p)
{
    spin_lock(&p->lock);
    p->state = PROC_DYING;
    spin_unlock(&p->lock);
    process_teardown(p);
}

/* Once, when p has no threads left and will get none: take back every capability, then the memory. */
static void process_teardown(struct process *p)
{
    spin_lock(&cap_lock);
    cnode_clear(&p->cnode);
    cap_slot_t *chunk = p->cnode_chunk;
    p->cnode_chunk = NULL; /* under cap_lock: nobody derives into this CNode any more */
    uint32_t nchunks = p->cnode.nchunks;
    spin_unlock(&cap_lock);
    kfree(chunk);
    for (uint32_t i = 1; i < nchunks; i++) /* chunks added by growth (cspace.c) */
        kfree(p->cnode.chunks[i]);
    umem_teardown(p); /* cap-mapped frames go back through their objects, not the walker below */
    addr_space_destroy(p->as, true);
    p->as = NULL;
    spin_lock(&p->lock);
    p->state = PROC_EXITED;
    spin_unlock(&p->lock);
    spin_lock(&exit_wq.lock);
    p->exited = true;
    spin_unlock(&exit_wq.lock);
    waitq_wake_all(&exit_wq);
    process_put(p);
}

void process_set_status(struct process *p, int64_t status, int reason, int vector)
{
    spin_lock(&p->lock);
    if (!p->status_set) {
        p->status_set = true;
        p->exit_status = status;
        p->exit_reason = reason;
        p->exit_vector = vector;
    }
    spin_unlock(&p->lock);
}

void process_kill(struct process *p, int64_t status, int reason, int vector)
{
    process_set_status(p, status, reason, vector);
    spin_lock(&p->lock);
    p->killed = true;
    for (struct thread *t = p->thread_list; t; t = t->proc_next)
        t->kill_pending = true;
    bool dying = begin_dying_locked(p, true);
    spin_unlock(&p->lock);
    if (dying) {
        reaper_defer(&p->teardown_work);
        return;
    }
    /*
     * Wake the blocked ones outside p->lock (thread_kill takes wait-queue
     * locks): one at a time, each pinned by a handle, since the reaper may
     * unlink threads meanwhile. Running and ready threads exit at their next
     * return to user mode (user_return_hook) or blocking call.
     */
    struct thread *me = sched_current();
    for (;;) {
        struct thread *victim = NULL;
        spin_lock(&p->lock);
        for (struct thread *t = p->thread_list; t; t = t->proc_next) {
            if (t != me && t->state == THREAD_BLOCKED && !t->kill_woken) {
                t->kill_woken = true;
                __atomic_fetch_add(&t->refs, 1, __ATOMIC_RELAXED);
                victim = t;
                break;
            }
        }
        spin_unlock(&p->lock);
        if (!victim)
            break;
        thread_kill(victim);
        thread_put(victim);
    }
}

int process_wait_killable(struct process *p, int64_t *status, int *reason, int *vector)
{
    spin_lock(&exit_wq.lock);
    while (!p->exited) {
        if (waitq_wait_locked(&exit_wq) == SCHED_KILLED) {
            spin_unlock(&exit_wq.lock);
            return MN_ERR_DEAD;
        }
    }
    spin_unlock(&exit_wq.lock);
    spin_lock(&p->lock);
    if (status)
        *status = p->status_set ? p->exit_status : 0;
    if (reason)
        *reason = p->status_set ? p->exit_reason : MN_EXIT_NORMAL;
    if (vector)
        *vector = p->status_set ? p->exit_vector : 0;
    spin_unlock(&p->lock);
    return MN_ERR_OK;
}

int64_t process_wait(struct process *p)
{
    int64_t status = 0;
    process_wait_killable(p, &status, NULL, NULL);
    return status;
}

uint64_t process_live_count(void)
{
    return live;
}
