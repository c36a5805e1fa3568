/* Forced into malloc.c by the build (-include): the heap is shared by a process's threads. */
#ifndef LIBMNOS_HEAP_LOCK_H
#define LIBMNOS_HEAP_LOCK_H

void mn_heap_lock(void);
void mn_heap_unlock(void);
#define MN_HEAP_LOCK() mn_heap_lock()
#define MN_HEAP_UNLOCK() mn_heap_unlock()

#endif
