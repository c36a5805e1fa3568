/*
 * What the Ring 3 tests (kernel/test/test_user*.c) share: starting a
 * program from the initrd with capabilities the test mints into it, and
 * reading how it ended. A program reports through its exit status (0 =
 * every check passed, else the number of the failed check; the kernel's
 * codes when it was killed: <mnos/process.h>).
 */
#ifndef TEST_USER_HARNESS_H
#define TEST_USER_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include "cap/cap.h"

struct process;
struct thread;

struct uproc {
    struct process *p;
    struct thread *t;
    const char *path;
};

/* What finish returns for a program that did not end within its time (it is killed). */
#define UPROC_TIMED_OUT INT64_MIN
/* An `expect` for uproc_finish that accepts any status (benchmarks report theirs through it). */
#define UPROC_ANY_STATUS (INT64_MIN + 1)

/* Spawns initrd program `path` with `arg` (its main thread not started yet); NULL or a failure reason. */
const char *uproc_spawn(const char *path, uint64_t arg, struct uproc *u);

/* Starts it, on the CPUs in `affinity` (0: anywhere). */
void uproc_start(struct uproc *u, uint64_t affinity);

/*
 * Waits up to 20 s for it to end and returns its exit status (killing it
 * and returning UPROC_TIMED_OUT past that), then drops the test's
 * references. Logs the status when it is not `expect`.
 */
int64_t uproc_finish(struct uproc *u, int64_t expect);

/* Mints a root capability into u's slot `slot`; false on failure. */
bool uproc_mint(struct uproc *u, uint64_t slot, uint8_t type, uint8_t rights, cap_object_t *obj, uint64_t d0,
                uint64_t d1);

/* Waits (up to 1 s) until t blocks in IPC (on an endpoint, or waiting for a reply). */
bool uproc_wait_blocked(struct thread *t);

/* The Ring 3 test groups, each also run by user_no_leaks: NULL or a failure reason. */
const char *run_ipc_tests(void);
const char *run_object_tests(void);

#endif
