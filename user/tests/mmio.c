/*
 * MAP_MMIO: mapping MmioRegion capabilities. Slots: 1 a 2-page region
 * (READ only) whose words the kernel test filled with a pattern, 2 a
 * 1-page region (READ|WRITE) this program fills, 3 its own Process, 4 an
 * IoPort (a wrong type). The kernel test checks region 2's contents after
 * the program exits. Returns 0, or the number of the failed check.
 */
#include "utest.h"

#define VA1 0x70000000ull
#define VA2 0x70010000ull
#define PATTERN 0xC0DE000000000000ull

static volatile uint64_t *at(uint64_t va)
{
    return (volatile uint64_t *)(uintptr_t)va;
}

int64_t main(uint64_t arg)
{
    (void)arg;
    CHECK(1, mn_sys_MAP_MMIO(3, 1, VA1, MN_MAP_WRITE) == MN_ERR_NO_RIGHTS);
    CHECK(2, mn_sys_MAP_MMIO(3, 1, VA1, MN_MAP_EXEC) == MN_ERR_BAD_ARG); /* device memory never runs */
    CHECK(3,
          mn_sys_MAP_MMIO(3, 4, VA1, 0) == MN_ERR_WRONG_TYPE && mn_sys_MAP_MMIO(3, 9, VA1, 0) == MN_ERR_INVALID_SLOT);
    CHECK(4, mn_sys_MAP_MMIO(3, 1, VA1 + 8, 0) == MN_ERR_NO_MEMORY && mn_sys_MAP_MMIO(3, 1, 0, 0) == MN_ERR_BAD_ARG);
    CHECK(5, mn_sys_MAP_MEMORY(3, 1, VA1, 0) == MN_ERR_WRONG_TYPE); /* not a MemoryFrame */
    CHECK(6, mn_sys_MAP_MMIO(1, 1, VA1, 0) == MN_ERR_WRONG_TYPE);
    CHECK(10, mn_sys_MAP_MMIO(3, 1, VA1, 0) == 0);
    for (uint64_t i = 0; i < 1024; i++)
        CHECK(11, *at(VA1 + i * 8) == (PATTERN | i));
    CHECK(12, mn_sys_MAP_MMIO(3, 1, VA1, 0) == MN_ERR_MAP_FAILED);
    CHECK(13, mn_sys_UNMAP(3, VA1, 1) == MN_ERR_BAD_ARG); /* half the mapping */
    CHECK(14, mn_sys_UNMAP(3, VA1, 2) == 0 && mn_sys_UNMAP(3, VA1, 2) == MN_ERR_NOT_FOUND);
    CHECK(20, mn_sys_MAP_MMIO(3, 2, VA2, MN_MAP_WRITE) == 0);
    for (uint64_t i = 0; i < 512; i++)
        *at(VA2 + i * 8) = ~i;
    CHECK(21, mn_sys_MAP_MMIO(3, 1, VA1, 0) == 0); /* left mapped: teardown undoes it */
    return 0;
}
