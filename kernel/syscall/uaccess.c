/* User-memory copies (see uaccess.h). */
#include "syscall/uaccess.h"

#include <arch/cpu_features.h>
#include <arch/uaccess.h>
#include <mnos/errors.h>
#include <mnos/layout.h>

#include "mm/vmm.h"
#include "sched/process.h"
#include "sched/sched.h"

bool user_range_ok(uint64_t uptr, size_t n)
{
    if (n == 0)
        return true;
    return uptr >= MN_USER_MIN && uptr < MN_USER_END && n <= MN_USER_END - uptr;
}

/* Every page of the range mapped for user access (and writable when `write`). */
static bool user_range_mapped(uint64_t uptr, size_t n, bool write)
{
    struct process *p = sched_current()->process;
    if (!p || !p->as)
        return false;
    unsigned need = VMM_USER | (write ? VMM_WRITE : 0);
    for (uint64_t page = uptr & ~0xFFFull; page < uptr + n; page += 0x1000) {
        unsigned flags;
        if (!vmm_translate(p->as, page, NULL, &flags) || (flags & need) != need)
            return false;
    }
    return true;
}

static int copy(void *dst, const void *src, uint64_t uptr, size_t n, bool write)
{
    if (n == 0)
        return MN_ERR_OK;
    if (!user_range_ok(uptr, n) || !user_range_mapped(uptr, n, write))
        return MN_ERR_BAD_POINTER;
    user_access_begin();
    int r = arch_copy_user(dst, src, n);
    user_access_end();
    return r == 0 ? MN_ERR_OK : MN_ERR_BAD_POINTER;
}

int copy_from_user(void *dst, uint64_t usrc, size_t n)
{
    return copy(dst, (const void *)(uintptr_t)usrc, usrc, n, false);
}

int copy_to_user(uint64_t udst, const void *src, size_t n)
{
    return copy((void *)(uintptr_t)udst, src, udst, n, true);
}
