/*
 * wasmbench_linux: the Linux twin of wasmbench (see wasmbench.h), a static
 * glibc program for the Linux reference guest of `make bench`: the same
 * engine sources, built with the same code-generation flags as Ring 3
 * (-O2 -ffreestanding -fno-pie -fno-math-errno -fstack-protector-strong),
 * the host platform port (tests/host/wasm/platform_host.c), and the same
 * .wasm files, read from the initramfs (wasm/...). Prints "lbench:" lines,
 * which tools/bench/bench.py turns into linux.wasm.NAME figures.
 *
 *   wasmbench_linux [all | NAME,NAME]     (the working directory holds wasm/)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasmbench.h"

static int read_file(const char *path, const void **data, size_t *size)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    void *p = malloc((size_t)st.st_size + 1);
    ssize_t n = p ? read(fd, p, (size_t)st.st_size) : -1;
    close(fd);
    if (n != st.st_size) {
        free(p);
        return -1;
    }
    *data = p; /* kept for the run: the program is short-lived */
    *size = (size_t)n;
    return 0;
}

static void print_line(const char *line)
{
    fputs(line, stdout);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    const struct wb_env env = {"lbench", "", read_file, print_line};
    return wb_main(&env, argc > 1 ? argv[1] : "all");
}
