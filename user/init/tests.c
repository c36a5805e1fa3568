/*
 * init's test mode: the libmnos test programs of the initrd (test/NAME,
 * from user/utests), each started with the capabilities its entry below
 * gives it and nothing else, waited for, and judged by its exit status
 * (0 = passed). Results go to the console (serial_drv):
 *     utest: PASS NAME
 *     utest: FAIL NAME: status S, reason R
 *     utest: done: N passed, M failed
 * and the QEMU run ends through the debug-exit port (status 33 all passed,
 * 35 otherwise), which the kernel gives init only in test mode.
 */
#include <mnos/console.h>

#include "blkdev.h"
#include "hypervisor.h"
#include "init.h"
#include "stdio.h"
#include "string.h"

#define DEBUG_EXIT_PORT 0xF4
#define QEMU_PASS 0x10
#define QEMU_FAIL 0x11

struct caps {
    struct mn_spawn_cap list[16];
    int n;
    uint32_t made[16]; /* slots init created for this test, dropped afterwards */
    int nmade;
};

static void give(struct caps *c, uint32_t slot, uint8_t rights, uint32_t child_slot, const char *role)
{
    c->list[c->n++] = (struct mn_spawn_cap){slot, rights, child_slot, role};
}

static void made(struct caps *c, uint32_t slot)
{
    c->made[c->nmade++] = slot;
}

/* What every test gets: the console (write side only) and a budgeted allocator. */
static bool standard(struct caps *c, uint64_t pages)
{
    uint32_t a = init_allocator(pages);
    if (!a)
        return false;
    made(c, a);
    give(c, init.console_out, MN_RIGHT_WRITE, 0, MN_ROLE_CONSOLE);
    give(c, a, MN_RIGHT_READ | MN_RIGHT_WRITE, 0, MN_ROLE_ALLOCATOR);
    return true;
}

static bool setup_small(struct caps *c)
{
    return standard(c, 256);
}

static bool setup_malloc(struct caps *c)
{
    return standard(c, 16384); /* 64 MiB */
}

/* Exactly these, in these slots, with these rights: user/utests/delegation.c checks each. */
static bool setup_delegation(struct caps *c)
{
    uint32_t a = init_allocator(16), n = mn_slot_alloc(), ep = init_endpoint();
    if (!a || !n || !ep || mn_sys_NOTIFICATION_CREATE(n) != 0)
        return false;
    made(c, a);
    made(c, n);
    made(c, ep);
    give(c, init.console_out, MN_RIGHT_WRITE, 1, MN_ROLE_CONSOLE);
    give(c, a, MN_RIGHT_READ, 2, "alloc-ro");
    give(c, mn_cap("com1"), MN_RIGHT_READ, 3, "com1-ro");
    give(c, n, MN_RIGHTS_ALL, 4, "port"); /* a Notification where a program might expect a port */
    give(c, ep, MN_RIGHT_WRITE, 5, "ep-wo");
    return true;
}

static bool setup_echo(struct caps *c)
{
    if (!standard(c, 64))
        return false;
    give(c, init.console_in, MN_RIGHT_WRITE, 0, MN_ROLE_CONSOLE_IN);
    return true;
}

static bool setup_leaks(struct caps *c)
{
    if (!standard(c, 1024))
        return false;
    give(c, mn_cap("initrd"), MN_RIGHT_READ, 0, "initrd");
    return true;
}

/* The Wasm tests: they start bin/wasmrun children with the initrd and allocators drawn on this budget. */
static bool setup_wasm(struct caps *c)
{
    if (!standard(c, 16384)) /* 64 MiB */
        return false;
    give(c, mn_cap("initrd"), MN_RIGHT_READ | MN_RIGHT_GRANT, 0, "initrd");
    return true;
}

/* The block tests: badged copies of the first block device's endpoint (none: the test is skipped, said so). */
static bool give_blk(struct caps *c, const char *role)
{
    uint32_t ep = blkdev_client_cap(0);
    if (!ep)
        return false;
    made(c, ep);
    give(c, ep, MN_RIGHT_WRITE, 0, role);
    return true;
}

static bool setup_blk(struct caps *c)
{
    return standard(c, 1024) && give_blk(c, "blk") && give_blk(c, "blk2");
}

static bool setup_blk_leak(struct caps *c)
{
    return standard(c, 256) && give_blk(c, "blk");
}

/* The driver's Process capability, for this test only: it kills the driver mid-request. */
static bool setup_blk_kill(struct caps *c)
{
    if (!standard(c, 1024) || !give_blk(c, "blk"))
        return false;
    give(c, blkdevs[0].child.process, MN_RIGHT_WRITE, 0, "victim");
    return true;
}

/* lspci: every PciDevice init holds, READ only (no BARs, no IRQs), under the kernel's names. */
static bool setup_lspci(struct caps *c)
{
    if (!standard(c, 64))
        return false;
    const struct mn_startup *st = mn_startup_info();
    for (uint32_t i = 0; i < st->ncaps && c->n < 16; i++)
        if (st->caps[i].type == MN_CAP_PCI_DEVICE)
            give(c, st->caps[i].slot, MN_RIGHT_READ, 0, st->caps[i].name);
    return true;
}

enum { PLAIN, NEEDS_BLK = 1, COUNT_FRAMES = 2, NEEDS_PCI = 4 };

static bool have_pci(void)
{
    const struct mn_startup *st = mn_startup_info();
    for (uint32_t i = 0; i < st->ncaps; i++)
        if (st->caps[i].type == MN_CAP_PCI_DEVICE)
            return true;
    return false;
}

static const struct utest {
    const char *name;
    bool (*setup)(struct caps *c);
    unsigned flags;
    const char *program; /* NULL: test/NAME */
    const char *arg; /* its argument (NULL: none) */
    int expect_reason; /* MN_EXIT_NORMAL with status 0, or MN_EXIT_FAULT (killed by an exception) */
} tests[] = {
    {"hello", setup_small, PLAIN, NULL, NULL, MN_EXIT_NORMAL},
    {"memory", setup_small, PLAIN, NULL, NULL, MN_EXIT_NORMAL},
    {"malloc", setup_malloc, PLAIN, NULL, NULL, MN_EXIT_NORMAL},
    {"delegation", setup_delegation, PLAIN, NULL, NULL, MN_EXIT_NORMAL},
    {"lspci", setup_lspci, NEEDS_PCI, "bin/lspci", NULL, MN_EXIT_NORMAL},
    {"echo", setup_echo, PLAIN, NULL, NULL, MN_EXIT_NORMAL},
    {"leaks", setup_leaks, PLAIN, NULL, NULL, MN_EXIT_NORMAL},
    {"blk", setup_blk, NEEDS_BLK, NULL, NULL, MN_EXIT_NORMAL},
    {"blk_leak", setup_blk_leak, NEEDS_BLK | COUNT_FRAMES, NULL, NULL, MN_EXIT_NORMAL},
    {"blk_nocaps", setup_small, PLAIN, NULL, NULL, MN_EXIT_NORMAL},
    {"blk_portio", setup_small, PLAIN, "test/blk_nocaps", "inb", MN_EXIT_FAULT},
    {"blk_kill", setup_blk_kill, NEEDS_BLK, NULL, NULL, MN_EXIT_NORMAL},
    {"wasm_wasi", setup_wasm, PLAIN, NULL, NULL, MN_EXIT_NORMAL},
    {"wasm_limits", setup_wasm, PLAIN, NULL, NULL, MN_EXIT_NORMAL},
    {"wasm_many", setup_wasm, PLAIN, NULL, NULL, MN_EXIT_NORMAL},
    {"wasm_spec", setup_wasm, PLAIN, NULL, NULL, MN_EXIT_NORMAL},
};

/* Is `name` one of the comma-separated words of `sel` (or is sel "all")? */
static bool selected(const char *sel, const char *name)
{
    if (strcmp(sel, "all") == 0)
        return true;
    size_t n = strlen(name);
    for (const char *p = sel; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0)
            return true;
        p += len + (e ? 1 : 0);
    }
    return false;
}

static uint64_t free_frames(void)
{
    uint64_t f = 0, h = 0;
    mn_kernel_mem_stats(&f, &h);
    return f;
}

/* Runs one test; returns 1 passed, 0 failed, -1 skipped (it needs a device this machine lacks). */
static int run_one(const struct utest *t)
{
    struct caps c = {.n = 0, .nmade = 0};
    char path[64];
    if (t->program)
        snprintf(path, sizeof path, "%s", t->program);
    else
        snprintf(path, sizeof path, "test/%s", t->name);
    if ((t->flags & NEEDS_BLK) && nblkdevs == 0) {
        printf("utest: SKIP %s: no virtio-blk device\n", t->name);
        return -1;
    }
    if ((t->flags & NEEDS_PCI) && !have_pci()) {
        printf("utest: SKIP %s: no PCI on this machine\n", t->name);
        return -1;
    }
    uint64_t frames_before = free_frames();
    bool ok = false;
    if (!t->setup(&c)) {
        printf("utest: FAIL %s: init could not make its capabilities\n", t->name);
    } else {
        struct mn_child child;
        const char *argv[] = {path, t->arg};
        int r = mn_spawn(path, argv, t->arg ? 2 : 1, c.list, c.n, MN_SPAWN_GIVE_SELF, &child);
        int64_t status = 0;
        int reason = 0;
        if (r == MN_ERR_OK)
            r = mn_wait(&child, &status, &reason);
        if (r != MN_ERR_OK)
            printf("utest: FAIL %s: %s\n", t->name, mn_error_name(r));
        else if (reason != t->expect_reason || (reason == MN_EXIT_NORMAL && status != 0))
            printf("utest: FAIL %s: status %ld, reason %d (expected reason %d)\n", t->name, (long)status, reason,
                   t->expect_reason);
        else
            ok = true;
        if (r == MN_ERR_OK)
            mn_release(&child);
    }
    for (int i = 0; i < c.nmade; i++) {
        mn_sys_DROP_CAP(c.made[i]);
        mn_slot_free(c.made[i]);
    }
    if (ok && (t->flags & COUNT_FRAMES)) {
        uint64_t after = free_frames();
        printf("utest: %s: kernel free frames %lu before, %lu after\n", t->name, (unsigned long)frames_before,
               (unsigned long)after);
        if (after != frames_before) {
            printf("utest: FAIL %s: %ld frames not returned\n", t->name, (long)(frames_before - after));
            ok = false;
        }
    }
    if (ok)
        printf("utest: PASS %s\n", t->name);
    return ok ? 1 : 0;
}

/*
 * init's own capabilities (kernel/loader/init.h): what its startup page
 * names is there with that type, the roadmap's slots hold what they should,
 * and every PCI function came with its capabilities.
 */
static bool check_init_caps(void)
{
    const struct mn_startup *st = mn_startup_info();
    int pci = 0;
    for (uint32_t i = 0; i < st->ncaps; i++) {
        int64_t v = mn_sys_INSPECT(st->caps[i].slot);
        if (v < 0 || MN_INSPECT_TYPE(v) != st->caps[i].type) {
            printf("utest: FAIL init-caps: slot %u (%s) holds %ld\n", st->caps[i].slot, st->caps[i].name, (long)v);
            return false;
        }
        pci += st->caps[i].type == MN_CAP_PCI_DEVICE;
    }
    static const struct {
        uint32_t slot, type;
    } roadmap[] = {{1, MN_CAP_PMM_ALLOCATOR},
                   {2, MN_CAP_IO_PORT},
                   {3, MN_CAP_PROCESS},
                   {5, MN_CAP_IRQ_LINE},
                   {6, MN_CAP_MMIO_REGION}};
    for (size_t i = 0; i < sizeof roadmap / sizeof roadmap[0]; i++) {
        if (MN_INSPECT_TYPE(mn_sys_INSPECT(roadmap[i].slot)) != roadmap[i].type) {
            printf("utest: FAIL init-caps: slot %u is not a %s\n", roadmap[i].slot, mn_cap_type_name(roadmap[i].type));
            return false;
        }
    }
    uint32_t blk = mn_cap("blk-io");
    if (blk && blk != 4) {
        printf("utest: FAIL init-caps: the virtio-blk port is in slot %u, not 4\n", blk);
        return false;
    }
    printf("init: %u capabilities, %d PCI functions, virtio-blk port %s\n", st->ncaps, pci,
           blk ? "in slot 4" : "absent");
    printf("utest: PASS init-caps\n");
    return true;
}

int init_run_tests(const char *selection)
{
    int passed = 0, failed = 0;
    if (selected(selection, "init-caps")) {
        if (check_init_caps())
            passed++;
        else
            failed++;
    }
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        if (!selected(selection, tests[i].name))
            continue;
        int r = run_one(&tests[i]);
        passed += r == 1;
        failed += r == 0;
    }
    if (selected(selection, "wasm_bridge")) /* in init itself: it needs init's COM1 (hypervisor.c) */
        hv_self_test() ? passed++ : failed++;
    printf("utest: done: %d passed, %d failed\n", passed, failed);
    uint32_t port = mn_cap("debug-exit");
    if (port)
        mn_sys_PORT_OUT(port, DEBUG_EXIT_PORT, failed || !passed ? QEMU_FAIL : QEMU_PASS, 4);
    return failed ? 1 : 0;
}
