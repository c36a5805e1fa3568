/*
 * libmnos: the MinimalOS userspace library, system-call part. A program
 * linked with libmnos starts in main(argc, argv) with its heap, console and
 * capability table ready (crt0.S, start.c). This header gathers:
 *
 *   startup     the startup page (<mnos/startup.h>): arguments and the
 *               capabilities the parent gave, looked up by role
 *   slots       free CNode slots for capabilities the program makes
 *   memory      pages mapped into the program (frames from its allocator)
 *   console     output and input through the console server (serial_drv),
 *               or the kernel log until one exists
 *   IPC         call / reply / server loop helpers over endpoints
 *   processes   spawning an ELF program from the initrd with chosen
 *               capabilities, waiting for it, killing it
 *   threads     more threads in the same process
 *   locks       a mutex for threads of one process
 *
 * The C library part (string.h, stdio.h, stdlib.h, ctype.h) is portable and
 * documented in its own headers; docs/libmnos.md is the overview. Every
 * function returns a negative MN_ERR_* code (<mnos/errors.h>) on failure
 * unless its comment says otherwise.
 */
#ifndef LIBMNOS_H
#define LIBMNOS_H

#include <mnos/caps.h>
#include <mnos/errors.h>
#include <mnos/ipc.h>
#include <mnos/layout.h>
#include <mnos/process.h>
#include <mnos/startup.h>
#include <mnos/syscalls.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mn_syscall.h"

/* ---- startup ---------------------------------------------------------------- */

/* The process's startup page, or NULL when it was started without one (a raw test program). */
const struct mn_startup *mn_startup_info(void);

/* The slot of the capability the parent gave with role `role` ("console", ...), or 0 when there is none. */
uint32_t mn_cap(const char *role);

/* The program's own Process capability (role "self"), or 0. */
uint32_t mn_self(void);

/* ---- slots ------------------------------------------------------------------ */

/* A free CNode slot (from MN_SLOT_FIRST_FREE up; the CNode grows as needed), or 0 when all are taken. */
#define MN_SLOT_FIRST_FREE 64
uint32_t mn_slot_alloc(void);

/* Gives a slot from mn_slot_alloc back (drop what is in it first). */
void mn_slot_free(uint32_t slot);

/* Marks a slot the kernel chose (e.g. SPAWN_PROCESS's result) as used, so mn_slot_alloc never returns it. */
void mn_slot_claim(uint32_t slot);

/* ---- memory ----------------------------------------------------------------- */

/*
 * Allocates 2^order contiguous zeroed pages from the program's allocator
 * and maps them at a fresh address of its mapping area (writable, never
 * executable). The frame capability stays in *frame_slot (when not NULL,
 * else it is dropped: the mapping keeps the memory) so it can be shared or
 * its physical address learnt (FRAME_INFO). Returns the address, or NULL.
 */
void *mn_map_pages(unsigned order, uint32_t *frame_slot);

/* Unmaps what mn_map_pages returned (the frame is freed with its last capability and mapping). */
int mn_unmap_pages(void *addr, unsigned order);

/* Heap statistics of the kernel (free frames, heap bytes) through an allocator capability: MN_ERR_* or 0. */
int mn_kernel_mem_stats(uint64_t *free_frames, uint64_t *heap_bytes);

/* ---- console ------------------------------------------------------------------ */

/* Writes n bytes to the console (serial_drv, else the kernel log). */
void mn_console_write(const char *s, size_t n);

/* Reads at least 1 and at most max bytes from the console's input (blocks); the count, or an error. */
int64_t mn_console_read(char *buf, size_t max);

/* Points this process's console at endpoint slots (write side, read side; 0 = none). init uses it once serial_drv runs.
 */
void mn_console_attach(uint32_t out_slot, uint32_t in_slot);

/* ---- IPC ------------------------------------------------------------------------ */

/* CALL on `ep`: sends *m, replaces it with the reply. */
static inline int64_t mn_call(uint32_t ep, mn_msg_t *m)
{
    return mn_sys_CALL(ep, m->label, m->data0, m->data1, (uint64_t *)m);
}

/*
 * A server loop on `ep`: receives a message, calls handler(msg, ctx),
 * which turns *msg into the reply, and answers with REPLY_RECV, for ever
 * (returns only on an error of the endpoint, e.g. MN_ERR_DEAD).
 */
typedef void (*mn_handler_fn)(mn_msg_t *msg, void *ctx);
int64_t mn_serve(uint32_t ep, mn_handler_fn handler, void *ctx);

/* The same, telling the handler the badge of the capability each message came through (BADGE_CAP; 0: none). */
typedef void (*mn_badged_handler_fn)(mn_msg_t *msg, uint64_t badge, void *ctx);
int64_t mn_serve_badged(uint32_t ep, mn_badged_handler_fn handler, void *ctx);

/* ---- processes -------------------------------------------------------------------- */

/* A capability for mn_spawn to give the child: copied (derived, with `rights`) from the parent's slot `slot`. */
struct mn_spawn_cap {
    uint32_t slot; /* in the parent */
    uint8_t rights; /* mask: the child gets slot's rights & rights */
    uint32_t child_slot; /* 0: the next free child slot from 1 up */
    const char *role; /* its name in the child's startup page */
};

#define MN_SPAWN_GIVE_SELF 0x1u /* the child gets its own Process cap (WRITE: it may add threads) as "self" */

struct mn_child {
    uint32_t process; /* the parent's slot holding the child's Process capability */
    uint64_t tid; /* its main thread */
};

/*
 * Loads program `path` from the initrd (the program must hold an "initrd"
 * capability: init does) into a new process named after it, gives it the
 * capabilities in caps[0..ncaps) and a startup page with argv[0..argc)
 * (argv NULL: just the path), and starts its main thread. Errors:
 * MN_ERR_NOT_FOUND (no initrd or no such file), MN_ERR_BAD_FORMAT (the ELF
 * is rejected), MN_ERR_NO_MEMORY, or what the system calls return.
 */
int mn_spawn(const char *path, const char *const *argv, int argc, const struct mn_spawn_cap *caps, int ncaps,
             unsigned flags, struct mn_child *out);

/* Waits for the child to end: its status and MN_EXIT_* reason (either may be NULL). */
int mn_wait(const struct mn_child *c, int64_t *status, int *reason);

/* Kills the child (it ends with MN_STATUS_KILLED) without waiting. */
int mn_kill(const struct mn_child *c);

/* Drops the parent's capability to the child (after mn_wait: the kernel frees what is left of it). */
void mn_release(struct mn_child *c);

/* The initrd (mapped by libmnos at MN_USER_INITRD_VIEW when the program holds an "initrd" capability), or NULL. */
const void *mn_initrd(size_t *size);

/* Reads a regular file of the initrd: MN_ERR_OK with *data and *size pointing into the read-only mapping. */
int mn_initrd_read(const char *path, const void **data, size_t *size);

/* ---- threads ----------------------------------------------------------------------- */

/*
 * A new thread of this process running fn(arg) on a stack of 2^order pages
 * (from mn_map_pages); it ends when fn returns. Needs the "self" and
 * "allocator" capabilities. Returns the tid, or an error.
 */
int64_t mn_thread_create(void (*fn)(void *arg), void *arg, unsigned stack_order);

/* ---- locks ---------------------------------------------------------------------------- */

/* A mutex for the threads of one process: a spin on an atomic word that yields the CPU while it waits. */
typedef struct {
    volatile uint32_t locked;
} mn_mutex_t;

#define MN_MUTEX_INIT \
    { \
        0 \
    }

void mn_mutex_lock(mn_mutex_t *m);
void mn_mutex_unlock(mn_mutex_t *m);

#endif
