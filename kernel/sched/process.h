/*
 * Processes: an address space, a CNode (the capabilities it holds, slot 0
 * always empty), its threads, and an exit status.
 *
 * Life: a process is NEW until its first thread is added (the kernel's
 * loader adds one at once; SYS_SPAWN_PROCESS makes an empty one that its
 * parent fills and starts with SYS_SPAWN_THREAD), then RUNNING. It ends —
 * DYING, torn down by the reaper, then EXITED — when its last thread has
 * been reaped, or, still NEW, when it is killed or its last Process
 * capability goes away. Teardown empties the CNode (what the process had
 * delegated elsewhere survives, re-parented, unless revoked), unmaps and
 * releases its memory and destroys the address space, then wakes everyone
 * in process_wait. The struct lives on while anyone holds a reference
 * (process_get, a Process capability), so a waiter can still read how it
 * ended.
 *
 * Locking: p->lock guards the thread list, the thread count, the state and
 * the exit fields.
 */
#ifndef SCHED_PROCESS_H
#define SCHED_PROCESS_H

#include <mnos/process.h>
#include <stdbool.h>
#include <stdint.h>

#include "cap/cap.h"
#include "lib/spinlock.h"
#include "sched/thread.h"

struct addr_space;
struct umap;

#define PROCESS_CNODE_SLOTS CNODE_CHUNK_SLOTS /* 64 to start; grows on demand (cspace.h) */
#define PROCESS_MAX_THREADS 256

/* Exit status of a process killed by a CPU exception: PROCESS_KILLED_BASE - vector. */
#define PROCESS_KILLED_BASE MN_STATUS_FAULT_BASE

enum process_state {
    PROC_NEW, /* no thread yet */
    PROC_RUNNING, /* has threads */
    PROC_DYING, /* teardown queued or running */
    PROC_EXITED, /* torn down */
};

struct process {
    uint64_t pid;
    struct addr_space *as;
    uint32_t threads; /* threads added and not yet reaped (p->lock) */
    volatile uint32_t refs; /* 1 until torn down, + process_get handles */
    char name[24];
    cnode_t cnode; /* under cap_lock */
    cap_slot_t *cnode_chunk; /* the first chunk's memory; NULL (under cap_lock) once torn down */
    cap_object_t obj; /* what Process capabilities refer to (holds one ref while any exist) */
    spinlock_t lock; /* guards the fields below up to exit_vector */
    struct thread *thread_list; /* linked through thread.proc_next */
    int state; /* enum process_state */
    volatile bool killed; /* process_kill ran: its threads are exiting */
    volatile bool exited; /* torn down (also under the exit wait queue's lock) */
    bool status_set;
    int64_t exit_status;
    int exit_reason; /* MN_EXIT_* */
    int exit_vector; /* MN_EXIT_FAULT: the exception */
    spinlock_t umap_lock; /* guards umaps and umap_closed (mm/umem.h) */
    struct umap *umaps; /* pages mapped from MemoryFrame and MmioRegion caps */
    bool umap_closed; /* torn down: no new cap mappings */
    struct reaper_work teardown_work;
};

/* A new NEW process with an empty user address space and CNode; NULL when out of memory. */
struct process *process_create(const char *name);

/*
 * Makes t (created, not yet started) a thread of p: it runs in p's address
 * space. Returns MN_ERR_OK, MN_ERR_DEAD (p is dying or gone, or killed) or
 * MN_ERR_NO_SPACE (PROCESS_MAX_THREADS threads already); on error t is not
 * p's and the caller disposes of it.
 */
int process_add_thread(struct process *p, struct thread *t);

/* Called by the reaper for each reaped thread t of p (before t is freed); tears p down after the last. */
void process_thread_reaped(struct process *p, struct thread *t);

/* Tears down a process that never got a thread (e.g. its ELF image was rejected). */
void process_abandon(struct process *p);

/* Extra references: the struct (pid, name, exit status) stays valid until the matching put. */
void process_get(struct process *p);
void process_put(struct process *p);

/* The process a Process capability's object belongs to. */
static inline struct process *process_of_obj(cap_object_t *obj)
{
    return (struct process *)((char *)obj - __builtin_offsetof(struct process, obj));
}

/*
 * Ends p: records `status` and `reason` (MN_EXIT_*; `vector` for
 * MN_EXIT_FAULT) unless an exit was recorded already, and kills its
 * threads (they exit at their next return to user mode or blocking point);
 * a process without threads is torn down. Safe from any thread, including
 * p's own.
 */
void process_kill(struct process *p, int64_t status, int reason, int vector);

/* Records the exit status (the first recorded one wins). */
void process_set_status(struct process *p, int64_t status, int reason, int vector);

/*
 * Waits until p has exited (the caller holds a reference) and returns its
 * exit status (0 when its threads just ended without one). For kernel
 * threads, which are never killed.
 */
int64_t process_wait(struct process *p);

/*
 * The same for a user thread: MN_ERR_OK with the status, reason and vector
 * stored (any may be NULL), or MN_ERR_DEAD when the waiting thread was
 * killed first.
 */
int process_wait_killable(struct process *p, int64_t *status, int *reason, int *vector);

/* Processes alive (struct not yet freed), for leak tests. */
uint64_t process_live_count(void);

#endif
