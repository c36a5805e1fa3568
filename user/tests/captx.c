/*
 * Capability transfer over IPC and revocation across processes, between
 * two processes A (arg 0) and B (arg 1).
 *   A: slot 1 IoPort 0x3FF (the UART scratch register, every right),
 *      slot 2 endpoint "to B" (WRITE), slot 3 endpoint "to A" (READ),
 *      slot 4 Process B (WRITE: for DELEGATE).
 *   B: slot 1 endpoint "to B" (READ), slot 2 endpoint "to A" (WRITE).
 * Steps (B reports each result to A over "to A"; a non-zero label is B's
 * failed check):
 *   1. A sends its IoPort with READ|GRANT; B receives it into slot 10 with
 *      exactly those rights, reads the port, cannot write it.
 *   2. A sends an endpoint it created; B answers over that endpoint.
 *   3. A delegates the IoPort into B's slot 12 (READ) directly.
 *   4. A revokes its IoPort: B's slots 10 and 12 are empty now.
 *   5. A message with a cap that B receives with a plain RECV: no cap.
 *   6. Errors: no GRANT, a bad rights mask, an occupied receive slot.
 */
#include "utest.h"

#define SCRATCH 0x3FF

static int64_t a_side(void)
{
    uint64_t m[3];
    CHECK(1, mn_sys_PORT_OUT(1, SCRATCH, 0x3C, 1) == 0);
    /* 1 */
    CHECK(2, mn_sys_SEND_CAP(2, 1, 0, 1, MN_RIGHT_READ | MN_RIGHT_GRANT) == 0);
    CHECK(3, mn_sys_RECV(3, m) == 0 && m[0] == 0);
    /* 2 */
    CHECK(4, mn_sys_ENDPOINT_CREATE(20) == 0);
    CHECK(5, mn_sys_SEND_CAP(2, 2, 0, 20, MN_RIGHT_WRITE) == 0);
    CHECK(6, mn_sys_RECV(20, m) == 0 && m[0] == 0 && m[1] == 0xE2);
    /* 3 */
    CHECK(7, mn_sys_DELEGATE(4, 1, 12, MN_RIGHT_READ) == 0);
    CHECK(8, mn_sys_SEND(2, 3, 0, 0) == 0);
    CHECK(9, mn_sys_RECV(3, m) == 0 && m[0] == 0);
    /* 4: A's own capability stays */
    CHECK(10, mn_sys_REVOKE(1) == 0);
    CHECK(11, mn_sys_PORT_IN(1, SCRATCH, 1) == 0x3C);
    CHECK(12, mn_sys_SEND(2, 4, 0, 0) == 0);
    CHECK(13, mn_sys_RECV(3, m) == 0 && m[0] == 0);
    /* 5 */
    CHECK(14, mn_sys_SEND_CAP(2, 5, 7, 1, MN_RIGHTS_ALL) == 0);
    CHECK(15, mn_sys_RECV(3, m) == 0 && m[0] == 0);
    /* 6 */
    CHECK(16, mn_sys_COPY_CAP(1, 5, MN_RIGHT_READ) == 0);
    CHECK(17, mn_sys_SEND_CAP(2, 6, 0, 5, MN_RIGHTS_ALL) == MN_ERR_NO_RIGHTS);
    CHECK(18, mn_sys_SEND_CAP(2, 6, 0, 1, 0x100) == MN_ERR_BAD_ARG);
    CHECK(19, mn_sys_SEND_CAP(2, 6, 0, 30, MN_RIGHTS_ALL) == MN_ERR_INVALID_SLOT);
    CHECK(20, mn_sys_SEND_CAP(3, 6, 0, 1, MN_RIGHTS_ALL) == MN_ERR_NO_RIGHTS); /* READ-only endpoint */
    CHECK(21, mn_sys_SEND(2, 6, 0, 0) == 0);
    CHECK(22, mn_sys_RECV(3, m) == 0 && m[0] == 0);
    return 0;
}

/* B's steps; returns 0 or the failed check, which A sees as the label. */
static uint64_t b_step(uint64_t step)
{
    uint64_t m[3];
    switch (step) {
    case 1:
        if (mn_sys_RECV_CAP(1, 10, m) != 1 || m[0] != 1)
            return 101;
        if (m[2] != MN_INSPECT_MAKE(MN_CAP_IO_PORT, MN_RIGHT_READ | MN_RIGHT_GRANT) ||
            mn_sys_INSPECT(10) != INSPECT_OF(MN_CAP_IO_PORT, MN_RIGHT_READ | MN_RIGHT_GRANT))
            return 102;
        if (mn_sys_PORT_IN(10, SCRATCH, 1) != 0x3C || mn_sys_PORT_OUT(10, SCRATCH, 0, 1) != MN_ERR_NO_RIGHTS)
            return 103;
        return 0;
    case 2:
        if (mn_sys_RECV_CAP(1, 11, m) != 1 || m[0] != 2 || m[2] != MN_INSPECT_MAKE(MN_CAP_ENDPOINT, MN_RIGHT_WRITE))
            return 111;
        if (mn_sys_SEND(11, 0, 0xE2, 0) != 0)
            return 112;
        return 0;
    case 3:
        if (mn_sys_RECV(1, m) != 0 || m[0] != 3)
            return 121;
        if (mn_sys_INSPECT(12) != INSPECT_OF(MN_CAP_IO_PORT, MN_RIGHT_READ) || mn_sys_PORT_IN(12, SCRATCH, 1) != 0x3C)
            return 122;
        return 0;
    case 4:
        if (mn_sys_RECV(1, m) != 0 || m[0] != 4)
            return 131;
        if (mn_sys_INSPECT(10) != MN_ERR_INVALID_SLOT || mn_sys_INSPECT(12) != MN_ERR_INVALID_SLOT ||
            mn_sys_PORT_IN(10, SCRATCH, 1) != MN_ERR_INVALID_SLOT)
            return 132;
        if (mn_sys_INSPECT(11) != INSPECT_OF(MN_CAP_ENDPOINT, MN_RIGHT_WRITE)) /* not derived from the IoPort */
            return 133;
        return 0;
    case 5:
        if (mn_sys_RECV(1, m) != 0 || m[0] != 5 || m[1] != 7 || m[2] != 0 || mn_sys_INSPECT(13) != MN_ERR_INVALID_SLOT)
            return 141;
        return 0;
    case 6:
        if (mn_sys_RECV_CAP(1, 11, m) != MN_ERR_SLOT_OCCUPIED || mn_sys_RECV_CAP(1, 0, m) != MN_ERR_INVALID_SLOT)
            return 151;
        if (mn_sys_RECV_CAP(1, 14, m) != 0 || m[0] != 6 || mn_sys_INSPECT(14) != MN_ERR_INVALID_SLOT)
            return 152; /* a plain message: RAX 0, the slot stays empty */
        return 0;
    }
    return 199;
}

int64_t main(uint64_t arg)
{
    if (arg == 0)
        return a_side();
    for (uint64_t step = 1; step <= 6; step++) {
        uint64_t r = b_step(step);
        if (step != 2 && mn_sys_SEND(2, r, 0, 0) != 0)
            return 200 + (int64_t)step;
        if (r)
            return (int64_t)r;
    }
    return 0;
}
