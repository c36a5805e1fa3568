/* bench.h - shared by the Wasm benchmarks: each program defines
 * `unsigned bench_run(void)` returning a checksum.  Built for wasm32
 * (clang -nostdlib, exported as "run") or natively with a timing main. */
#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>

/* A value the compiler cannot see, so that no work is folded away. */
static volatile uint32_t bench_one = 1;

unsigned bench_run(void);

#ifdef __wasm__
/* clang may turn loops into memset/memcpy calls: provide them */
void *memset(void *d, int c, unsigned long n)
{
    volatile unsigned char *p = d;
    while (n--)
        *p++ = (unsigned char)c;
    return d;
}
void *memcpy(void *d, const void *s, unsigned long n)
{
    volatile unsigned char *p = d;
    const unsigned char *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}
__attribute__((export_name("run"))) unsigned run(void)
{
    return bench_run();
}
#else
#include <stdio.h>
#include <time.h>
int main(void)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    unsigned r = bench_run();
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%d\n%.6f\n", (int)r, (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) * 1e-9);
    return 0;
}
#endif

#endif
