/*
 * The startup page: what a process finds when its main thread starts. One
 * read-only page at MN_STARTUP_VA; the main thread starts with its address
 * in RDI. The kernel writes init's; a parent writes its children's (libmnos
 * mn_spawn). It names the process's arguments and the capabilities its
 * parent put into its CNode, by role ("console", "allocator", "self",
 * "com1", ...), so a program never has to guess what a slot holds.
 *
 * All offsets are from the start of the page; strings are NUL-terminated
 * and lie inside the page.
 */
#ifndef MNOS_STARTUP_H
#define MNOS_STARTUP_H

#include <stddef.h>
#include <stdint.h>

#include <mnos/layout.h>

#define MN_STARTUP_VA (MN_USER_INITRD_VIEW - MN_PAGE_SIZE) /* 0x0FFFF000 */
#define MN_STARTUP_MAGIC 0x4D4E5354u /* "MNST" */
#define MN_STARTUP_VERSION 1u
#define MN_STARTUP_MAX_CAPS 96
#define MN_STARTUP_CAP_NAME 16
#define MN_STARTUP_MAX_ARGS 32

struct mn_startup_cap {
    uint32_t slot;
    uint32_t type; /* MN_CAP_* (what the parent put there) */
    char name[MN_STARTUP_CAP_NAME]; /* its role, e.g. "console" */
};

struct mn_startup {
    uint32_t magic; /* MN_STARTUP_MAGIC */
    uint32_t version; /* MN_STARTUP_VERSION */
    uint32_t argc;
    uint32_t ncaps;
    uint32_t argv[MN_STARTUP_MAX_ARGS]; /* offsets of the argument strings */
    uint64_t initrd_size; /* bytes of the archive behind the "initrd" capability (if one was given); else 0 */
    uint64_t boot_tsc; /* init: the TSC when the kernel was entered (for boot figures); else 0 */
    struct mn_startup_cap caps[MN_STARTUP_MAX_CAPS];
    /* the strings follow, up to the end of the page */
};

_Static_assert(sizeof(struct mn_startup) <= MN_PAGE_SIZE * 3 / 4, "a quarter of the page is left for the strings");
_Static_assert(sizeof(struct mn_startup_cap) == 24, "startup cap entries are 24 bytes");

/* The capability roles the system uses (a program may define more). */
#define MN_ROLE_ALLOCATOR "allocator" /* a PmmAllocator for the heap */
#define MN_ROLE_SELF "self" /* the process's own Process capability */
#define MN_ROLE_CONSOLE "console" /* an Endpoint to the console server (serial_drv) */

#endif
