/*
 * Symbol lookup for backtraces. The build links the kernel twice: the second
 * link adds a .ksyms section (generated from the first link's `nm -n` by
 * tools/mksyms.sh) at the very end of the image, so no address moves. Its
 * layout: a count, then `count` pairs of (address, name pointer) sorted by
 * address.
 */
#include "debug/panic.h"

#include <stddef.h>

struct ksym {
    uintptr_t addr;
    const char *name;
};

extern const char __ksyms_start[], __ksyms_end[];
extern const char __text_start[], __text_end[];

const char *ksyms_lookup(uintptr_t addr, uintptr_t *offset)
{
    if (__ksyms_end - __ksyms_start < 8)
        return NULL;
    if (addr < (uintptr_t)__text_start || addr >= (uintptr_t)__text_end)
        return NULL;
    uint64_t count = *(const uint64_t *)__ksyms_start;
    const struct ksym *syms = (const struct ksym *)(__ksyms_start + 8);
    size_t lo = 0, hi = count;
    /* Find the last symbol with syms[i].addr <= addr. */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (syms[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    if (offset)
        *offset = addr - syms[lo - 1].addr;
    return syms[lo - 1].name;
}
