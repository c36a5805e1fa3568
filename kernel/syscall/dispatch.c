/*
 * The system-call table, generated from the ABI's X-macro
 * (<mnos/syscalls.h>): every number in the table has an entry; a call this
 * kernel does not implement resolves to sys_nosys through a weak alias, and
 * a number outside the table returns MN_ERR_NO_SYSCALL as well.
 */
#include <arch/syscall.h>
#include <mnos/errors.h>

#include "syscall/syscall.h"

int64_t sys_nosys(uint64_t a[6])
{
    (void)a;
    return MN_ERR_NO_SYSCALL;
}

#define SYSCALL_WEAK_(name, num, args, outs, doc) \
    int64_t sys_##name(uint64_t a[6]) __attribute__((weak, alias("sys_nosys")));
MN_SYSCALL_TABLE(SYSCALL_WEAK_)
#undef SYSCALL_WEAK_

static syscall_fn const table[MN_SYSCALL_COUNT] = {
#define SYSCALL_ENTRY_(name, num, args, outs, doc) [num] = sys_##name,
    MN_SYSCALL_TABLE(SYSCALL_ENTRY_)
#undef SYSCALL_ENTRY_
};

bool syscall_implemented(uint64_t num)
{
    return num < MN_SYSCALL_COUNT && table[num] && table[num] != sys_nosys;
}

int64_t syscall_dispatch(uint64_t a[6], uint64_t num)
{
    if (__builtin_expect(num >= MN_SYSCALL_COUNT || !table[num], 0))
        return MN_ERR_NO_SYSCALL;
    return table[num](a);
}
