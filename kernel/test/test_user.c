/*
 * Ring 3 tests, part 1: user memory access, the basic system calls, the
 * memory calls, fault isolation, and user_no_leaks, which runs every Ring 3
 * test group again and checks that nothing the kernel allocated stays
 * behind. The IPC tests are test_user_ipc.c, the other objects'
 * test_user_objs.c; the harness is user_harness.h.
 */
#include <arch/cpu_features.h>
#include <arch/uaccess.h>

#include "debug/log.h"
#include "ipc/endpoint.h"
#include "ipc/irqline.h"
#include "ipc/notification.h"
#include "mm/heap.h"
#include "mm/pmm.h"
#include "mm/umem.h"
#include "mm/vmm.h"
#include "sched/process.h"
#include "sched/sched.h"
#include "syscall/uaccess.h"
#include "test/ktest.h"
#include "test/user_harness.h"

#define COM1 0x3F8

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
    const char *err = uproc_spawn("bin/sys_basic", 0, &u);
    if (err)
        return err;
    struct endpoint *ep = endpoint_create();
    KTEST_CHECK(ep, "endpoint_create");
    uint8_t rw = MN_RIGHT_READ | MN_RIGHT_WRITE | MN_RIGHT_GRANT | MN_RIGHT_REVOKE;
    KTEST_CHECK(uproc_mint(&u, 1, MN_CAP_IO_PORT, rw, NULL, COM1, 8) &&
                    uproc_mint(&u, 2, MN_CAP_IO_PORT, MN_RIGHT_READ, NULL, COM1, 8) &&
                    uproc_mint(&u, 3, MN_CAP_ENDPOINT, MN_RIGHTS_ALL, &ep->obj, 0, 0) &&
                    uproc_mint(&u, 4, MN_CAP_ENDPOINT, MN_RIGHT_READ, &ep->obj, 0, 0) &&
                    uproc_mint(&u, 5, MN_CAP_PROCESS, MN_RIGHTS_ALL, &u.p->obj, 0, 0),
                "minting the initial capabilities failed");
    uproc_start(&u, 0);
    KTEST_CHECK(uproc_finish(&u, 0) == 0, "sys_basic reported a failed check (see the log)");
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
    const char *err = uproc_spawn("bin/mem", arg, &u);
    if (err)
        return err;
    struct mem_allocator *a = mem_allocator_create(MEM_BUDGET, NULL);
    struct endpoint *ep = endpoint_create();
    KTEST_CHECK(a && ep, "out of memory");
    KTEST_CHECK(uproc_mint(&u, 1, MN_CAP_PMM_ALLOCATOR, MN_RIGHTS_ALL, &a->obj, 0, 0) &&
                    uproc_mint(&u, 2, MN_CAP_PROCESS, MN_RIGHTS_ALL, &u.p->obj, 0, 0) &&
                    uproc_mint(&u, 3, MN_CAP_ENDPOINT, MN_RIGHTS_ALL, &ep->obj, 0, 0),
                "minting the initial capabilities failed");
    uproc_start(&u, 0);
    KTEST_CHECK(uproc_finish(&u, expect) == expect, "mem reported a failed check (see the log)");
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
    const char *err = uproc_spawn("bin/ipc", 2, &by);
    if (err)
        return err;
    struct endpoint *ep = endpoint_create();
    KTEST_CHECK(ep, "endpoint_create");
    endpoint_get(ep);
    KTEST_CHECK(uproc_mint(&by, 1, MN_CAP_ENDPOINT, MN_RIGHTS_ALL, &ep->obj, 0, 0), "mint");
    uproc_start(&by, 0);
    for (size_t k = 0; k < sizeof faults / sizeof faults[0]; k++) {
        struct uproc u;
        err = uproc_spawn("bin/fault", k, &u);
        if (err)
            return err;
        uproc_start(&u, 0);
        if (uproc_finish(&u, faults[k].status) != faults[k].status) {
            log_error("test_user: fault %zu (%s) did not end as expected\n", k, faults[k].what);
            return "a faulting program did not die of the expected exception";
        }
    }
    uint64_t msg[3] = {42, 0, 0};
    KTEST_CHECK(endpoint_send(ep, msg, true) == MN_ERR_OK, "the bystander no longer receives");
    KTEST_CHECK(uproc_finish(&by, 42) == 42, "the bystander did not get the message");
    endpoint_put(ep);
    return NULL;
}

KTEST(user_fault_isolation)
{
    return run_faults();
}

/* ---- everything again, and nothing leaks ------------------------------------ */

static uint64_t frames_in_use_view(void)
{
    struct heap_stats h = kheap_stats();
    return pmm_free_count() + (h.arena_bytes + h.big_bytes) / 4096 + vmm_table_frames();
}

struct live_counts {
    uint64_t procs, threads, eps, notifs, irqs, frames, allocs;
};

static struct live_counts live_counts(void)
{
    return (struct live_counts){process_live_count(),      thread_live_count(),   endpoint_live_count(),
                                notification_live_count(), irq_line_live_count(), mem_frame_live_count(),
                                mem_allocator_live_count()};
}

/* Waits (up to 2 s) for the reaper to finish: every object count back to `base`. */
static bool settle(const struct live_counts *base)
{
    for (int i = 0; i < 2000; i++) {
        struct live_counts now = live_counts();
        if (now.procs == base->procs && now.threads == base->threads && now.eps == base->eps &&
            now.notifs == base->notifs && now.irqs == base->irqs && now.frames == base->frames &&
            now.allocs == base->allocs)
            return true;
        sched_sleep_ns(1000000);
    }
    struct live_counts now = live_counts();
    log_error("user_no_leaks: processes %lu/%lu threads %lu/%lu endpoints %lu/%lu notifications %lu/%lu irq lines "
              "%lu/%lu frames %lu/%lu allocators %lu/%lu (now/before)\n",
              now.procs, base->procs, now.threads, base->threads, now.eps, base->eps, now.notifs, base->notifs,
              now.irqs, base->irqs, now.frames, base->frames, now.allocs, base->allocs);
    return false;
}

static const char *round_all(void)
{
    const char *err = run_sys_basic();
    if (!err)
        err = run_faults();
    if (!err)
        err = run_mem();
    if (!err)
        err = run_ipc_tests();
    if (!err)
        err = run_object_tests();
    return err;
}

/* Threads of earlier tests may still be ending: waits (up to 2 s) until the count holds still for 20 ms. */
static void quiesce(void)
{
    uint64_t last = thread_live_count();
    for (int i = 0, still = 0; i < 2000 && still < 20; i++) {
        sched_sleep_ns(1000000);
        uint64_t now = thread_live_count();
        still = now == last ? still + 1 : 0;
        last = now;
    }
}

KTEST(user_no_leaks)
{
    quiesce();
    struct live_counts base = live_counts();
    const char *err = round_all(); /* warm-up: heap arenas, page tables */
    if (err)
        return err;
    KTEST_CHECK(settle(&base), "kernel objects not freed (see the log)");
    uint64_t frames0 = frames_in_use_view();
    size_t bytes0 = kheap_stats().bytes_in_use;
    for (int i = 0; i < 3 && !err; i++)
        err = round_all();
    if (err)
        return err;
    KTEST_CHECK(settle(&base), "kernel objects not freed (see the log)");
    uint64_t frames1 = frames_in_use_view();
    size_t bytes1 = kheap_stats().bytes_in_use;
    kprintf("user_no_leaks: free + heap-owned frames %lu -> %lu, heap bytes in use %zu -> %zu\n", frames0, frames1,
            bytes0, bytes1);
    KTEST_CHECK(frames1 == frames0, "frames leaked");
    KTEST_CHECK(bytes1 == bytes0, "heap bytes leaked");
    return NULL;
}
