/*
 * Every implemented system call's success path and its errors (invalid
 * slot, wrong type, missing right, bad pointer, bad argument). The kernel
 * test gives this program: slot 1 IoPort 0x3F8+8 (READ|WRITE|GRANT|REVOKE),
 * slot 2 the same ports READ only, slot 3 an Endpoint (all rights), slot 4
 * the same Endpoint READ only, slot 5 its own Process (all rights).
 * Returns 0, or the number of the first check that failed.
 */
#include <mnos/caps.h>

#include "mn_syscall.h"

#define CHECK(n, cond) \
    do { \
        if (!(cond)) \
            return (n); \
    } while (0)

#define RW_G_R (MN_RIGHT_READ | MN_RIGHT_WRITE | MN_RIGHT_GRANT | MN_RIGHT_REVOKE)
#define SCRATCH 0x3FF /* the UART's scratch register: nothing else uses it */

static const char hello[] = "sys_basic: hello from Ring 3";

int64_t main(uint64_t arg)
{
    (void)arg;
    uint64_t out[3];
    /* unknown and unimplemented numbers */
    CHECK(1, mn_syscall6(200, 0, 0, 0, 0, 0, 0, 0) == MN_ERR_NO_SYSCALL);
    CHECK(2, mn_syscall6(~0ull, 0, 0, 0, 0, 0, 0, 0) == MN_ERR_NO_SYSCALL);
    CHECK(3, mn_sys_WAIT_IRQ(1) == MN_ERR_WRONG_TYPE);
    /* inspect */
    CHECK(10, mn_sys_INSPECT(1) == (int64_t)MN_INSPECT_MAKE(MN_CAP_IO_PORT, RW_G_R));
    CHECK(11, mn_sys_INSPECT(3) == (int64_t)MN_INSPECT_MAKE(MN_CAP_ENDPOINT, MN_RIGHTS_ALL));
    CHECK(12, mn_sys_INSPECT(0) == MN_ERR_INVALID_SLOT);
    CHECK(13, mn_sys_INSPECT(64) == MN_ERR_INVALID_SLOT);
    CHECK(14, mn_sys_INSPECT(20) == MN_ERR_INVALID_SLOT);
    CHECK(15, mn_sys_INSPECT(1ull << 40) == MN_ERR_INVALID_SLOT);
    /* port I/O */
    CHECK(20, mn_sys_PORT_OUT(1, SCRATCH, 0x5A, 1) == 0);
    CHECK(21, mn_sys_PORT_IN(1, SCRATCH, 1) == 0x5A);
    CHECK(22, mn_sys_PORT_OUT(1, SCRATCH, 0xA5, 1) == 0);
    CHECK(23, mn_sys_PORT_IN(2, SCRATCH, 1) == 0xA5);
    CHECK(24, mn_sys_PORT_OUT(2, SCRATCH, 0, 1) == MN_ERR_NO_RIGHTS);
    CHECK(25, mn_sys_PORT_IN(3, SCRATCH, 1) == MN_ERR_WRONG_TYPE);
    CHECK(26, mn_sys_PORT_IN(1, 0x400, 1) == MN_ERR_NO_RIGHTS);
    CHECK(27, mn_sys_PORT_IN(1, SCRATCH, 2) == MN_ERR_NO_RIGHTS);
    CHECK(28, mn_sys_PORT_IN(1, 0x3F8, 3) == MN_ERR_BAD_ARG);
    CHECK(29, mn_sys_PORT_IN(0, SCRATCH, 1) == MN_ERR_INVALID_SLOT);
    CHECK(30, mn_sys_PORT_IN(9, SCRATCH, 1) == MN_ERR_INVALID_SLOT);
    /* user pointers */
    CHECK(40, mn_debug(hello) == (int64_t)(sizeof hello - 1));
    CHECK(41, mn_sys_DEBUG_WRITE(0xFFFFFFFF80000000ull, 4) == MN_ERR_BAD_POINTER);
    CHECK(42, mn_sys_DEBUG_WRITE(0x1000, 4) == MN_ERR_BAD_POINTER);
    CHECK(43, mn_sys_DEBUG_WRITE(0x50000000, 4) == MN_ERR_BAD_POINTER);
    CHECK(44, mn_sys_DEBUG_WRITE(0x7FFFFFFFFFF0ull, 0x100) == MN_ERR_BAD_POINTER);
    CHECK(45, mn_sys_DEBUG_WRITE((uint64_t)(uintptr_t)hello, 1000) == MN_ERR_BAD_ARG);
    CHECK(46, mn_sys_DEBUG_WRITE((uint64_t)(uintptr_t)hello, 0) == 0);
    /* the stack's last bytes are fine, one past them is not */
    CHECK(47, mn_sys_DEBUG_WRITE(0x7FFFFFFFE000ull - 4, 4) == 4);
    CHECK(48, mn_sys_DEBUG_WRITE(0x7FFFFFFFE000ull - 4, 5) == MN_ERR_BAD_POINTER);
    /* endpoints without a partner, and rights */
    CHECK(50, mn_sys_SEND_NB(3, 1, 2, 3) == MN_ERR_WOULD_BLOCK);
    CHECK(51, mn_sys_RECV_NB(3, out) == MN_ERR_WOULD_BLOCK);
    CHECK(52, mn_sys_SEND(4, 1, 2, 3) == MN_ERR_NO_RIGHTS);
    CHECK(53, mn_sys_RECV_NB(4, out) == MN_ERR_WOULD_BLOCK);
    CHECK(54, mn_sys_SEND(1, 1, 2, 3) == MN_ERR_WRONG_TYPE);
    CHECK(55, mn_sys_RECV(0, out) == MN_ERR_INVALID_SLOT);
    /* copies: rights only shrink */
    CHECK(60, mn_sys_COPY_CAP(1, 6, MN_RIGHT_READ | MN_RIGHT_REVOKE) == 0);
    CHECK(61, mn_sys_INSPECT(6) == (int64_t)MN_INSPECT_MAKE(MN_CAP_IO_PORT, MN_RIGHT_READ | MN_RIGHT_REVOKE));
    CHECK(62, mn_sys_COPY_CAP(6, 7, MN_RIGHTS_ALL) == 0);
    CHECK(63, mn_sys_INSPECT(7) == (int64_t)MN_INSPECT_MAKE(MN_CAP_IO_PORT, MN_RIGHT_READ | MN_RIGHT_REVOKE));
    CHECK(64, mn_sys_PORT_OUT(6, SCRATCH, 1, 1) == MN_ERR_NO_RIGHTS);
    CHECK(65, mn_sys_PORT_IN(7, SCRATCH, 1) == 0xA5);
    CHECK(66, mn_sys_COPY_CAP(1, 6, MN_RIGHTS_ALL) == MN_ERR_SLOT_OCCUPIED);
    CHECK(67, mn_sys_COPY_CAP(1, 0, MN_RIGHTS_ALL) == MN_ERR_INVALID_SLOT);
    CHECK(68, mn_sys_COPY_CAP(1, 8, 0x100) == MN_ERR_BAD_ARG);
    CHECK(69, mn_sys_COPY_CAP(20, 8, MN_RIGHTS_ALL) == MN_ERR_INVALID_SLOT);
    /* revoke takes back the whole subtree; it needs REVOKE */
    CHECK(70, mn_sys_REVOKE(2) == MN_ERR_NO_RIGHTS);
    CHECK(71, mn_sys_REVOKE(6) == 0);
    CHECK(72, mn_sys_INSPECT(7) == MN_ERR_INVALID_SLOT);
    CHECK(73, mn_sys_INSPECT(6) == (int64_t)MN_INSPECT_MAKE(MN_CAP_IO_PORT, MN_RIGHT_READ | MN_RIGHT_REVOKE));
    CHECK(74, mn_sys_COPY_CAP(6, 7, MN_RIGHTS_ALL) == 0);
    CHECK(75, mn_sys_REVOKE(1) == 0);
    CHECK(76, mn_sys_INSPECT(6) == MN_ERR_INVALID_SLOT && mn_sys_INSPECT(7) == MN_ERR_INVALID_SLOT);
    CHECK(77, mn_sys_PORT_IN(1, SCRATCH, 1) == 0xA5);
    /* endpoint creation */
    CHECK(80, mn_sys_ENDPOINT_CREATE(8) == 0);
    CHECK(81, mn_sys_INSPECT(8) == (int64_t)MN_INSPECT_MAKE(MN_CAP_ENDPOINT, MN_RIGHTS_ALL));
    CHECK(82, mn_sys_ENDPOINT_CREATE(8) == MN_ERR_SLOT_OCCUPIED);
    CHECK(83, mn_sys_ENDPOINT_CREATE(0) == MN_ERR_INVALID_SLOT);
    CHECK(84, mn_sys_SEND_NB(8, 1, 2, 3) == MN_ERR_WOULD_BLOCK);
    CHECK(85, mn_sys_DROP_CAP(8) == 0);
    /* delegation (to itself, through its Process cap) */
    CHECK(90, mn_sys_DELEGATE(5, 1, 9, MN_RIGHT_READ) == 0);
    CHECK(91, mn_sys_INSPECT(9) == (int64_t)MN_INSPECT_MAKE(MN_CAP_IO_PORT, MN_RIGHT_READ));
    CHECK(92, mn_sys_DELEGATE(1, 1, 10, MN_RIGHT_READ) == MN_ERR_WRONG_TYPE);
    CHECK(93, mn_sys_DELEGATE(5, 4, 10, MN_RIGHT_READ) == MN_ERR_NO_RIGHTS);
    CHECK(94, mn_sys_DELEGATE(5, 1, 9, MN_RIGHT_READ) == MN_ERR_SLOT_OCCUPIED);
    CHECK(95, mn_sys_DELEGATE(5, 1, 1ull << 20, MN_RIGHT_READ) == MN_ERR_INVALID_SLOT);
    /* drop */
    CHECK(100, mn_sys_DROP_CAP(2) == 0);
    CHECK(101, mn_sys_INSPECT(2) == MN_ERR_INVALID_SLOT);
    CHECK(102, mn_sys_DROP_CAP(2) == MN_ERR_INVALID_SLOT);
    CHECK(103, mn_sys_DROP_CAP(0) == MN_ERR_INVALID_SLOT);
    CHECK(104, mn_sys_PORT_IN(2, SCRATCH, 1) == MN_ERR_INVALID_SLOT);
    /* move: the capability changes slots, keeping its rights and its place in the tree */
    CHECK(105,
          mn_sys_COPY_CAP(1, 11, MN_RIGHT_READ | MN_RIGHT_REVOKE) == 0 && mn_sys_COPY_CAP(11, 12, MN_RIGHT_READ) == 0);
    CHECK(106, mn_sys_MOVE_CAP(11, 300) == 0); /* slot 300: the CNode grows */
    CHECK(107, mn_sys_INSPECT(11) == MN_ERR_INVALID_SLOT &&
                   mn_sys_INSPECT(300) == (int64_t)MN_INSPECT_MAKE(MN_CAP_IO_PORT, MN_RIGHT_READ | MN_RIGHT_REVOKE));
    CHECK(108, mn_sys_MOVE_CAP(300, 12) == MN_ERR_SLOT_OCCUPIED && mn_sys_MOVE_CAP(11, 13) == MN_ERR_INVALID_SLOT);
    CHECK(109, mn_sys_REVOKE(300) == 0 && mn_sys_INSPECT(12) == MN_ERR_INVALID_SLOT); /* 12 was still its child */
    CHECK(111, mn_sys_DROP_CAP(300) == 0);
    /* badges: a badged copy of an unbadged endpoint cap with GRANT, set once */
    CHECK(112, mn_sys_BADGE_CAP(3, 14, 42) == 0 &&
                   mn_sys_INSPECT(14) == (int64_t)MN_INSPECT_MAKE(MN_CAP_ENDPOINT, MN_RIGHTS_ALL));
    CHECK(113, mn_sys_BADGE_CAP(14, 15, 43) == MN_ERR_BAD_ARG && mn_sys_BADGE_CAP(3, 15, 0) == MN_ERR_BAD_ARG);
    CHECK(114, mn_sys_BADGE_CAP(4, 15, 42) == MN_ERR_NO_RIGHTS && mn_sys_BADGE_CAP(1, 15, 42) == MN_ERR_WRONG_TYPE);
    CHECK(115, mn_sys_BADGE_CAP(3, 14, 42) == MN_ERR_SLOT_OCCUPIED && mn_sys_DROP_CAP(14) == 0);
    /* misc */
    CHECK(110, mn_sys_YIELD() == 0);
    /* idle time: a CPU halts while this thread sleeps, so the counter grows */
    int64_t idle = mn_sys_IDLE_TSC();
    CHECK(116, idle >= 0 && mn_sys_SLEEP(20000000) == 0 && mn_sys_IDLE_TSC() > idle);
    return 0;
}
