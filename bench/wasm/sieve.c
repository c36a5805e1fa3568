/* sieve.c - sieve of Eratosthenes over 4M numbers, repeated: loads, stores, branches. */
#include "bench.h"

#define N (4u << 20)
static uint8_t composite[N];

unsigned bench_run(void)
{
    unsigned count = 0;
    for (unsigned rep = 0; rep < 6 * bench_one; rep++) {
        for (unsigned i = 0; i < N; i++)
            composite[i] = 0;
        count = 0;
        for (unsigned i = 2; i < N; i++) {
            if (composite[i])
                continue;
            count++;
            for (unsigned j = i * 2; j < N; j += i)
                composite[j] = 1;
        }
    }
    return count;
}
