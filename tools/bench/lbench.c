/*
 * lbench: the Linux reference guest's benchmark program (runs as /init in a
 * Debian cloud kernel under the same QEMU settings as MinimalOS). Under
 * `-icount shift=0,sleep=off` RDTSC counts retired guest instructions, so
 * each figure is an instruction count, comparable with MinimalOS's own.
 * It prints "lbench: <name> <value> insns" lines and ends QEMU through
 * isa-debug-exit. `lbench exit` just exits (the program posix_spawn runs).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define RUNS 31

extern char **environ;

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, int n)
{
    qsort(v, n, sizeof *v, cmp_u64);
    return v[n / 2];
}

static void report(const char *name, uint64_t v)
{
    printf("lbench: %s %llu insns\n", name, (unsigned long long)v);
    fflush(stdout);
}

static void bench_getpid(void)
{
    uint64_t v[RUNS];
    for (int i = 0; i < RUNS; i++) {
        uint64_t t = rdtsc();
        syscall(SYS_getpid);
        v[i] = rdtsc() - t;
    }
    report("getpid", median(v, RUNS));
}

/* One-byte ping-pong between two processes over two pipes, per round trip. */
static void bench_pipe(void)
{
    int a[2], b[2];
    char c = 0;
    if (pipe(a) || pipe(b))
        return;
    pid_t pid = fork();
    if (pid == 0) {
        for (int i = 0; i < RUNS + 1; i++) {
            if (read(a[0], &c, 1) != 1 || write(b[1], &c, 1) != 1)
                _exit(1);
        }
        _exit(0);
    }
    uint64_t v[RUNS];
    for (int i = 0; i < RUNS + 1; i++) {
        uint64_t t = rdtsc();
        if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1)
            break;
        if (i > 0)
            v[i - 1] = rdtsc() - t; /* the first round warms up */
    }
    waitpid(pid, NULL, 0);
    report("pipe_roundtrip", median(v, RUNS));
}

/* sched_yield between two processes pinned to one CPU: per yield round. */
static void bench_yield(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        for (int i = 0; i < 4 * RUNS; i++)
            sched_yield();
        _exit(0);
    }
    uint64_t v[RUNS];
    for (int i = 0; i < RUNS; i++) {
        uint64_t t = rdtsc();
        sched_yield();
        v[i] = rdtsc() - t;
    }
    waitpid(pid, NULL, 0);
    report("sched_yield_round", median(v, RUNS));
}

static void bench_fork(void)
{
    uint64_t v[RUNS];
    for (int i = 0; i < RUNS; i++) {
        uint64_t t = rdtsc();
        pid_t pid = fork();
        if (pid == 0)
            _exit(0);
        waitpid(pid, NULL, 0);
        v[i] = rdtsc() - t;
    }
    report("fork_exit_wait", median(v, RUNS));
}

static void bench_spawn(const char *self)
{
    uint64_t v[RUNS];
    char *argv[] = {(char *)self, "exit", NULL};
    for (int i = 0; i < RUNS; i++) {
        pid_t pid;
        uint64_t t = rdtsc();
        if (posix_spawn(&pid, self, NULL, NULL, argv, environ) != 0)
            return;
        waitpid(pid, NULL, 0);
        v[i] = rdtsc() - t;
    }
    report("spawn_exit_wait", median(v, RUNS));
}

/* The Wasm engine's benchmarks, run by the same engine built for Linux (linux-ref.sh), when it is in the image. */
static void bench_wasm(void)
{
    char *argv[] = {"/wasmbench_linux", "all", NULL};
    pid_t pid;
    if (access(argv[0], X_OK) != 0 || chdir("/") != 0)
        return;
    fflush(stdout);
    if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) == 0)
        waitpid(pid, NULL, 0);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "exit") == 0)
        return 0;
    /* As PID 1 from an initramfs there is no console yet: make one. */
    mkdir("/dev", 0755);
    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
    mkdir("/proc", 0755);
    mount("proc", "/proc", "proc", 0, NULL);
    int fd = open("/dev/ttyS0", O_RDWR);
    if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
    }
    printf("lbench: init running\n");
    fflush(stdout);
    bench_getpid();
    bench_pipe();
    bench_yield();
    bench_fork();
    bench_spawn(argv[0][0] == '/' ? argv[0] : "/init");
    bench_wasm();
    printf("lbench: done\n");
    fflush(stdout);
    if (ioperm(0xf4, 4, 1) == 0)
        outl(0x10, 0xf4); /* isa-debug-exit: QEMU exits with status 33 */
    for (;;)
        pause();
}
