/*
 * System-call handlers. Each takes the six argument registers and may fill
 * up to three output words (returned in RDI, RSI, RDX, as many as the
 * call's `outs` in <mnos/syscalls.h>); it returns the value for RAX: >= 0,
 * or a negative MN_ERR_* code. Every handler validates all its arguments
 * (slot, type, rights, user pointers) before it changes anything.
 */
#ifndef SYSCALL_SYSCALL_H
#define SYSCALL_SYSCALL_H

#include <mnos/syscalls.h>
#include <stdint.h>

typedef int64_t (*syscall_fn)(const uint64_t a[6], uint64_t out[3]);

/* One declaration per call in the ABI table; calls without a handler fall back to sys_nosys. */
#define SYSCALL_DECLARE_(name, num, args, outs, doc) int64_t sys_##name(const uint64_t a[6], uint64_t out[3]);
MN_SYSCALL_TABLE(SYSCALL_DECLARE_)
#undef SYSCALL_DECLARE_

/* Returns MN_ERR_NO_SYSCALL. */
int64_t sys_nosys(const uint64_t a[6], uint64_t out[3]);

/* Counts of calls by number since boot (for tests). */
uint64_t syscall_count(uint64_t num);

#endif
