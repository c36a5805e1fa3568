/* Helpers for the Ring 3 tests (see user_harness.h). */
#include "test/user_harness.h"

#include "cap/cspace.h"
#include "debug/log.h"
#include "loader/spawn.h"
#include "sched/process.h"
#include "sched/sched.h"

#define FINISH_TIMEOUT_MS 20000

const char *uproc_spawn(const char *path, uint64_t arg, struct uproc *u)
{
    u->path = path;
    int r = spawn_from_initrd(path, arg, &u->p, &u->t);
    if (r != MN_ERR_OK) {
        log_error("test_user: cannot spawn %s: %s\n", path, mn_error_name(r));
        return "spawn_from_initrd failed (is the program in the initrd?)";
    }
    return NULL;
}

void uproc_start(struct uproc *u, uint64_t affinity)
{
    if (affinity)
        thread_set_affinity(u->t, affinity);
    thread_start(u->t);
}

int64_t uproc_finish(struct uproc *u, int64_t expect)
{
    int ms = 0;
    while (!__atomic_load_n(&u->p->exited, __ATOMIC_ACQUIRE) && ms < FINISH_TIMEOUT_MS) {
        sched_sleep_ns(1000000);
        ms++;
    }
    bool timed_out = !u->p->exited;
    if (timed_out) {
        log_error("test_user: %s did not end within %d ms: killed\n", u->path, FINISH_TIMEOUT_MS);
        process_kill(u->p, MN_STATUS_KILLED, MN_EXIT_KILLED, 0);
    }
    int64_t status = process_wait(u->p);
    thread_put(u->t);
    process_put(u->p);
    if (timed_out)
        status = UPROC_TIMED_OUT;
    if (status != expect && expect != UPROC_ANY_STATUS)
        log_error("test_user: %s ended with status %ld, expected %ld\n", u->path, status, expect);
    return status;
}

bool uproc_mint(struct uproc *u, uint64_t slot, uint8_t type, uint8_t rights, cap_object_t *obj, uint64_t d0,
                uint64_t d1)
{
    return cspace_mint(u->p, slot, type, rights, obj, d0, d1, NULL) == MN_ERR_OK;
}

bool uproc_wait_blocked(struct thread *t)
{
    for (int i = 0; i < 1000; i++) {
        if (t->state == THREAD_BLOCKED &&
            (t->reason == BLOCK_SEND || t->reason == BLOCK_RECV || t->reason == BLOCK_REPLY))
            return true;
        sched_sleep_ns(1000000);
    }
    return false;
}
