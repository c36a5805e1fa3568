/*
 * The system-call table, generated from the ABI's X-macro
 * (<mnos/syscalls.h>): every number in the table has an entry; a call this
 * kernel does not implement yet resolves to sys_nosys through a weak alias,
 * and a number outside the table returns MN_ERR_NO_SYSCALL as well.
 */
#include <arch/syscall.h>
#include <mnos/errors.h>

#include "syscall/syscall.h"

int64_t sys_nosys(const uint64_t a[6], uint64_t out[3])
{
    (void)a;
    (void)out;
    return MN_ERR_NO_SYSCALL;
}

#define SYSCALL_WEAK_(name, num, args, outs, doc) \
    int64_t sys_##name(const uint64_t a[6], uint64_t out[3]) __attribute__((weak, alias("sys_nosys")));
MN_SYSCALL_TABLE(SYSCALL_WEAK_)
#undef SYSCALL_WEAK_

static const struct {
    syscall_fn fn;
    int outs;
} table[MN_SYSCALL_COUNT] = {
#define SYSCALL_ENTRY_(name, num, args, outs, doc) [num] = {sys_##name, outs},
    MN_SYSCALL_TABLE(SYSCALL_ENTRY_)
#undef SYSCALL_ENTRY_
};

static volatile uint64_t counts[MN_SYSCALL_COUNT];

uint64_t syscall_count(uint64_t num)
{
    return num < MN_SYSCALL_COUNT ? counts[num] : 0;
}

int64_t syscall_dispatch(uint64_t num, const uint64_t args[6], uint64_t outs[3], int *nouts)
{
    if (num >= MN_SYSCALL_COUNT || !table[num].fn)
        return MN_ERR_NO_SYSCALL;
    __atomic_fetch_add(&counts[num], 1, __ATOMIC_RELAXED);
    int64_t r = table[num].fn(args, outs);
    *nouts = r >= 0 ? table[num].outs : 0;
    return r;
}
