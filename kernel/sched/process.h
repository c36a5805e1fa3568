/*
 * Processes: an address space, a CNode (the capabilities it holds, slot 0
 * always empty), its threads, and an exit status. When the last thread has
 * been reaped, the reaper empties the CNode, destroys the address space
 * (every user page and page-table page) and marks the process exited; the
 * struct itself lives on while anyone holds a reference (process_get, a
 * Process capability), so a waiter can still read the exit status.
 */
#ifndef SCHED_PROCESS_H
#define SCHED_PROCESS_H

#include <stdbool.h>
#include <stdint.h>

#include "cap/cap.h"
#include "lib/spinlock.h"

struct addr_space;
struct thread;
struct umap;

#define PROCESS_CNODE_SLOTS CNODE_CHUNK_SLOTS /* 64 */

/* Exit status of a process killed by a CPU exception: PROCESS_KILLED_BASE - vector. */
#define PROCESS_KILLED_BASE (-1000)

struct process {
    uint64_t pid;
    struct addr_space *as;
    volatile uint32_t threads; /* threads created in it and not yet reaped */
    volatile uint32_t refs; /* 1 while it has threads, + process_get handles */
    char name[24];
    cnode_t cnode; /* under cap_lock */
    cap_slot_t *cnode_chunk; /* the first chunk's memory; NULL (under cap_lock) once torn down */
    cap_object_t obj; /* what Process capabilities refer to (holds one ref while any exist) */
    spinlock_t lock; /* guards thread_list and the exit fields */
    struct thread *thread_list; /* linked through thread.proc_next */
    volatile bool killed; /* process_kill ran: its threads are exiting */
    volatile bool exited; /* the last thread has been reaped */
    volatile bool status_set;
    int64_t exit_status;
    spinlock_t umap_lock; /* guards umaps and umap_closed (mm/umem.h) */
    struct umap *umaps; /* pages mapped from MemoryFrame caps */
    bool umap_closed; /* torn down: no new cap mappings */
};

/* A new process with an empty user address space and CNode; NULL when out of memory. */
struct process *process_create(const char *name);

/* Makes t (created, not yet started) a thread of p: it runs in p's address space. */
void process_add_thread(struct process *p, struct thread *t);

/* Called by the reaper for each reaped thread t of p (before t is freed); tears p down after the last. */
void process_thread_reaped(struct process *p, struct thread *t);

/* Tears down a process that never got a thread (e.g. its ELF image was rejected). */
void process_abandon(struct process *p);

/* Extra references: the struct (pid, name, exit status) stays valid until the matching put. */
void process_get(struct process *p);
void process_put(struct process *p);

/*
 * Ends every thread of p: records `status` as the exit status (unless one is
 * already set) and kills the threads (they exit at their next return to
 * user mode or blocking point). Safe from any thread, including p's own.
 */
void process_kill(struct process *p, int64_t status);

/* Records the exit status (the first recorded one wins). */
void process_set_status(struct process *p, int64_t status);

/*
 * Waits until p has exited (the caller holds a reference) and returns its
 * exit status (0 when its threads just ended without one).
 */
int64_t process_wait(struct process *p);

/* Processes alive (struct not yet freed), for leak tests. */
uint64_t process_live_count(void);

#endif
