/*
 * Processes, as far as the scheduler needs them: an address space and a
 * count of live threads. When the last thread has been reaped, the reaper
 * destroys the address space (every user page and page-table page) and the
 * process. Capabilities (CNodes) join in issue 5.
 */
#ifndef SCHED_PROCESS_H
#define SCHED_PROCESS_H

#include <stdint.h>

struct addr_space;

struct process {
    uint64_t pid;
    struct addr_space *as;
    volatile uint32_t threads; /* threads created in it and not yet reaped */
    char name[24];
};

/* A new process with an empty user address space; NULL when out of memory. */
struct process *process_create(const char *name);

/* Called by the reaper for each reaped thread of p; frees p after the last. */
void process_thread_reaped(struct process *p);

/* Processes alive, for leak tests. */
uint64_t process_live_count(void);

#endif
