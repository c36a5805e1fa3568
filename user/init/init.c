/*
 * init (PID 1): the root of all authority. The kernel starts it with the
 * initial capabilities (kernel/loader/init.h: allocator, COM1, itself,
 * COM1's IRQ line, the initrd, and in test mode the QEMU exit port) and
 * the kernel command line as arguments. It
 *   1. starts serial_drv with exactly the capabilities it needs (COM1's
 *      ports and IRQ line, the server ends of the two console endpoints, a
 *      budgeted allocator for its thread stacks) and moves its own console
 *      onto it;
 *   2. says "init ready";
 *   3. in test mode (utest=all or utest=NAME,NAME on the command line)
 *      runs the test programs of the initrd (tests.c) and ends the QEMU
 *      run with the verdict; otherwise it watches its services and reports
 *      when one dies (it restarts nothing yet).
 */
#include <mnos/console.h>

#include "blkdev.h"
#include "hypervisor.h"
#include "init.h"
#include "libmnos.h"
#include "stdio.h"
#include "stdlib.h"
#include "string.h"

extern size_t mn_heap_initial;

/* The roadmap's Ring 3 heap: 1000 pages (4 MiB) at MN_USER_HEAP_BASE to start, growing on demand. */
#define INIT_HEAP_INITIAL (4u << 20)
#define SERIAL_DRV_BUDGET 64 /* pages: its thread stacks */

struct init_state init;

/* A new endpoint in a fresh slot of init's own CNode, or 0. */
uint32_t init_endpoint(void)
{
    uint32_t slot = mn_slot_alloc();
    if (slot && mn_sys_ENDPOINT_CREATE(slot) != 0) {
        mn_slot_free(slot);
        return 0;
    }
    return slot;
}

/* A PmmAllocator with a budget of `pages`, drawing on init's, in a fresh slot; or 0. */
uint32_t init_allocator(uint64_t pages)
{
    uint32_t slot = mn_slot_alloc();
    if (slot && mn_sys_ALLOCATOR_CREATE(init.allocator, slot, pages) != 0) {
        mn_slot_free(slot);
        return 0;
    }
    return slot;
}

static int start_serial_drv(void)
{
    uint32_t com1 = mn_cap("com1"), irq = mn_cap("com1-irq");
    init.console_out = init_endpoint();
    init.console_in = init_endpoint();
    uint32_t budget = init_allocator(SERIAL_DRV_BUDGET);
    if (!com1 || !init.console_out || !init.console_in || !budget)
        return MN_ERR_INVALID_SLOT;
    struct mn_spawn_cap caps[] = {
        {com1, MN_RIGHT_READ | MN_RIGHT_WRITE, 0, "com1"},
        {init.console_out, MN_RIGHT_READ, 0, "console-srv"},
        {init.console_in, MN_RIGHT_READ, 0, "console-in-srv"},
        {budget, MN_RIGHT_READ | MN_RIGHT_WRITE, 0, MN_ROLE_ALLOCATOR},
        {irq, MN_RIGHT_READ | MN_RIGHT_WRITE, 0, "com1-irq"},
    };
    int ncaps = irq ? 5 : 4;
    int r = mn_spawn("bin/serial_drv", NULL, 0, caps, ncaps, MN_SPAWN_GIVE_SELF, &init.serial);
    mn_sys_DROP_CAP(budget); /* the driver's copy is what counts */
    mn_slot_free(budget);
    if (r != MN_ERR_OK)
        return r;
    mn_console_attach(init.console_out, init.console_in);
    return MN_ERR_OK;
}

/* blkbench=MODE: bin/blk bench MODE on the first block device (make bench reads its "bench:" lines). */
static void init_blk_bench(const char *mode)
{
    uint32_t ep = blkdev_client_cap(0), budget = init_allocator(2048);
    if (!ep || !budget) {
        printf("blkbench: no block device (or no memory)\n");
    } else {
        struct mn_spawn_cap caps[] = {
            {init.console_out, MN_RIGHT_WRITE, 0, MN_ROLE_CONSOLE},
            {budget, MN_RIGHT_READ | MN_RIGHT_WRITE, 0, MN_ROLE_ALLOCATOR},
            {ep, MN_RIGHT_WRITE, 0, "blk"},
        };
        const char *argv[] = {"bin/blk", "bench", mode};
        struct mn_child child;
        int64_t status = -1;
        int r = mn_spawn("bin/blk", argv, 3, caps, 3, MN_SPAWN_GIVE_SELF, &child);
        if (r == MN_ERR_OK) {
            mn_wait(&child, &status, NULL);
            mn_release(&child);
        }
        printf("blkbench: %s (%s, status %ld)\n", r == MN_ERR_OK && status == 0 ? "ok" : "failed", mn_error_name(r),
               (long)status);
    }
    printf("blkbench: done\n");
}

/* Without a test selection init has nothing more to do than notice when its service dies. */
static void watch_services(void)
{
    int64_t status;
    int reason;
    if (mn_wait(&init.serial, &status, &reason) == MN_ERR_OK) {
        mn_console_attach(0, 0); /* back to the kernel log */
        printf("init: serial_drv died (status %ld, reason %d); nothing restarts it yet\n", (long)status, reason);
    }
    for (;;)
        mn_sys_SLEEP(1000000000ull);
}

/* The value of `key=` among init's arguments (the kernel command line), or NULL. */
const char *init_arg(int argc, char **argv, const char *key)
{
    size_t n = strlen(key);
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], key, n) == 0 && argv[i][n] == '=')
            return argv[i] + n + 1;
    return NULL;
}

int main(int argc, char **argv)
{
    mn_heap_initial = INIT_HEAP_INITIAL;
    init.allocator = mn_cap(MN_ROLE_ALLOCATOR);
    size_t rd_size;
    if (!mn_initrd(&rd_size) || !init.allocator || !mn_self()) {
        printf("init: started without its initial capabilities (initrd %s, allocator %u)\n",
               mn_initrd(NULL) ? "mapped" : "missing", init.allocator);
        return 1;
    }
    void *heap_probe = malloc(16); /* maps the initial heap */
    free(heap_probe);
    int r = start_serial_drv();
    if (r != MN_ERR_OK)
        printf("init: cannot start serial_drv: %s (console stays on the kernel log)\n", mn_error_name(r));
    const struct mn_startup *st = mn_startup_info();
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    uint64_t since = (((uint64_t)hi << 32) | lo) - st->boot_tsc;
    printf("init: initrd %zu bytes; serial_drv runs\n", rd_size);
    printf("init ready (%lu TSC ticks since kernel entry)\n", (unsigned long)since);
    blkdev_start_all(init_arg(argc, argv, "blkdrv")); /* a virtio_blk driver per virtio-blk function */
    const char *blkbench = init_arg(argc, argv, "blkbench");
    if (blkbench)
        init_blk_bench(blkbench);
    hv_boot(argc, argv); /* the Wasm hypervisor: a greeting over the SFI bridge, then wasm= / wasmbench= */
    const char *tests = init_arg(argc, argv, "utest");
    if (tests)
        return init_run_tests(tests);
    watch_services();
    return 0;
}
