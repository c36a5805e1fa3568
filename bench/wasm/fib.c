/* fib.c - recursive Fibonacci: call-heavy. */
#include "bench.h"

static unsigned fib(unsigned n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

unsigned bench_run(void)
{
    return fib(35 + bench_one);
}
