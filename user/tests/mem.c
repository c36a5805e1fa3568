/*
 * The memory calls: ALLOC_MEMORY, MAP_MEMORY, UNMAP, each success path and
 * each error. The kernel test gives this program: slot 1 a PmmAllocator
 * (all rights, a budget of MEM_BUDGET frames), slot 2 its own Process (all
 * rights), slot 3 an Endpoint (a wrong type for everything here).
 *
 * arg 0: every check; returns 0 or the number of the first failed check,
 *        and exits with frames still mapped (process teardown must release
 *        them exactly once).
 * arg 1: maps a page, writes it, unmaps it and touches it again: must die
 *        of a page fault (exit status -1014).
 */
#include <mnos/caps.h>

#include "mn_syscall.h"

#define CHECK(n, cond) \
    do { \
        if (!(cond)) \
            return (n); \
    } while (0)

#define MEM_BUDGET 8
#define VA1 0x50000000ull
#define VA2 0x50001000ull
#define VA3 0x50002000ull
#define VA4 0x50003000ull
#define VA5 0x50100000ull
#define LAST_PAGE 0x7FFFFFFFF000ull
#define RW (MN_RIGHT_READ | MN_RIGHT_WRITE)

static volatile uint64_t *page(uint64_t va)
{
    return (volatile uint64_t *)(uintptr_t)va;
}

static int64_t touch_after_unmap(void)
{
    if (mn_sys_ALLOC_MEMORY(1, 10) != 0 || mn_sys_MAP_MEMORY(2, 10, VA1, MN_MAP_WRITE) != 0)
        return 1;
    *page(VA1) = 42;
    if (*page(VA1) != 42 || mn_sys_UNMAP(2, VA1, 1) != 0)
        return 2;
    (void)*page(VA1); /* must fault */
    return 3;
}

int64_t main(uint64_t arg)
{
    if (arg == 1)
        return touch_after_unmap();
    /* rights-reduced copies: 4 allocator without WRITE, 5 Process READ only */
    CHECK(1, mn_sys_COPY_CAP(1, 4, MN_RIGHT_READ) == 0);
    CHECK(2, mn_sys_COPY_CAP(2, 5, MN_RIGHT_READ) == 0);

    /* ALLOC_MEMORY errors */
    CHECK(10, mn_sys_ALLOC_MEMORY(0, 10) == MN_ERR_INVALID_SLOT);
    CHECK(11, mn_sys_ALLOC_MEMORY(20, 10) == MN_ERR_INVALID_SLOT);
    CHECK(12, mn_sys_ALLOC_MEMORY(1ull << 40, 10) == MN_ERR_INVALID_SLOT);
    CHECK(13, mn_sys_ALLOC_MEMORY(3, 10) == MN_ERR_WRONG_TYPE);
    CHECK(14, mn_sys_ALLOC_MEMORY(4, 10) == MN_ERR_NO_RIGHTS);
    CHECK(15, mn_sys_ALLOC_MEMORY(1, 0) == MN_ERR_INVALID_SLOT);
    CHECK(16, mn_sys_ALLOC_MEMORY(1, 1ull << 20) == MN_ERR_INVALID_SLOT); /* beyond the largest CNode */
    CHECK(17, mn_sys_ALLOC_MEMORY(1, 3) == MN_ERR_SLOT_OCCUPIED);
    CHECK(18, mn_sys_ALLOC_PAGES(1, 10, 11) == MN_ERR_BAD_ARG); /* order above 10 */
    CHECK(19, mn_sys_ALLOC_PAGES(1, 10, 4) == MN_ERR_NO_MEMORY); /* 16 pages: over the budget */
    /* success: a frame with every right; a read-only copy of it in 11 */
    CHECK(20, mn_sys_ALLOC_MEMORY(1, 10) == 0);
    CHECK(21, mn_sys_INSPECT(10) == (int64_t)MN_INSPECT_MAKE(MN_CAP_MEMORY_FRAME, MN_RIGHTS_ALL));
    CHECK(22, mn_sys_COPY_CAP(10, 11, MN_RIGHT_READ) == 0);

    /* MAP_MEMORY errors (nothing gets mapped) */
    CHECK(30, mn_sys_MAP_MEMORY(2, 10, VA1, MN_MAP_WRITE | MN_MAP_EXEC) == MN_ERR_BAD_ARG);
    CHECK(31, mn_sys_MAP_MEMORY(2, 10, VA1, 4) == MN_ERR_BAD_ARG);
    CHECK(32, mn_sys_MAP_MEMORY(2, 10, VA1 + 8, MN_MAP_WRITE) == MN_ERR_NO_MEMORY);
    CHECK(33, mn_sys_MAP_MEMORY(2, 10, 0xFFFF800000000000ull, 0) == MN_ERR_BAD_ARG);
    CHECK(34, mn_sys_MAP_MEMORY(2, 10, 0x0000800000000000ull, 0) == MN_ERR_BAD_ARG);
    CHECK(35, mn_sys_MAP_MEMORY(2, 10, LAST_PAGE, 0) == MN_ERR_BAD_ARG);
    CHECK(36, mn_sys_MAP_MEMORY(2, 10, 0, 0) == MN_ERR_BAD_ARG);
    CHECK(37, mn_sys_MAP_MEMORY(3, 10, VA1, 0) == MN_ERR_WRONG_TYPE);
    CHECK(38, mn_sys_MAP_MEMORY(20, 10, VA1, 0) == MN_ERR_INVALID_SLOT);
    CHECK(39, mn_sys_MAP_MEMORY(5, 10, VA1, 0) == MN_ERR_NO_RIGHTS);
    CHECK(40, mn_sys_MAP_MEMORY(2, 3, VA1, 0) == MN_ERR_WRONG_TYPE);
    CHECK(41, mn_sys_MAP_MEMORY(2, 21, VA1, 0) == MN_ERR_INVALID_SLOT);
    CHECK(42, mn_sys_MAP_MEMORY(2, 11, VA1, MN_MAP_WRITE) == MN_ERR_NO_RIGHTS);
    CHECK(43, mn_sys_MAP_MEMORY(2, 11, VA1, MN_MAP_EXEC) == MN_ERR_NO_RIGHTS);
    CHECK(44, mn_sys_MAP_MEMORY(2, 10, 0x400000, 0) == MN_ERR_MAP_FAILED); /* our own code */
    CHECK(45, mn_sys_UNMAP(2, VA1, 1) == MN_ERR_NOT_FOUND); /* nothing was mapped */

    /* map, write, read back; the same frame read-only elsewhere sees the data */
    CHECK(50, mn_sys_MAP_MEMORY(2, 10, VA1, MN_MAP_WRITE) == 0);
    CHECK(51, page(VA1)[0] == 0 && page(VA1)[511] == 0); /* zeroed */
    for (int i = 0; i < 512; i++)
        page(VA1)[i] = 0x1111111111111111ull * (uint64_t)(i & 15);
    for (int i = 0; i < 512; i++)
        CHECK(52, page(VA1)[i] == 0x1111111111111111ull * (uint64_t)(i & 15));
    CHECK(53, mn_sys_MAP_MEMORY(2, 11, VA2, 0) == 0);
    CHECK(54, page(VA2)[3] == 0x3333333333333333ull);
    CHECK(55, mn_sys_MAP_MEMORY(2, 10, VA1, 0) == MN_ERR_MAP_FAILED); /* already mapped */

    /* an executable mapping of a frame written through another, writable one */
    CHECK(60, mn_sys_ALLOC_MEMORY(1, 12) == 0);
    CHECK(61, mn_sys_MAP_MEMORY(2, 12, VA3, MN_MAP_WRITE) == 0);
    *(volatile uint8_t *)(uintptr_t)VA3 = 0xB8; /* mov eax, 77; ret */
    *(volatile uint32_t *)(uintptr_t)(VA3 + 1) = 77;
    *(volatile uint8_t *)(uintptr_t)(VA3 + 5) = 0xC3;
    CHECK(62, mn_sys_MAP_MEMORY(2, 12, VA4, MN_MAP_EXEC) == 0);
    CHECK(63, ((int (*)(void))(uintptr_t)VA4)() == 77);

    /* UNMAP errors (nothing changes) */
    CHECK(70, mn_sys_UNMAP(2, VA1, 0) == MN_ERR_BAD_ARG);
    CHECK(71, mn_sys_UNMAP(2, VA1, 100000) == MN_ERR_BAD_ARG);
    CHECK(72, mn_sys_UNMAP(2, VA1 + 1, 1) == MN_ERR_NO_MEMORY);
    CHECK(73, mn_sys_UNMAP(2, 0xFFFFFFFF80000000ull, 1) == MN_ERR_BAD_ARG);
    CHECK(74, mn_sys_UNMAP(2, LAST_PAGE - 0x1000, 2) == MN_ERR_BAD_ARG);
    CHECK(75, mn_sys_UNMAP(2, 0x400000, 1) == MN_ERR_NOT_FOUND); /* ELF pages are not the caller's to unmap */
    CHECK(76, mn_sys_UNMAP(2, VA4, 2) == MN_ERR_NOT_FOUND); /* VA4 + 4 KiB is not mapped */
    CHECK(77, mn_sys_UNMAP(3, VA1, 1) == MN_ERR_WRONG_TYPE);
    CHECK(78, mn_sys_UNMAP(5, VA1, 1) == MN_ERR_NO_RIGHTS);
    CHECK(79, mn_sys_UNMAP(0, VA1, 1) == MN_ERR_INVALID_SLOT);
    CHECK(80, page(VA1)[5] == 0x5555555555555555ull && ((int (*)(void))(uintptr_t)VA4)() == 77);

    /* a mapping keeps its frame alive after the last capability goes */
    CHECK(90, mn_sys_DROP_CAP(11) == 0 && mn_sys_DROP_CAP(10) == 0);
    CHECK(91, mn_sys_INSPECT(10) == MN_ERR_INVALID_SLOT);
    CHECK(92, page(VA2)[7] == 0x7777777777777777ull);
    page(VA1)[7] = 0xABCDull;
    CHECK(93, page(VA2)[7] == 0xABCDull);
    /* unmap several pages at once; a second unmap finds nothing */
    CHECK(94, mn_sys_UNMAP(2, VA1, 2) == 0);
    CHECK(95, mn_sys_UNMAP(2, VA1, 1) == MN_ERR_NOT_FOUND);
    CHECK(96, mn_sys_MAP_MEMORY(2, 12, VA1, 0) == 0); /* the address is free again */
    CHECK(97, *(volatile uint8_t *)(uintptr_t)VA1 == 0xB8);

    /* a 4-page frame (order 2) in slot 200 (the CNode grows): mapped whole, unmapped only whole */
    CHECK(120, mn_sys_ALLOC_PAGES(1, 200, 2) == 0);
    CHECK(121, mn_sys_INSPECT(200) == (int64_t)MN_INSPECT_MAKE(MN_CAP_MEMORY_FRAME, MN_RIGHTS_ALL));
    uint64_t info[3];
    CHECK(131, mn_sys_FRAME_INFO(200, info) == 0 && info[1] == 2 && info[0] != 0 && (info[0] & 0x3FFF) == 0);
    CHECK(132, mn_sys_FRAME_INFO(2, info) == MN_ERR_WRONG_TYPE && mn_sys_FRAME_INFO(0, info) == MN_ERR_INVALID_SLOT);
    /* FRAME_WRITE: into the frame, bounds and rights checked, the bytes visible once mapped */
    static const char msg[] = "written without a mapping";
    CHECK(133,
          mn_sys_FRAME_WRITE(200, 0x3FF0, (uint64_t)(uintptr_t)msg, sizeof msg) == MN_ERR_BAD_ARG); /* past the end */
    CHECK(134, mn_sys_FRAME_WRITE(200, 0x2000, 0x1000, 8) == MN_ERR_BAD_POINTER);
    CHECK(135, mn_sys_FRAME_WRITE(3, 0, (uint64_t)(uintptr_t)msg, 8) == MN_ERR_WRONG_TYPE);
    CHECK(136, mn_sys_FRAME_WRITE(200, 0x2000, (uint64_t)(uintptr_t)msg, sizeof msg) == 0);
    CHECK(137, mn_sys_COPY_CAP(200, 201, MN_RIGHT_READ) == 0 &&
                   mn_sys_FRAME_WRITE(201, 0, (uint64_t)(uintptr_t)msg, 8) == MN_ERR_NO_RIGHTS);
    CHECK(138, mn_sys_DROP_CAP(201) == 0);
    /* ALLOCATOR_CREATE: a sub-budget that also counts against ours; MEM_STATS needs an allocator */
    CHECK(139, mn_sys_ALLOCATOR_CREATE(1, 210, 2) == 0 && mn_sys_ALLOCATOR_CREATE(1, 210, 2) == MN_ERR_SLOT_OCCUPIED);
    CHECK(140, mn_sys_ALLOCATOR_CREATE(4, 211, 2) == MN_ERR_NO_RIGHTS &&
                   mn_sys_ALLOCATOR_CREATE(1, 211, 0) == MN_ERR_BAD_ARG);
    CHECK(141, mn_sys_ALLOC_PAGES(210, 211, 2) == MN_ERR_NO_MEMORY); /* 4 pages: over its own budget of 2 */
    CHECK(142, mn_sys_ALLOC_PAGES(210, 211, 1) == 0 && mn_sys_ALLOC_MEMORY(210, 212) == MN_ERR_NO_MEMORY);
    CHECK(143, mn_sys_DROP_CAP(211) == 0 && mn_sys_DROP_CAP(210) == 0);
    CHECK(144, mn_sys_MEM_STATS(1, info) == 0 && info[0] > 0 && info[2] > 0 &&
                   mn_sys_MEM_STATS(3, info) == MN_ERR_WRONG_TYPE);
    CHECK(122, mn_sys_MAP_MEMORY(2, 200, LAST_PAGE - 0x2000, 0) == MN_ERR_BAD_ARG); /* would run past the end */
    CHECK(130, mn_sys_MAP_MEMORY(2, 200, VA1, 0) == MN_ERR_MAP_FAILED); /* VA1 is in use: all or nothing */
    CHECK(123, mn_sys_MAP_MEMORY(2, 200, VA5, MN_MAP_WRITE) == 0);
    for (int i = 0; i < 4 * 512; i++)
        CHECK(124, page(VA5)[i] == (i >= 1024 && i < 1028 ? page(VA5)[i] : 0));
    CHECK(145, ((volatile char *)(uintptr_t)VA5)[0x2000] == 'w' && ((volatile char *)(uintptr_t)VA5)[0x2001] == 'r');
    page(VA5)[4 * 512 - 1] = 99;
    CHECK(125, mn_sys_UNMAP(2, VA5 + 0x1000, 1) == MN_ERR_BAD_ARG); /* cuts the mapping */
    CHECK(126, mn_sys_UNMAP(2, VA5, 3) == MN_ERR_BAD_ARG);
    CHECK(127, page(VA5)[4 * 512 - 1] == 99);
    CHECK(128, mn_sys_UNMAP(2, VA5, 4) == 0);
    CHECK(129, mn_sys_DROP_CAP(200) == 0); /* last cap, no mapping: the 4 pages go back to the budget */

    /*
     * The budget: frames alive now are 12's (the one behind 10/11 went with
     * its last mapping), so MEM_BUDGET - 1 more succeed, then the allocator
     * is out; dropping one gives its frame back.
     */
    int got = 0;
    for (uint64_t s = 30; s < 30 + MEM_BUDGET + 2; s++) {
        int64_t r = mn_sys_ALLOC_MEMORY(1, s);
        if (r == MN_ERR_NO_MEMORY)
            break;
        CHECK(100, r == 0);
        got++;
    }
    CHECK(101, got == MEM_BUDGET - 1);
    CHECK(102, mn_sys_ALLOC_MEMORY(1, 50) == MN_ERR_NO_MEMORY);
    CHECK(103, mn_sys_DROP_CAP(30) == 0 && mn_sys_ALLOC_MEMORY(1, 50) == 0);
    CHECK(104, mn_sys_ALLOC_MEMORY(1, 51) == MN_ERR_NO_MEMORY);

    /* leave mappings behind: some with their cap held (12, 31), one without (32) */
    CHECK(110, mn_sys_MAP_MEMORY(2, 31, VA2, MN_MAP_WRITE) == 0 && mn_sys_MAP_MEMORY(2, 32, VA4 + 0x1000, 0) == 0);
    CHECK(111, mn_sys_DROP_CAP(32) == 0);
    page(VA2)[0] = 1;
    return 0;
}
