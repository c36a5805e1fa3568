/*
 * IPC between processes. arg 0: the client, which sends ROUNDS messages on
 * slot 1 and expects each answer on slot 2; arg 1: the server, which
 * answers each message (label + 1, data0 + 1, data1) and checks FIFO order;
 * arg 2: a waiter that receives once on slot 1 and exits with the label
 * (or the error, e.g. MN_ERR_DEAD when the endpoint is destroyed); arg >= 100:
 * a sender that sends label arg once on slot 1 and exits with the result.
 */
#include "mn_syscall.h"

#define ROUNDS 200

int64_t main(uint64_t arg)
{
    uint64_t m[3];
    if (arg == 0) {
        for (uint64_t i = 0; i < ROUNDS; i++) {
            if (mn_sys_SEND(1, i, i * 2, ~i) != 0)
                return 1;
            if (mn_sys_RECV(2, m) != 0)
                return 2;
            if (m[0] != i + 1 || m[1] != i * 2 + 1 || m[2] != ~i)
                return 3;
        }
        return 0;
    }
    if (arg == 1) {
        for (uint64_t i = 0; i < ROUNDS; i++) {
            if (mn_sys_RECV(1, m) != 0)
                return 11;
            if (m[0] != i)
                return 12;
            if (mn_sys_SEND(2, m[0] + 1, m[1] + 1, m[2]) != 0)
                return 13;
        }
        return 0;
    }
    if (arg >= 100)
        return mn_sys_SEND(1, arg, 0, 0);
    int64_t r = mn_sys_RECV(1, m);
    return r == 0 ? (int64_t)m[0] : r;
}
