/*
 * System-call handlers. Each takes the six argument registers as an array
 * (RDI, RSI, RDX, R10, R8, R9) and returns the value for RAX: >= 0, or a
 * negative MN_ERR_* code. A call with outputs (the `outs` of
 * <mnos/syscalls.h>) writes them over a[0..2], which return to Ring 3 in
 * RDI, RSI, RDX: only on success, and only once it has read every argument
 * it needs (the two share storage). Every handler validates all its
 * arguments (slot, type, rights, user pointers) before it changes anything.
 */
#ifndef SYSCALL_SYSCALL_H
#define SYSCALL_SYSCALL_H

#include <mnos/syscalls.h>
#include <stdbool.h>
#include <stdint.h>

typedef int64_t (*syscall_fn)(uint64_t a[6]);

/* One declaration per call in the ABI table; calls without a handler fall back to sys_nosys. */
#define SYSCALL_DECLARE_(name, num, args, outs, doc) int64_t sys_##name(uint64_t a[6]);
MN_SYSCALL_TABLE(SYSCALL_DECLARE_)
#undef SYSCALL_DECLARE_

/* Returns MN_ERR_NO_SYSCALL. */
int64_t sys_nosys(uint64_t a[6]);

/* True when this kernel has a handler for call `num` (for tests and docs). */
bool syscall_implemented(uint64_t num);

#endif
