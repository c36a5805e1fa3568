/*
 * ipc.call_reply.*: arg 0 is the client, which times SAMPLES CALLs on slot
 * 1 (each a full round trip: request, server, reply) and exits with the
 * median; arg 1 is the server, answering with REPLY_RECV until it is
 * killed. The first calls warm up (page tables, caches) and are not counted.
 */
#include "bench.h"
#include "mn_syscall.h"

#define WARMUP 20
#define SAMPLES 201

int64_t main(uint64_t arg)
{
    uint64_t m[3];
    if (arg == 1) {
        if (mn_sys_RECV(1, m) != 0)
            return -1;
        for (;;)
            if (mn_sys_REPLY_RECV(1, m[0] + 1, m[1], m[2], m) != 0)
                return -2;
    }
    static uint64_t t[SAMPLES];
    for (int i = 0; i < WARMUP; i++)
        if (mn_sys_CALL(1, (uint64_t)i, 0, 0, m) != 0)
            return -3;
    for (int i = 0; i < SAMPLES; i++) {
        uint64_t a = bench_rdtsc();
        int64_t r = mn_sys_CALL(1, (uint64_t)i, 0, 0, m);
        t[i] = bench_rdtsc() - a;
        if (r != 0 || m[0] != (uint64_t)i + 1)
            return -4;
    }
    return (int64_t)bench_median(t, SAMPLES);
}
