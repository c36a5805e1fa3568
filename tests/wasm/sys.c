/* sys.c - WASI test: environment, clocks, random bytes, malloc, a missing
 * preopen, and exit through exit(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

int main(void)
{
    const char *v = getenv("MNWASM_TEST");
    struct timespec t0, t1;
    unsigned char rnd[16];
    int nonzero = 0, fd;
    printf("env=%s\n", v ? v : "(unset)");
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("clock_monotonic_ok=%d\n", (t1.tv_sec > t0.tv_sec) || (t1.tv_sec == t0.tv_sec && t1.tv_nsec >= t0.tv_nsec));
    printf("realtime_after_2020=%d\n", time(NULL) > 1577836800);
    if (getentropy(rnd, sizeof rnd) == 0)
        for (unsigned i = 0; i < sizeof rnd; i++)
            nonzero += rnd[i] != 0;
    printf("random_ok=%d\n", nonzero > 4);
    char *p = malloc(1 << 20);
    memset(p, 7, 1 << 20);
    printf("malloc_ok=%d\n", p[12345] == 7);
    fd = open("/etc/passwd", O_RDONLY);
    printf("open_fails=%d\n", fd < 0);
    fflush(stdout);
    exit(7);
}
