/* Starting a program from the initrd as a new Ring 3 process. */
#ifndef LOADER_SPAWN_H
#define LOADER_SPAWN_H

#include <stdint.h>

struct process;
struct thread;

/*
 * Loads initrd file `path` into a new process named after it, with a main
 * thread (not started) that enters the ELF entry point with `arg` in RDI.
 * The caller may fill the process's CNode and set the thread's affinity,
 * then thread_start and thread_put the thread; it also holds a reference
 * to the process (process_wait, then process_put). Returns MN_ERR_OK,
 * MN_ERR_NOT_FOUND / MN_ERR_WRONG_TYPE (no such file), MN_ERR_BAD_FORMAT
 * (rejected ELF; the reason is logged) or MN_ERR_NO_MEMORY.
 */
int spawn_from_initrd(const char *path, uint64_t arg, struct process **pout, struct thread **tout);

#endif
