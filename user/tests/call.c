/*
 * CALL, REPLY, REPLY_RECV between processes. Slot 1 is the endpoint (the
 * client has WRITE, the server READ); mode 4's server also has slot 2, a
 * notification the kernel test signals as its "go" (waiting on it keeps
 * the reply right; receiving on an endpoint would give it up). arg selects
 * the part:
 *   0 client: ROUNDS calls, each answered by (label + 1, data0 + 1, ~data1)
 *   1 server: answers ROUNDS calls (RECV, then REPLY_RECV, then a last REPLY)
 *   2 server that takes a call and exits without replying
 *   3 client whose call must fail with MN_ERR_DEAD (its server went away)
 *   4 server that takes a call, waits for the go, then replies: the client
 *     was killed meanwhile, so the reply must report MN_ERR_DEAD
 *   5 client that calls and waits (to be killed)
 *   6 client and 7 server with a badged capability: the server must see
 *     the badge BADGE with every message (RECV and REPLY_RECV return it)
 * Returns 0, or the number of the failed check.
 */
#include "utest.h"

#define ROUNDS 500
#define BADGE 0xB0D6Eull

static int64_t client(void)
{
    uint64_t m[3];
    CHECK(1, mn_sys_REPLY(1, 2, 3) == MN_ERR_NOT_FOUND); /* no reply right */
    for (uint64_t i = 0; i < ROUNDS; i++) {
        CHECK(2, mn_sys_CALL(1, i, i * 3, i ^ 0x5A5A, m) == 0);
        CHECK(3, m[0] == i + 1 && m[1] == i * 3 + 1 && m[2] == ~(i ^ 0x5A5A));
    }
    CHECK(4, mn_sys_RECV(1, m) == MN_ERR_NO_RIGHTS); /* WRITE only */
    return 0;
}

static int64_t server(void)
{
    uint64_t m[3];
    CHECK(11, mn_sys_CALL(1, 0, 0, 0, m) == MN_ERR_NO_RIGHTS); /* READ only */
    CHECK(12, mn_sys_RECV(1, m) == 0 && m[0] == 0);
    for (uint64_t i = 1; i < ROUNDS; i++) {
        CHECK(13, mn_sys_REPLY_RECV(1, m[0] + 1, m[1] + 1, ~m[2], m) == 0);
        CHECK(14, m[0] == i && m[1] == i * 3 && m[2] == (i ^ 0x5A5A));
    }
    CHECK(15, mn_sys_REPLY(m[0] + 1, m[1] + 1, ~m[2]) == 0);
    CHECK(16, mn_sys_REPLY(1, 2, 3) == MN_ERR_NOT_FOUND); /* used up */
    return 0;
}

int64_t main(uint64_t arg)
{
    uint64_t m[3];
    switch (arg) {
    case 0: return client();
    case 1: return server();
    case 2: CHECK(21, mn_sys_RECV(1, m) == 0 && m[0] == 77); return 0;
    case 3: CHECK(31, mn_sys_CALL(1, 77, 0, 0, m) == MN_ERR_DEAD); return 0;
    case 4:
        CHECK(41, mn_sys_RECV(1, m) == 0 && m[0] == 99);
        CHECK(42, mn_sys_NOTIFY_WAIT(2) == 1); /* the go: the client is dead by now */
        CHECK(43, mn_sys_REPLY(1, 2, 3) == MN_ERR_DEAD);
        return 0;
    case 5: mn_sys_CALL(1, 99, 0, 0, m); return 51; /* never: it is killed while waiting */
    case 6:
        for (uint64_t i = 0; i < 3; i++)
            CHECK(61, mn_sys_CALL(1, i, 0, 0, m) == 0 && m[0] == i + 100);
        return 0;
    case 7: {
        int64_t r = mn_sys_RECV(1, m);
        CHECK(71, r == (int64_t)BADGE && m[0] == 0);
        for (uint64_t i = 1; i < 3; i++)
            CHECK(72, mn_sys_REPLY_RECV(1, m[0] + 100, 0, 0, m) == (int64_t)BADGE && m[0] == i);
        CHECK(73, mn_sys_REPLY(m[0] + 100, 0, 0) == 0);
        return 0;
    }
    }
    return 100;
}
