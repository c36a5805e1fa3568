/*
 * lbench: the Linux reference guest's benchmark program (runs as /init in a
 * Debian cloud kernel under the same QEMU settings as MinimalOS). Under
 * `-icount shift=0,sleep=off` RDTSC counts retired guest instructions, so
 * each figure is an instruction count, comparable with MinimalOS's own.
 * It prints "lbench: <name> <value> insns" lines and ends QEMU through
 * isa-debug-exit. `lbench exit` just exits (the program posix_spawn runs).
 * With `lbench=blk` on the kernel command line it measures the virtio-blk
 * disk /dev/vda instead (wall time, plain TCG: MiB/s and IOPS); with
 * `lbench=blkinsns` (under -icount) the instructions per 4 KiB read.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <sched.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/io.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
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

/* Block-device figures: /dev/vda (a 64 MiB raw image that bench.py fills with a pattern), O_DIRECT, one process. */
#define BLK_SEQ_BYTES (32u << 20) /* per sequential figure */
#define BLK_QD1_READS 2000
#define BLK_QD32_READS 4000
#define BLK_QD 32
#define BLK_PATTERN 0x5354414D50000000ull /* word i of sector L is ((L << 6) | i) ^ BLK_PATTERN */

/* The value of lbench=... on the kernel command line, or "". */
static const char *cmdline_mode(void)
{
    static char buf[4096];
    int fd = open("/proc/cmdline", O_RDONLY);
    if (fd < 0)
        return "";
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    for (char *t = strtok(buf, " \n"); t; t = strtok(NULL, " \n")) {
        if (strncmp(t, "lbench=", 7) == 0)
            return t + 7;
    }
    return "";
}

/* virtio_blk and its transport, when they are modules: linux-ref.sh lists them in load order. */
static void blk_load_modules(void)
{
    FILE *f = fopen("/lib/modules/blk.order", "r");
    char path[256];
    if (!f)
        return;
    while (fgets(path, sizeof path, f)) {
        path[strcspn(path, "\n")] = 0;
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            printf("lbench: blk: cannot open %s: %s\n", path, strerror(errno));
            continue;
        }
        if (syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST)
            printf("lbench: blk: cannot load %s: %s\n", path, strerror(errno));
        close(fd);
    }
    fclose(f);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t blk_rand(void)
{
    static uint64_t x = 0x9e3779b97f4a7c15ull;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
}

/* Does buf (nsect sectors read from sector lba) hold the image's pattern? */
static int blk_check(const char *buf, uint64_t lba, unsigned nsect)
{
    const uint64_t *w = (const uint64_t *)buf;
    for (uint64_t l = 0; l < nsect; l++) {
        for (uint64_t i = 0; i < 64; i++) {
            if (w[l * 64 + i] != (((lba + l) << 6 | i) ^ BLK_PATTERN))
                return 0;
        }
    }
    return 1;
}

/* One request of req bytes at a time over BLK_SEQ_BYTES from offset 0. */
static void blk_seq(int fd, char *buf, size_t req, int wr, const char *name)
{
    unsigned n = BLK_SEQ_BYTES / req;
    double t = now_s();
    for (unsigned i = 0; i < n; i++) {
        ssize_t r = wr ? pwrite(fd, buf, req, (off_t)i * req) : pread(fd, buf, req, (off_t)i * req);
        if (r != (ssize_t)req) {
            printf("lbench: blk: %s: request %u failed (%zd, %s)\n", name, i, r, strerror(errno));
            return;
        }
    }
    printf("lbench: blk.%s %.1f MiB/s\n", name, BLK_SEQ_BYTES / 1048576.0 / (now_s() - t));
}

static void blk_qd1(int fd, char *buf, uint64_t blocks)
{
    double t = now_s();
    for (int i = 0; i < BLK_QD1_READS; i++) {
        if (pread(fd, buf, 4096, (off_t)(blk_rand() % blocks) * 4096) != 4096) {
            printf("lbench: blk: random read %d failed: %s\n", i, strerror(errno));
            return;
        }
    }
    printf("lbench: blk.rand_read_iops.qd1 %.0f iops\n", BLK_QD1_READS / (now_s() - t));
}

/* Submits all n iocbs (io_submit may take fewer at a time); 0 or -1. */
static int blk_submit(aio_context_t ctx, long n, struct iocb **cbp)
{
    while (n > 0) {
        long k = syscall(SYS_io_submit, ctx, n, cbp);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        n -= k;
        cbp += k;
    }
    return 0;
}

/* Linux AIO through the raw system calls, BLK_QD reads in flight until BLK_QD32_READS have completed. */
static void blk_qd32(int fd, char *bufs, uint64_t blocks)
{
    aio_context_t ctx = 0;
    struct iocb cb[BLK_QD], *cbp[BLK_QD];
    struct io_event ev[BLK_QD];
    if (syscall(SYS_io_setup, BLK_QD, &ctx) != 0) {
        printf("lbench: blk: io_setup: %s\n", strerror(errno));
        return;
    }
    memset(cb, 0, sizeof cb);
    for (int i = 0; i < BLK_QD; i++) {
        cb[i].aio_data = i;
        cb[i].aio_lio_opcode = IOCB_CMD_PREAD;
        cb[i].aio_fildes = fd;
        cb[i].aio_buf = (uintptr_t)(bufs + i * 4096);
        cb[i].aio_nbytes = 4096;
        cb[i].aio_offset = (blk_rand() % blocks) * 4096;
        cbp[i] = &cb[i];
    }
    int submitted = BLK_QD, done = 0;
    double t = now_s();
    if (blk_submit(ctx, BLK_QD, cbp) != 0)
        goto fail;
    while (done < BLK_QD32_READS) {
        long n = syscall(SYS_io_getevents, ctx, 1, BLK_QD, ev, NULL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            goto fail;
        long k = 0;
        for (long j = 0; j < n; j++) {
            if (ev[j].res != 4096) {
                errno = ev[j].res < 0 ? -ev[j].res : EIO;
                goto fail;
            }
            done++;
            if (submitted < BLK_QD32_READS) {
                struct iocb *c = &cb[ev[j].data];
                c->aio_offset = (blk_rand() % blocks) * 4096;
                cbp[k++] = c;
                submitted++;
            }
        }
        if (k && blk_submit(ctx, k, cbp) != 0)
            goto fail;
    }
    printf("lbench: blk.rand_read_iops.qd32 %.0f iops\n", BLK_QD32_READS / (now_s() - t));
    syscall(SYS_io_destroy, ctx);
    return;
fail:
    printf("lbench: blk: queue-depth-32 reads failed after %d: %s\n", done, strerror(errno));
    syscall(SYS_io_destroy, ctx);
}

/*
 * The CPUs' halted time so far in ns (idle_sleeptime + iowait_sleeptime in /proc/timer_list), or UINT64_MAX.
 * Under -icount RDTSC is QEMU's virtual clock, one tick per instruction while the CPU runs; but a CPU that halts
 * with sleep=off makes that clock jump to the next timer deadline (up to a tick, 4 ms here). A read that finds
 * its completion pending runs straight through (about 20,000 instructions); one whose task sleeps first also
 * counts the jump, so blk_insns subtracts the halted time, which the kernel clocks with the TSC (1 GHz here:
 * 1 ns = 1 tick).
 */
static uint64_t halted_ns(void)
{
    static char tl[256 << 10];
    ssize_t n = 0, k;
    int fd = open("/proc/timer_list", O_RDONLY);
    if (fd < 0)
        return UINT64_MAX;
    while (n < (ssize_t)sizeof tl - 1 && (k = read(fd, tl + n, sizeof tl - 1 - n)) > 0)
        n += k;
    close(fd);
    tl[n] = 0;
    uint64_t sum = 0;
    int found = 0;
    for (char *p = tl; (p = strstr(p, "sleeptime")) != NULL; p++) {
        char *c = strchr(p, ':');
        if (c) {
            sum += strtoull(c + 1, NULL, 10);
            found = 1;
        }
    }
    return found ? sum : UINT64_MAX;
}

/* Instructions per 4 KiB O_DIRECT pread (under -icount), median of RUNS after a warm-up, halted time excluded. */
static void blk_insns(int fd, char *buf, uint64_t blocks)
{
    uint64_t v[RUNS], raw[RUNS];
    int slept = 0, exact = 1;
    for (int i = 0; i < 4; i++) {
        if (pread(fd, buf, 4096, (off_t)(blk_rand() % blocks) * 4096) != 4096)
            break;
    }
    for (int i = 0; i < RUNS; i++) {
        off_t off = (off_t)(blk_rand() % blocks) * 4096;
        uint64_t h = halted_ns();
        uint64_t t = rdtsc();
        if (pread(fd, buf, 4096, off) != 4096) {
            printf("lbench: blk: read failed: %s\n", strerror(errno));
            return;
        }
        raw[i] = v[i] = rdtsc() - t;
        uint64_t h1 = halted_ns();
        if (h == UINT64_MAX || h1 == UINT64_MAX || h1 - h > v[i]) {
            exact = 0;
        } else {
            v[i] -= h1 - h;
            slept += h1 - h > 100000;
        }
    }
    if (!exact) {
        printf("lbench: blk: no halted time from /proc/timer_list: read_4k_insns includes it\n");
        memcpy(v, raw, sizeof v);
    }
    printf("lbench: blk: 4 KiB reads: %d of %d slept; median %llu ticks with the halted time\n", slept, RUNS,
           (unsigned long long)median(raw, RUNS));
    report("blk.read_4k_insns", median(v, RUNS));
}

static void bench_blk(int insns)
{
    char *buf, *bufs;
    int fd = -1;
    blk_load_modules();
    for (int i = 0; i < 500 && fd < 0; i++) { /* the disk's node appears once the driver has probed it */
        fd = open("/dev/vda", O_RDWR | O_DIRECT);
        if (fd < 0)
            usleep(10000);
    }
    if (fd < 0) {
        printf("lbench: blk: no /dev/vda: %s\n", strerror(errno));
        return;
    }
    off_t size = lseek(fd, 0, SEEK_END);
    if (size < (off_t)BLK_SEQ_BYTES || posix_memalign((void **)&buf, 4096, 1u << 20) ||
        posix_memalign((void **)&bufs, 4096, BLK_QD * 4096)) {
        printf("lbench: blk: /dev/vda is %lld bytes (at least %u needed) or no memory\n", (long long)size,
               BLK_SEQ_BYTES);
        return;
    }
    uint64_t blocks = size / 4096;
    if (pread(fd, buf, 4096, 0) != 4096 || !blk_check(buf, 0, 8) || pread(fd, buf, 4096, size - 4096) != 4096 ||
        !blk_check(buf, size / 512 - 8, 8))
        printf("lbench: blk: /dev/vda does not hold the expected pattern\n");
    if (insns) {
        blk_insns(fd, buf, blocks);
    } else {
        blk_seq(fd, buf, 1u << 20, 0, "seq_read_mibs");
        blk_seq(fd, buf, 64u << 10, 0, "seq_read_mibs.64k");
        blk_seq(fd, buf, 1u << 20, 1, "seq_write_mibs");
        blk_seq(fd, buf, 64u << 10, 1, "seq_write_mibs.64k");
        blk_qd1(fd, buf, blocks);
        blk_qd32(fd, bufs, blocks);
    }
    fflush(stdout);
    close(fd);
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
    const char *mode = cmdline_mode();
    if (strcmp(mode, "blk") == 0 || strcmp(mode, "blkinsns") == 0) {
        bench_blk(strcmp(mode, "blkinsns") == 0);
    } else {
        bench_getpid();
        bench_pipe();
        bench_yield();
        bench_fork();
        bench_spawn(argv[0][0] == '/' ? argv[0] : "/init");
        bench_wasm();
    }
    printf("lbench: done\n");
    fflush(stdout);
    tcdrain(1); /* the UART has sent it all before QEMU exits (bench.py waits for "lbench: done") */
    if (ioperm(0xf4, 4, 1) == 0)
        outl(0x10, 0xf4); /* isa-debug-exit: QEMU exits with status 33 */
    for (;;)
        pause();
}
