/*
 * Ring 3 tests: programs from the initrd (user/tests/) run as processes
 * with capabilities the test hands them, and the test checks how they end.
 * A program reports through its exit status (0 = every check passed, else
 * the number of the failed check; PROCESS_KILLED_BASE - vector when a CPU
 * exception killed it).
 */
#include <arch/cpu_features.h>
#include <arch/uaccess.h>

#include "cap/cspace.h"
#include "debug/log.h"
#include "ipc/endpoint.h"
#include "loader/spawn.h"
#include "mm/heap.h"
#include "mm/pmm.h"
#include "mm/umem.h"
#include "mm/vmm.h"
#include "sched/process.h"
#include "sched/sched.h"
#include "syscall/uaccess.h"
#include "test/ktest.h"

#define COM1 0x3F8

struct uproc {
    struct process *p;
    struct thread *t;
};

/* Spawns /bin/<name> with `arg`; the thread is not started yet. */
static const char *spawn(const char *path, uint64_t arg, struct uproc *u)
{
    int r = spawn_from_initrd(path, arg, &u->p, &u->t);
    if (r != MN_ERR_OK) {
        log_error("test_user: cannot spawn %s: %s\n", path, mn_error_name(r));
        return "spawn_from_initrd failed (is the program in the initrd?)";
    }
    return NULL;
}

static void start(struct uproc *u, uint64_t affinity)
{
    if (affinity)
        thread_set_affinity(u->t, affinity);
    thread_start(u->t);
}

/* Waits for the process to end; returns its exit status and drops the test's references. */
static int64_t finish(struct uproc *u)
{
    int64_t status = process_wait(u->p);
    thread_put(u->t);
    process_put(u->p);
    return status;
}

static bool mint(struct process *p, uint64_t slot, uint8_t type, uint8_t rights, cap_object_t *obj, uint64_t d0,
                 uint64_t d1)
{
    return cspace_mint(p, slot, type, rights, obj, d0, d1, NULL) == MN_ERR_OK;
}

/* ---- user memory access ---------------------------------------------------- */

/* A fault inside the copy instruction comes back as an error, not a panic. */
KTEST(user_copy_fixup)
{
    char buf[16];
    user_access_begin();
    int r = arch_copy_user(buf, (const void *)0x10000, sizeof buf); /* this kernel thread maps no user page */
    user_access_end();
    KTEST_CHECK(r == -1, "a faulting arch_copy_user did not return -1");
    KTEST_CHECK(copy_from_user(buf, 0x10000, 8) == MN_ERR_BAD_POINTER, "copy_from_user without a process");
    KTEST_CHECK(!user_range_ok(0xFFFFFFFF80000000ull, 8) && !user_range_ok(0x7FFFFFFFFFF8ull, 16) &&
                    !user_range_ok(~0ull - 4, 8) && user_range_ok(0x400000, 4096),
                "user_range_ok");
    return NULL;
}

/* ---- system calls ------------------------------------------------------------ */

static const char *run_sys_basic(void)
{
    struct uproc u;
    const char *err = spawn("bin/sys_basic", 0, &u);
    if (err)
        return err;
    struct endpoint *ep = endpoint_create();
    KTEST_CHECK(ep, "endpoint_create");
    uint8_t rw = MN_RIGHT_READ | MN_RIGHT_WRITE | MN_RIGHT_GRANT | MN_RIGHT_REVOKE;
    KTEST_CHECK(mint(u.p, 1, MN_CAP_IO_PORT, rw, NULL, COM1, 8) &&
                    mint(u.p, 2, MN_CAP_IO_PORT, MN_RIGHT_READ, NULL, COM1, 8) &&
                    mint(u.p, 3, MN_CAP_ENDPOINT, MN_RIGHTS_ALL, &ep->obj, 0, 0) &&
                    mint(u.p, 4, MN_CAP_ENDPOINT, MN_RIGHT_READ, &ep->obj, 0, 0) &&
                    mint(u.p, 5, MN_CAP_PROCESS, MN_RIGHTS_ALL, &u.p->obj, 0, 0),
                "minting the initial capabilities failed");
    start(&u, 0);
    int64_t st = finish(&u);
    if (st != 0) {
        log_error("test_user: sys_basic failed check %ld\n", st);
        return "sys_basic reported a failed check (see the log)";
    }
    return NULL;
}

KTEST(user_syscalls)
{
    return run_sys_basic();
}

/* ---- memory: ALLOC_MEMORY, MAP_MEMORY, UNMAP -------------------------------- */

#define MEM_BUDGET 8 /* as user/tests/mem.c expects */

/* Spawns bin/mem with `arg`: slot 1 a PmmAllocator (budget MEM_BUDGET), 2 its own Process, 3 an Endpoint. */
static const char *run_mem_one(uint64_t arg, int64_t expect)
{
    struct uproc u;
    const char *err = spawn("bin/mem", arg, &u);
    if (err)
        return err;
    struct mem_allocator *a = mem_allocator_create(MEM_BUDGET);
    struct endpoint *ep = endpoint_create();
    KTEST_CHECK(a && ep, "out of memory");
    KTEST_CHECK(mint(u.p, 1, MN_CAP_PMM_ALLOCATOR, MN_RIGHTS_ALL, &a->obj, 0, 0) &&
                    mint(u.p, 2, MN_CAP_PROCESS, MN_RIGHTS_ALL, &u.p->obj, 0, 0) &&
                    mint(u.p, 3, MN_CAP_ENDPOINT, MN_RIGHTS_ALL, &ep->obj, 0, 0),
                "minting the initial capabilities failed");
    start(&u, 0);
    int64_t st = finish(&u);
    if (st != expect) {
        log_error("test_user: mem %lu: status %ld, expected %ld\n", arg, st, expect);
        return "mem reported a failed check (see the log)";
    }
    return NULL;
}

/* Everything the memory calls made is gone once the processes are: frames exactly once, allocators. */
static const char *run_mem(void)
{
    uint64_t frames = mem_frame_live_count(), allocs = mem_allocator_live_count();
    const char *err = run_mem_one(0, 0);
    if (!err)
        err = run_mem_one(1, PROCESS_KILLED_BASE - 14); /* touched its page after unmapping it */
    if (err)
        return err;
    KTEST_CHECK(mem_frame_live_count() == frames, "MemoryFrames not freed with their last cap and mapping");
    KTEST_CHECK(mem_allocator_live_count() == allocs, "PmmAllocator not freed with its last cap and frame");
    return NULL;
}

KTEST(user_memory)
{
    return run_mem();
}

/* ---- faults kill only the faulting process --------------------------------- */

static const struct {
    const char *what;
    int64_t status;
} faults[] = {
    {"page fault (NULL write)", PROCESS_KILLED_BASE - 14},
    {"#GP (non-canonical address)", PROCESS_KILLED_BASE - 13},
    {"#UD", PROCESS_KILLED_BASE - 6},
    {"divide error", PROCESS_KILLED_BASE - 0},
    {"stack overflow into the guard page", PROCESS_KILLED_BASE - 14},
    {"port I/O without an IoPort cap", PROCESS_KILLED_BASE - 13},
    {"write to its own code", PROCESS_KILLED_BASE - 14},
    {"jump into the kernel", PROCESS_KILLED_BASE - 14},
};

static const char *run_faults(void)
{
    /* A bystander blocked in IPC for the whole time: it must survive and still work. */
    struct uproc by;
    const char *err = spawn("bin/ipc", 2, &by);
    if (err)
        return err;
    struct endpoint *ep = endpoint_create();
    KTEST_CHECK(ep, "endpoint_create");
    endpoint_get(ep);
    KTEST_CHECK(mint(by.p, 1, MN_CAP_ENDPOINT, MN_RIGHTS_ALL, &ep->obj, 0, 0), "mint");
    start(&by, 0);
    for (size_t k = 0; k < sizeof faults / sizeof faults[0]; k++) {
        struct uproc u;
        err = spawn("bin/fault", k, &u);
        if (err)
            return err;
        start(&u, 0);
        int64_t st = finish(&u);
        if (st != faults[k].status) {
            log_error("test_user: fault %zu (%s): status %ld, expected %ld\n", k, faults[k].what, st, faults[k].status);
            return "a faulting program did not die of the expected exception";
        }
    }
    uint64_t msg[3] = {42, 0, 0};
    KTEST_CHECK(endpoint_send(ep, msg, true) == MN_ERR_OK, "the bystander no longer receives");
    KTEST_CHECK(finish(&by) == 42, "the bystander did not get the message");
    endpoint_put(ep);
    return NULL;
}

KTEST(user_fault_isolation)
{
    return run_faults();
}

/* ---- IPC ------------------------------------------------------------------------ */

static const char *run_ipc_pair(uint64_t client_cpus, uint64_t server_cpus)
{
    struct uproc c, s;
    const char *err = spawn("bin/ipc", 0, &c);
    if (!err)
        err = spawn("bin/ipc", 1, &s);
    if (err)
        return err;
    struct endpoint *req = endpoint_create(), *rep = endpoint_create();
    KTEST_CHECK(req && rep, "endpoint_create");
    KTEST_CHECK(mint(c.p, 1, MN_CAP_ENDPOINT, MN_RIGHT_WRITE, &req->obj, 0, 0) &&
                    mint(c.p, 2, MN_CAP_ENDPOINT, MN_RIGHT_READ, &rep->obj, 0, 0) &&
                    mint(s.p, 1, MN_CAP_ENDPOINT, MN_RIGHT_READ, &req->obj, 0, 0) &&
                    mint(s.p, 2, MN_CAP_ENDPOINT, MN_RIGHT_WRITE, &rep->obj, 0, 0),
                "mint");
    start(&c, client_cpus);
    start(&s, server_cpus);
    int64_t sc = finish(&c), ss = finish(&s);
    if (sc != 0 || ss != 0) {
        log_error("test_user: ipc client status %ld, server status %ld\n", sc, ss);
        return "IPC between two processes failed";
    }
    return NULL;
}

KTEST(user_ipc_same_cpu)
{
    return run_ipc_pair(1, 1);
}

KTEST(user_ipc_cross_cpu)
{
    if (cpu_count < 2)
        return run_ipc_pair(0, 0);
    return run_ipc_pair(1ull << 0, 1ull << 1);
}

/* A receiver blocked on an endpoint whose last capability goes away wakes with MN_ERR_DEAD. */
static bool wait_blocked(struct thread *t);

static const char *run_ipc_death(void)
{
    struct uproc w;
    const char *err = spawn("bin/ipc", 2, &w);
    if (err)
        return err;
    struct endpoint *ep = endpoint_create();
    KTEST_CHECK(ep, "endpoint_create");
    KTEST_CHECK(mint(w.p, 1, MN_CAP_ENDPOINT, MN_RIGHTS_ALL, &ep->obj, 0, 0), "mint");
    thread_start(w.t);
    KTEST_CHECK(wait_blocked(w.t), "the receiver did not block");
    spin_lock(&cap_lock);
    int r = cap_delete(cnode_slot(&w.p->cnode, 1));
    spin_unlock(&cap_lock);
    KTEST_CHECK(r == MN_ERR_OK, "cap_delete");
    int64_t st = finish(&w);
    if (st != MN_ERR_DEAD) {
        log_error("test_user: the waiter ended with %ld\n", st);
        return "a receiver on a destroyed endpoint did not get MN_ERR_DEAD";
    }
    return NULL;
}

KTEST(user_ipc_endpoint_death)
{
    return run_ipc_death();
}

/* Waits (up to 1 s) until t blocks on an endpoint. */
static bool wait_blocked(struct thread *t)
{
    for (int i = 0; i < 1000; i++) {
        if (t->state == THREAD_BLOCKED && (t->reason == BLOCK_SEND || t->reason == BLOCK_RECV))
            return true;
        sched_sleep_ns(1000000);
    }
    return false;
}

/*
 * Senders queue in FIFO order, and so do receivers: three processes block
 * one after the other; the kernel side takes (or gives) three messages and
 * each must reach the process that came first.
 */
static const char *run_ipc_fifo(void)
{
    struct endpoint *ep = endpoint_create();
    KTEST_CHECK(ep, "endpoint_create");
    endpoint_get(ep);
    struct uproc u[3];
    const char *err = NULL;
    for (int i = 0; i < 3 && !err; i++) {
        err = spawn("bin/ipc", 100 + i, &u[i]);
        if (!err && !mint(u[i].p, 1, MN_CAP_ENDPOINT, MN_RIGHT_WRITE, &ep->obj, 0, 0))
            err = "mint";
        if (!err) {
            start(&u[i], 0);
            if (!wait_blocked(u[i].t))
                err = "a sender did not block";
        }
    }
    if (err)
        return err;
    for (int i = 0; i < 3; i++) {
        uint64_t m[3];
        KTEST_CHECK(endpoint_recv(ep, m, false) == MN_ERR_OK, "no sender waiting");
        KTEST_CHECK(m[0] == 100u + i, "senders not served in FIFO order");
    }
    for (int i = 0; i < 3; i++)
        KTEST_CHECK(finish(&u[i]) == 0, "a sender's SEND failed");
    /* The senders' capabilities are gone with them, so that endpoint is dead now: a new one. */
    endpoint_put(ep);
    ep = endpoint_create();
    KTEST_CHECK(ep, "endpoint_create");
    endpoint_get(ep);
    for (int i = 0; i < 3 && !err; i++) {
        err = spawn("bin/ipc", 2, &u[i]);
        if (!err && !mint(u[i].p, 1, MN_CAP_ENDPOINT, MN_RIGHT_READ, &ep->obj, 0, 0))
            err = "mint";
        if (!err) {
            start(&u[i], 0);
            if (!wait_blocked(u[i].t))
                err = "a receiver did not block";
        }
    }
    if (err)
        return err;
    for (int i = 0; i < 3; i++) {
        uint64_t m[3] = {10u + i, 0, 0};
        KTEST_CHECK(endpoint_send(ep, m, false) == MN_ERR_OK, "no receiver waiting");
    }
    for (int i = 0; i < 3; i++)
        KTEST_CHECK(finish(&u[i]) == 10 + i, "receivers not served in FIFO order");
    endpoint_put(ep);
    return NULL;
}

KTEST(user_ipc_fifo)
{
    return run_ipc_fifo();
}

/* ---- everything again, and nothing leaks ------------------------------------ */

static uint64_t frames_in_use_view(void)
{
    struct heap_stats h = kheap_stats();
    return pmm_free_count() + (h.arena_bytes + h.big_bytes) / 4096 + vmm_table_frames();
}

static bool settle(uint64_t procs, uint64_t eps)
{
    for (int i = 0; i < 2000; i++) {
        if (process_live_count() == procs && endpoint_live_count() == eps)
            return true;
        sched_sleep_ns(1000000);
    }
    return false;
}

static const char *round_all(void)
{
    const char *err = run_sys_basic();
    if (!err)
        err = run_faults();
    if (!err)
        err = run_ipc_pair(0, 0);
    if (!err)
        err = run_ipc_death();
    if (!err)
        err = run_ipc_fifo();
    if (!err)
        err = run_mem();
    return err;
}

KTEST(user_no_leaks)
{
    uint64_t procs = process_live_count(), eps = endpoint_live_count();
    const char *err = round_all(); /* warm-up: heap arenas, page tables */
    if (err)
        return err;
    KTEST_CHECK(settle(procs, eps), "processes or endpoints not freed");
    uint64_t frames0 = frames_in_use_view();
    size_t bytes0 = kheap_stats().bytes_in_use;
    for (int i = 0; i < 3 && !err; i++)
        err = round_all();
    if (err)
        return err;
    KTEST_CHECK(settle(procs, eps), "processes or endpoints not freed");
    uint64_t frames1 = frames_in_use_view();
    size_t bytes1 = kheap_stats().bytes_in_use;
    kprintf("user_no_leaks: free + heap-owned frames %lu -> %lu, heap bytes in use %zu -> %zu\n", frames0, frames1,
            bytes0, bytes1);
    KTEST_CHECK(frames1 == frames0, "frames leaked");
    KTEST_CHECK(bytes1 == bytes0, "heap bytes leaked");
    return NULL;
}
