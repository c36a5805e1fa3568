/*
 * In-kernel test and benchmarks of the capability core, registered through
 * ktest.h/kbench.h. The exhaustive checks are the host tests
 * (tests/host/test_cap.c); this proves the same code works as built into
 * the kernel and measures the figures of issue 5 under -icount:
 *   cap.derive.core       one copy of a capability into another CNode (the
 *                         core of SYS_DELEGATE, without the syscall path)
 *   cap.revoke_1000.core  revoking a tree of 1,000 derived capabilities
 * (cap.delegate and cap.revoke_1000 are the same from Ring 3: bench_user.c.)
 * Storage is static (no heap needed): one CNode of 16 chunks, 73 KiB of BSS.
 * Everything runs under cap_lock, as the core's contract (and its lock
 * check) requires; the benchmarks time only the operation itself.
 */
#include <arch/cpu.h>

#include "cap/cap.h"
#include "test/kbench.h"
#include "test/ktest.h"

/* The host test (tests/host/test_cap_selftest.c) compiles this file too, with no kernel lock to take. */
#ifdef HOST_TEST
#define selftest_lock() ((void)0)
#define selftest_unlock() ((void)0)
#else
#include "cap/cspace.h"
#define selftest_lock() spin_lock(&cap_lock)
#define selftest_unlock() spin_unlock(&cap_lock)
#endif

#define ST_CHUNKS 16
static cap_slot_t st_chunks[2][ST_CHUNKS][CNODE_CHUNK_SLOTS];
static cnode_t st_cn[2];
static cap_object_t st_obj;
static int st_released;

static void st_release(cap_object_t *obj)
{
    (void)obj;
    st_released++;
}

/* Two empty CNodes (the first with ST_CHUNKS chunks) and a root Endpoint cap in slot 1 of the first. */
static cap_slot_t *st_setup(void)
{
    cnode_init(&st_cn[0], st_chunks[0][0]);
    cnode_init(&st_cn[1], st_chunks[1][0]);
    for (int c = 1; c < ST_CHUNKS; c++)
        cnode_add_chunk(&st_cn[0], st_chunks[0][c]);
    st_released = 0;
    cap_object_init(&st_obj, MN_CAP_ENDPOINT, st_release);
    if (cap_create(&st_cn[0], 1, MN_CAP_ENDPOINT, MN_RIGHTS_ALL, &st_obj, 0, 0) != MN_ERR_OK)
        return NULL;
    return cnode_slot(&st_cn[0], 1);
}

static const char *cap_core_locked(void)
{
    cap_slot_t *root = st_setup(), *child, *grandchild;
    cnode_t *both[2] = {&st_cn[0], &st_cn[1]};
    KTEST_CHECK(root, "cap: create failed");
    KTEST_CHECK(cap_derive(root, &st_cn[1], 5, MN_RIGHT_READ | MN_RIGHT_GRANT, &child) == MN_ERR_OK,
                "cap: derive failed");
    KTEST_CHECK(cap_derive(child, &st_cn[0], 2, MN_RIGHTS_ALL, &grandchild) == MN_ERR_OK &&
                    grandchild->rights == (MN_RIGHT_READ | MN_RIGHT_GRANT),
                "cap: rights grew on derive");
    KTEST_CHECK(cap_derive(root, &st_cn[1], 5, MN_RIGHTS_ALL, NULL) == MN_ERR_SLOT_OCCUPIED, "cap: occupied");
    cap_slot_t *found;
    KTEST_CHECK(cnode_lookup(&st_cn[1], 5, MN_CAP_ENDPOINT, MN_RIGHT_WRITE, &found) == MN_ERR_NO_RIGHTS,
                "cap: lookup ignored rights");
    uint32_t removed;
    KTEST_CHECK(cap_revoke(root, &removed) == MN_ERR_OK && removed == 2 && st_obj.refs == 1, "cap: revoke");
    KTEST_CHECK(cap_check_invariants(both, 2) == NULL, "cap: invariants broken");
    KTEST_CHECK(cap_bench_build_tree(root, both, 1, 500, CAP_BENCH_CHAIN) == 500, "cap: tree build");
    KTEST_CHECK(cap_delete(root) == MN_ERR_OK && st_released == 0, "cap: released too early");
    KTEST_CHECK(cnode_clear(&st_cn[0]) + cnode_clear(&st_cn[1]) == 500 && st_released == 1,
                "cap: not released exactly once");
    return NULL;
}

KTEST(cap_core)
{
    selftest_lock();
    const char *err = cap_core_locked();
    selftest_unlock();
    return err;
}

static uint64_t derive_delete(void *arg)
{
    cap_slot_t *root = arg, *copy;
    enum { ROUNDS = 1000 };
    uint64_t spent = 0;
    for (int i = 0; i < ROUNDS; i++) {
        uint64_t t0 = rdtsc();
        cap_derive(root, &st_cn[1], 7, MN_RIGHT_READ, &copy);
        spent += rdtsc() - t0;
        cap_delete(copy);
    }
    return spent / ROUNDS;
}

KBENCH(cap_derive, "cap.derive.core")
{
    selftest_lock();
    cap_slot_t *root = st_setup();
    uint64_t v = root ? kbench_median(derive_delete, root, 5) : KBENCH_NOT_MEASURED;
    selftest_unlock();
    return v;
}

static uint64_t revoke_tree(void *arg)
{
    cap_slot_t *root = arg;
    cnode_t *one[1] = {&st_cn[0]};
    if (cap_bench_build_tree(root, one, 1, 1000, CAP_BENCH_WIDE) != 1000)
        return KBENCH_NOT_MEASURED;
    uint64_t t0 = rdtsc();
    cap_revoke(root, NULL);
    return rdtsc() - t0;
}

KBENCH(cap_revoke_1000_core, "cap.revoke_1000.core")
{
    selftest_lock();
    cap_slot_t *root = st_setup();
    uint64_t v = root ? kbench_median(revoke_tree, root, 5) : KBENCH_NOT_MEASURED;
    selftest_unlock();
    return v;
}
