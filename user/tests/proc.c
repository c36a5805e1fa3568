/*
 * Processes from Ring 3: SPAWN_PROCESS, memory for the child (ALLOC,
 * MAP_MEMORY into it), SPAWN_THREAD, PROCESS_WAIT, KILL; SLEEP and CLOCK.
 * Slots: 1 a PmmAllocator (budget of 64 pages), 2 its own Process. The
 * children run a few bytes of machine code this program writes into their
 * frames. Returns 0, or the number of the failed check.
 */
#include <mnos/process.h>
#include <stddef.h>

#include "utest.h"

#define SCRATCH_VA 0x60000000ull
#define CHILD_CODE 0x400000ull
#define CHILD_STACK_TOP 0x7FFFFFFFE000ull

/* lea 1(%rdi), %rdi; mov $37, %eax (PROCESS_EXIT); syscall; ud2: exits with arg + 1. */
static const uint8_t code_exit[] = {0x48, 0x8d, 0x7f, 0x01, 0xb8, 0x25, 0x00, 0x00, 0x00, 0x0f, 0x05, 0x0f, 0x0b};
/* jmp . */
static const uint8_t code_spin[] = {0xeb, 0xfe};
/* ud2 */
static const uint8_t code_ud2[] = {0x0f, 0x0b};

static uint64_t next_slot = 20;

/*
 * A new process named `name` (NULL: made with the roadmap's unnamed
 * SPAWN_PROCESS) whose code page holds `code`, with a stack page; its
 * Process cap's slot, or a negative error. Frames are allocated into fresh
 * slots and dropped once mapped (the mappings keep them).
 */
static int64_t make_child(const char *name, uint64_t len, const uint8_t *code, uint64_t n)
{
    int64_t child = name ? mn_sys_PROCESS_CREATE((uint64_t)(uintptr_t)name, len) : mn_sys_SPAWN_PROCESS();
    if (child < 0)
        return child;
    uint64_t code_slot = next_slot++, stack_slot = next_slot++;
    if (mn_sys_ALLOC_MEMORY(1, code_slot) != 0 || mn_sys_ALLOC_MEMORY(1, stack_slot) != 0)
        return -100;
    if (mn_sys_MAP_MEMORY(2, code_slot, SCRATCH_VA, MN_MAP_WRITE) != 0)
        return -101;
    for (uint64_t i = 0; i < n; i++)
        ((volatile uint8_t *)(uintptr_t)SCRATCH_VA)[i] = code[i];
    if (mn_sys_UNMAP(2, SCRATCH_VA, 1) != 0)
        return -102;
    if (mn_sys_MAP_MEMORY((uint64_t)child, code_slot, CHILD_CODE, MN_MAP_EXEC) != 0 ||
        mn_sys_MAP_MEMORY((uint64_t)child, stack_slot, CHILD_STACK_TOP - 0x1000, MN_MAP_WRITE) != 0)
        return -103;
    if (mn_sys_DROP_CAP(code_slot) != 0 || mn_sys_DROP_CAP(stack_slot) != 0)
        return -104;
    return child;
}

int64_t main(uint64_t arg)
{
    (void)arg;
    uint64_t w[3];
    /* clock and sleep */
    int64_t t0 = mn_sys_CLOCK();
    CHECK(1, t0 > 0 && mn_sys_SLEEP(2000000) == 0);
    int64_t t1 = mn_sys_CLOCK();
    CHECK(2, t1 - t0 >= 2000000);

    /* SPAWN_PROCESS errors */
    CHECK(10, mn_sys_PROCESS_CREATE(0x1000, 4) == MN_ERR_BAD_POINTER);
    CHECK(11, mn_sys_PROCESS_CREATE((uint64_t)(uintptr_t) "x", 100) == MN_ERR_BAD_ARG);
    CHECK(9, mn_sys_PROCESS_CREATE((uint64_t)(uintptr_t) "x", 0) == MN_ERR_BAD_ARG);

    /* the roadmap's calls: SPAWN_PROCESS (no name), SPAWN_THREAD (the thread starts with RDI 0) */
    int64_t c0 = make_child(NULL, 0, code_exit, sizeof code_exit);
    CHECK(5, c0 > 0 && mn_sys_SPAWN_THREAD((uint64_t)c0, CHILD_CODE, CHILD_STACK_TOP) > 0);
    CHECK(6, mn_sys_PROCESS_WAIT((uint64_t)c0, w) == 0 && w[0] == 1 && w[1] == MN_EXIT_NORMAL);
    CHECK(7, mn_sys_DROP_CAP((uint64_t)c0) == 0);

    /* a child that exits with its argument + 1 */
    int64_t c1 = make_child("child-exit", 10, code_exit, sizeof code_exit);
    CHECK(12, c1 > 0);
    CHECK(13, mn_sys_INSPECT((uint64_t)c1) == INSPECT_OF(MN_CAP_PROCESS, MN_RIGHTS_ALL));
    CHECK(14, mn_sys_THREAD_CREATE((uint64_t)c1, 0, CHILD_STACK_TOP, 0, 0) == MN_ERR_BAD_ARG);
    CHECK(15, mn_sys_THREAD_CREATE((uint64_t)c1, 0xFFFFFFFF80000000ull, CHILD_STACK_TOP, 0, 0) == MN_ERR_BAD_ARG);
    CHECK(16, mn_sys_THREAD_CREATE((uint64_t)c1, CHILD_CODE, 1ull << 48, 0, 0) == MN_ERR_BAD_ARG);
    CHECK(17, mn_sys_THREAD_CREATE(1, CHILD_CODE, CHILD_STACK_TOP, 0, 0) == MN_ERR_WRONG_TYPE);
    CHECK(18, mn_sys_COPY_CAP((uint64_t)c1, 10, MN_RIGHT_READ) == 0 &&
                  mn_sys_COPY_CAP((uint64_t)c1, 11, MN_RIGHT_WRITE) == 0);
    CHECK(19, mn_sys_THREAD_CREATE(10, CHILD_CODE, CHILD_STACK_TOP, 0, 0) == MN_ERR_NO_RIGHTS);
    CHECK(20, mn_sys_KILL(10) == MN_ERR_NO_RIGHTS && mn_sys_PROCESS_WAIT(11, w) == MN_ERR_NO_RIGHTS);
    CHECK(21, mn_sys_PROCESS_WAIT(2, w) == MN_ERR_BAD_ARG); /* itself */
    CHECK(22, mn_sys_THREAD_CREATE((uint64_t)c1, CHILD_CODE, CHILD_STACK_TOP, 41, 0) > 0);
    CHECK(23, mn_sys_PROCESS_WAIT(10, w) == 0); /* READ is enough to wait */
    CHECK(24, w[0] == 42 && w[1] == MN_EXIT_NORMAL && w[2] == 0);
    CHECK(25, mn_sys_PROCESS_WAIT((uint64_t)c1, w) == 0 && w[0] == 42); /* again: it stays exited */
    /* it is gone: nothing more goes into it */
    CHECK(26, mn_sys_THREAD_CREATE((uint64_t)c1, CHILD_CODE, CHILD_STACK_TOP, 0, 0) == MN_ERR_DEAD);
    CHECK(27, mn_sys_ALLOC_MEMORY(1, 12) == 0 && mn_sys_MAP_MEMORY((uint64_t)c1, 12, CHILD_CODE, 0) == MN_ERR_DEAD);
    CHECK(28, mn_sys_DELEGATE((uint64_t)c1, 12, 5, MN_RIGHTS_ALL) == MN_ERR_DEAD);
    CHECK(29, mn_sys_DROP_CAP(12) == 0 && mn_sys_DROP_CAP(10) == 0 && mn_sys_DROP_CAP(11) == 0);

    /* a child that spins until killed */
    int64_t c2 = make_child("child-spin", 10, code_spin, sizeof code_spin);
    CHECK(30, c2 > 0 && mn_sys_THREAD_CREATE((uint64_t)c2, CHILD_CODE, CHILD_STACK_TOP, 0, 13) > 0);
    CHECK(31, mn_sys_THREAD_CREATE((uint64_t)c2, CHILD_CODE, CHILD_STACK_TOP - 0x800, 0, 14) > 0); /* two threads */
    /* Thread capabilities: one thread killed and waited for alone; rights and types checked */
    CHECK(35, mn_sys_INSPECT(13) == INSPECT_OF(MN_CAP_THREAD, MN_RIGHTS_ALL));
    CHECK(36, mn_sys_THREAD_CREATE((uint64_t)c2, CHILD_CODE, CHILD_STACK_TOP, 0, 13) == MN_ERR_SLOT_OCCUPIED);
    CHECK(37, mn_sys_COPY_CAP(13, 15, MN_RIGHT_READ) == 0 && mn_sys_THREAD_KILL(15) == MN_ERR_NO_RIGHTS);
    CHECK(38, mn_sys_THREAD_WAIT(2) == MN_ERR_WRONG_TYPE && mn_sys_THREAD_WAIT(16) == MN_ERR_INVALID_SLOT);
    utest_sleep_ms(2);
    CHECK(39, mn_sys_THREAD_KILL(13) == 0 && mn_sys_THREAD_WAIT(15) == 0); /* READ is enough to wait */
    utest_sleep_ms(2); /* the other thread spins on: the process is alive and still takes mappings */
    CHECK(47, mn_sys_ALLOC_MEMORY(1, 12) == 0 && mn_sys_MAP_MEMORY((uint64_t)c2, 12, 0x500000, 0) == 0);
    CHECK(48, mn_sys_DROP_CAP(12) == 0);
    CHECK(32, mn_sys_KILL((uint64_t)c2) == 0);
    CHECK(33, mn_sys_PROCESS_WAIT((uint64_t)c2, w) == 0);
    CHECK(34, (int64_t)w[0] == MN_STATUS_KILLED && w[1] == MN_EXIT_KILLED);
    CHECK(44, mn_sys_THREAD_WAIT(14) == 0); /* the other thread ended with its process */
    CHECK(45, mn_sys_DROP_CAP(13) == 0 && mn_sys_DROP_CAP(14) == 0 && mn_sys_DROP_CAP(15) == 0);

    /* a child that faults */
    int64_t c3 = make_child("child-ud2", 9, code_ud2, sizeof code_ud2);
    CHECK(40, c3 > 0 && mn_sys_THREAD_CREATE((uint64_t)c3, CHILD_CODE, CHILD_STACK_TOP, 0, 0) > 0);
    CHECK(41, mn_sys_PROCESS_WAIT((uint64_t)c3, w) == 0);
    CHECK(42, (int64_t)w[0] == MN_STATUS_FAULT_BASE - 6 && w[1] == MN_EXIT_FAULT && w[2] == 6);

    /* killed before it ever ran: no thread can start in it */
    int64_t c4 = make_child("child-never", 11, code_exit, sizeof code_exit);
    CHECK(50, c4 > 0 && mn_sys_KILL((uint64_t)c4) == 0);
    CHECK(51, mn_sys_THREAD_CREATE((uint64_t)c4, CHILD_CODE, CHILD_STACK_TOP, 0, 0) == MN_ERR_DEAD);
    CHECK(52, mn_sys_PROCESS_WAIT((uint64_t)c4, w) == 0 && (int64_t)w[0] == MN_STATUS_KILLED);

    /* never started, its last cap dropped: torn down (the kernel test counts processes) */
    int64_t c5 = make_child("child-dropped", 13, code_exit, sizeof code_exit);
    CHECK(60, c5 > 0 && mn_sys_DROP_CAP((uint64_t)c5) == 0);

    /* a thread in its own process */
    CHECK(70, mn_sys_DROP_CAP((uint64_t)c1) == 0 && mn_sys_DROP_CAP((uint64_t)c2) == 0);
    CHECK(71, mn_sys_DROP_CAP((uint64_t)c3) == 0 && mn_sys_DROP_CAP((uint64_t)c4) == 0);
    return 0;
}
