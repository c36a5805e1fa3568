/*
 * Threads: the schedulable unit. A thread has its own kernel stack (with an
 * unmapped guard page below it), saved callee-saved registers and RSP, an
 * optional FPU/SSE/AVX state area, a priority, a CPU affinity mask, and a
 * state. Kernel threads belong to no process; user threads (issue 5) will
 * belong to one and run in its address space.
 */
#ifndef SCHED_THREAD_H
#define SCHED_THREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cap/cap.h"

struct process;
struct waitq;

enum thread_state {
    THREAD_READY, /* queued on a run queue */
    THREAD_RUNNING, /* on a CPU */
    THREAD_BLOCKED, /* waiting: see block_reason */
    THREAD_DEAD, /* exited; waiting for the reaper */
};

enum block_reason {
    BLOCK_NONE,
    BLOCK_SLEEP, /* sched_sleep_ns */
    BLOCK_WAIT, /* a wait queue */
    BLOCK_SEND, /* queued on an endpoint as a sender (a call, too, until received) */
    BLOCK_RECV, /* queued on an endpoint as a receiver */
    BLOCK_REPLY, /* a call received by a server: waiting for its reply (on no queue) */
};

#define THREAD_STACK_PAGES 4
#define AFFINITY_ALL (~0ull)

typedef void (*thread_fn)(void *arg);

struct thread {
    uint64_t saved_rsp; /* arch_switch saves and loads this */
    uint64_t tid;
    volatile int state; /* enum thread_state, changed atomically */
    enum block_reason reason;
    int priority; /* 0..SCHED_PRIOS-1, 0 highest */
    uint64_t affinity; /* bit n: may run on CPU n */
    volatile int cpu; /* the CPU whose run queue holds it / that ran it last */
    volatile int on_cpu; /* 1 while a CPU runs on its stack */
    volatile bool kill_pending; /* thread_kill asked it to exit */
    int wake_result; /* what a blocked wait returns: 0, or an error */
    int quantum_left; /* ticks until preemption */
    void *kstack_top;
    void *fpu; /* XSAVE/FXSAVE area (64-byte aligned), or NULL */
    void *fpu_alloc; /* the allocation fpu lies in */
    struct process *process; /* NULL for kernel threads */
    struct thread *proc_next; /* the process's thread list (process.c) */
    bool kill_woken; /* process_kill has woken it (under the process lock) */
    uint64_t user_entry[3]; /* user threads: first RIP, RSP and RDI (uthread.c) */
    /* IPC (kernel/ipc/endpoint.c): a sender's or receiver's message and what goes with it. */
    uint64_t ipc_msg[3];
    uint8_t ipc_flags; /* IPC_SEND_CALL, IPC_SEND_CAP while queued as a sender */
    uint8_t ipc_cap_rights; /* sender: rights mask for the transferred cap */
    uint32_t ipc_cap_slot; /* sender: slot of the cap to transfer; receiver: slot to receive into (0: none) */
    uint64_t ipc_cap_info; /* receiver: MN_INSPECT_MAKE of the cap it received, 0 if none */
    uint64_t ipc_send_badge; /* the badge of the endpoint capability it sends with (ipc_endpoint_of sets it) */
    uint64_t ipc_recv_badge; /* the badge of the capability the last message it received came through */
    volatile uint64_t awaiting_reply; /* a call in progress: its token until replied to, killed or abandoned */
    uint64_t call_seq; /* the last call's token */
    struct thread *reply_to; /* a server's one-shot reply right: the caller it owes (holds a handle) */
    uint64_t reply_token; /* ... and that call's token */
    /* The last endpoint capability it looked up (ipc_endpoint_of): valid while cap_generation == epc_gen. */
    uint64_t epc_slot, epc_gen, epc_badge;
    struct endpoint *epc_ep; /* holds a reference */
    uint8_t epc_rights;
    struct thread *next, *prev; /* run queue or wait queue links */
    struct waitq *waitq; /* the wait queue it is blocked on, if any */
    volatile int refs; /* handle references: see thread_put */
    uint64_t wake_at_ns; /* BLOCK_SLEEP deadline */
    struct thread *sleep_next;
    struct thread *dead_next;
    struct thread *all_next, *all_prev; /* every thread alive, for debugging dumps */
    thread_fn entry;
    void *arg;
    uint64_t runs; /* times switched to */
    cap_object_t obj; /* what Thread capabilities refer to (they hold one handle while any exist) */
    char name[24];
};

/*
 * Creates a kernel thread that runs fn(arg), then exits. It is not started:
 * call thread_start. flags: THREAD_FPU gives it an FPU state area.
 * Returns NULL when out of memory.
 */
#define THREAD_FPU 1u
struct thread *thread_create(const char *name, thread_fn fn, void *arg, int priority, unsigned flags);

/* Makes a created thread runnable (on the least loaded CPU its affinity allows). */
void thread_start(struct thread *t);

/* Restricts where t may run (bit n = CPU n); takes effect at its next scheduling. */
void thread_set_affinity(struct thread *t, uint64_t mask);

/* Ends the calling thread. The reaper frees its stack (and its process when last). */
__attribute__((noreturn)) void thread_exit(void);

/*
 * Asks t to exit: a blocked thread is woken (its wait returns -EINTR-like
 * SCHED_KILLED) and exits there; a running or ready one exits at its next
 * preemption point or blocking call. Safe on any CPU.
 */
void thread_kill(struct thread *t);

/*
 * thread_create returns a handle the caller owns; drop it with thread_put
 * when done (the thread itself may run on and exit later). A thread's memory
 * is freed once it has exited, been reaped, and every handle is put.
 */
void thread_put(struct thread *t);

/* Frees a thread that was created but never started (drops the creator's handle too). */
void thread_discard(struct thread *t);

/* Waits until t has exited (t must be a handle the caller holds). */
void thread_join(struct thread *t);

/* The same, for a thread that may be killed meanwhile: 0, or SCHED_KILLED. */
int thread_join_killable(struct thread *t);

/* The thread a Thread capability's object belongs to. */
static inline struct thread *thread_of_obj(cap_object_t *obj)
{
    return (struct thread *)((char *)obj - __builtin_offsetof(struct thread, obj));
}

/*
 * Calls fn for every thread not yet freed (at most `max`), without locks:
 * for debugging snapshots (NMI) only, where the result may be slightly stale.
 */
void thread_debug_walk(void (*fn)(const struct thread *t), int max);

/*
 * Work for the reaper thread, for what cannot be done where it is noticed
 * (e.g. under cap_lock, or on the stack being freed): embed one in the
 * object, then reaper_defer it; fn runs once, in the reaper, soon.
 */
struct reaper_work {
    void (*fn)(struct reaper_work *w);
    struct reaper_work *next;
};
void reaper_defer(struct reaper_work *w);

/* Threads alive (created and not yet reaped), for leak tests. */
uint64_t thread_live_count(void);

#endif
