/*
 * Ring 3 benchmarks: each program times its operation with rdtsc around
 * every sample (so the figure includes the rdtsc/lfence pair, as the Linux
 * reference's do) and exits with the median.
 *   syscall.null              a number the kernel does not implement: entry, dispatch, exit
 *   ipc.call_reply.same_cpu   CALL answered by REPLY_RECV, client and server on CPU 0
 *   ipc.call_reply.cross_cpu  the same with the server on CPU 1 (under -icount
 *                             the TSC counts every CPU's instructions: see docs/testing.md)
 *   cap.delegate              one DELEGATE from Ring 3
 *   cap.revoke_1000           one REVOKE of 1,000 derived capabilities from Ring 3
 *   proc.spawn_exit           spawn (ELF loading in Ring 3, libmnos mn_spawn) + run + exit + reap of
 *                             test/tiny, waited for: test/spawnbench
 */
#include "debug/log.h"
#include "ipc/endpoint.h"
#include "loader/startup.h"
#include "mm/umem.h"
#include "sched/process.h"
#include "sched/sched.h"
#include "test/kbench.h"
#include "test/user_harness.h"

/* The exit status of `path` run with `arg` and slots filled by `setup`, or KBENCH_NOT_MEASURED. */
static uint64_t run_program(const char *path, uint64_t arg, uint64_t affinity, bool (*setup)(struct uproc *u))
{
    struct uproc u;
    if (uproc_spawn(path, arg, &u)) {
        log_error("bench_user: cannot spawn %s\n", path);
        return KBENCH_NOT_MEASURED;
    }
    if (setup && !setup(&u)) {
        process_kill(u.p, MN_STATUS_KILLED, MN_EXIT_KILLED, 0);
        uproc_start(&u, 0);
        uproc_finish(&u, MN_STATUS_KILLED);
        return KBENCH_NOT_MEASURED;
    }
    uproc_start(&u, affinity);
    int64_t v = uproc_finish(&u, UPROC_ANY_STATUS);
    return v < 0 ? KBENCH_NOT_MEASURED : (uint64_t)v;
}

KBENCH(syscall_null, "syscall.null")
{
    return run_program("bin/null", 0, 0, NULL);
}

/* The client on CPU 0, the server on `server_cpu`. */
static uint64_t call_reply(int server_cpu)
{
    if (server_cpu >= (int)cpu_count)
        return KBENCH_NOT_MEASURED;
    struct uproc c, s;
    if (uproc_spawn("bin/ipcbench", 0, &c) || uproc_spawn("bin/ipcbench", 1, &s))
        return KBENCH_NOT_MEASURED;
    struct endpoint *ep = endpoint_create();
    if (!ep || !uproc_mint(&c, 1, MN_CAP_ENDPOINT, MN_RIGHT_WRITE, &ep->obj, 0, 0) ||
        !uproc_mint(&s, 1, MN_CAP_ENDPOINT, MN_RIGHT_READ, &ep->obj, 0, 0))
        return KBENCH_NOT_MEASURED;
    uproc_start(&s, 1ull << server_cpu);
    uproc_start(&c, 1ull << 0);
    int64_t v = uproc_finish(&c, UPROC_ANY_STATUS);
    process_kill(s.p, MN_STATUS_KILLED, MN_EXIT_KILLED, 0);
    uproc_finish(&s, MN_STATUS_KILLED);
    return v < 0 ? KBENCH_NOT_MEASURED : (uint64_t)v;
}

KBENCH(ipc_call_reply_same_cpu, "ipc.call_reply.same_cpu")
{
    return call_reply(0);
}

KBENCH(ipc_call_reply_cross_cpu, "ipc.call_reply.cross_cpu")
{
    return call_reply(1);
}

/* capbench's slots: 1 an IoPort with every right, 2 its own Process. */
static bool capbench_setup(struct uproc *u)
{
    return uproc_mint(u, 1, MN_CAP_IO_PORT, MN_RIGHTS_ALL, NULL, 0x3FF, 1) &&
           uproc_mint(u, 2, MN_CAP_PROCESS, MN_RIGHTS_ALL, &u->p->obj, 0, 0);
}

KBENCH(cap_delegate, "cap.delegate")
{
    return run_program("bin/capbench", 0, 0, capbench_setup);
}

KBENCH(cap_revoke_1000, "cap.revoke_1000")
{
    return run_program("bin/capbench", 1, 0, capbench_setup);
}

/* spawnbench is a libmnos program: an allocator, the initrd and itself, named in a startup page. */
static bool spawnbench_setup(struct uproc *u)
{
    struct mem_allocator *a = mem_allocator_create(4096, NULL);
    if (!a || !uproc_mint(u, 1, MN_CAP_PMM_ALLOCATOR, MN_RIGHTS_ALL, &a->obj, 0, 0) ||
        !uproc_mint(u, 3, MN_CAP_PROCESS, MN_RIGHTS_ALL, &u->p->obj, 0, 0))
        return false;
    uint64_t size = startup_mint_initrd(u->p, 2, MN_RIGHT_READ);
    static const struct mn_startup_cap caps[] = {{1, MN_CAP_PMM_ALLOCATOR, MN_ROLE_ALLOCATOR},
                                                 {2, MN_CAP_MMIO_REGION, "initrd"},
                                                 {3, MN_CAP_PROCESS, MN_ROLE_SELF}};
    const char *argv[] = {"test/spawnbench"};
    return size && startup_page_build(u->p, argv, 1, caps, 3, size, 0) == MN_ERR_OK;
}

KBENCH(proc_spawn_exit, "proc.spawn_exit")
{
    return run_program("test/spawnbench", MN_STARTUP_VA, 0, spawnbench_setup);
}
