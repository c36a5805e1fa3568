/* What init's parts share (init.c: start-up and services; tests.c: the test mode). */
#ifndef INIT_INIT_H
#define INIT_INIT_H

#include <stdint.h>

#include "libmnos.h"

struct init_state {
    uint32_t allocator; /* init's PmmAllocator (no budget) */
    uint32_t console_out, console_in; /* the console endpoints (init keeps every right) */
    struct mn_child serial; /* serial_drv */
};

extern struct init_state init;

/* A new endpoint / a budgeted sub-allocator in a fresh slot of init's CNode, or 0. */
uint32_t init_endpoint(void);
uint32_t init_allocator(uint64_t pages);

/* The value of argument `key=`, or NULL. */
const char *init_arg(int argc, char **argv, const char *key);

/*
 * Test mode: runs the selected test programs (`all`, or names separated by
 * commas), prints "utest: PASS name" / "utest: FAIL name: why" for each and
 * a summary, and ends the QEMU run through the debug-exit port (status 33
 * when everything passed, 35 otherwise). Returns only without that port.
 */
int init_run_tests(const char *selection);

#endif
