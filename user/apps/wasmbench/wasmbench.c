/*
 * wasmbench: the engine benchmarks inside MinimalOS (see wasmbench.h), a
 * libmnos program started by init with wasmbench=all (or =NAME,NAME) on
 * the kernel command line (user/init/hypervisor.c), holding a console, an
 * allocator and the initrd. `make bench` boots that under -icount and
 * compares its lines with wasmbench_linux's in the Linux reference guest.
 */
#include "libmnos.h"
#include "stdio.h"
#include "wasmbench.h"

static int read_initrd(const char *path, const void **data, size_t *size)
{
    return mn_initrd_read(path, data, size) == MN_ERR_OK ? 0 : -1;
}

static void print_line(const char *line)
{
    printf("%s", line);
}

int main(int argc, char **argv)
{
    const struct wb_env env = {"bench", ".in_os", read_initrd, print_line};
    return wb_main(&env, argc > 1 ? argv[1] : "all");
}
