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

static const struct utest {
    const char *name;
    bool (*setup)(struct caps *c);
} tests[] = {
    {"hello", setup_small},    {"memory", setup_small},   {"malloc", setup_malloc},  {"delegation", setup_delegation},
    {"echo", setup_echo},      {"leaks", setup_leaks},    {"wasm_wasi", setup_wasm}, {"wasm_limits", setup_wasm},
    {"wasm_many", setup_wasm}, {"wasm_spec", setup_wasm},
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

static bool run_one(const struct utest *t)
{
    struct caps c = {.n = 0, .nmade = 0};
    char path[64];
    snprintf(path, sizeof path, "test/%s", t->name);
    bool ok = false;
    if (!t->setup(&c)) {
        printf("utest: FAIL %s: init could not make its capabilities\n", t->name);
    } else {
        struct mn_child child;
        int r = mn_spawn(path, NULL, 0, c.list, c.n, MN_SPAWN_GIVE_SELF, &child);
        int64_t status = 0;
        int reason = 0;
        if (r == MN_ERR_OK)
            r = mn_wait(&child, &status, &reason);
        if (r != MN_ERR_OK)
            printf("utest: FAIL %s: %s\n", t->name, mn_error_name(r));
        else if (status != 0 || reason != MN_EXIT_NORMAL)
            printf("utest: FAIL %s: status %ld, reason %d\n", t->name, (long)status, reason);
        else
            ok = true;
        if (ok)
            printf("utest: PASS %s\n", t->name);
        if (r == MN_ERR_OK)
            mn_release(&child);
    }
    for (int i = 0; i < c.nmade; i++) {
        mn_sys_DROP_CAP(c.made[i]);
        mn_slot_free(c.made[i]);
    }
    return ok;
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
        if (run_one(&tests[i]))
            passed++;
        else
            failed++;
    }
    if (selected(selection, "wasm_bridge")) /* in init itself: it needs init's COM1 (hypervisor.c) */
        hv_self_test() ? passed++ : failed++;
    printf("utest: done: %d passed, %d failed\n", passed, failed);
    uint32_t port = mn_cap("debug-exit");
    if (port)
        mn_sys_PORT_OUT(port, DEBUG_EXIT_PORT, failed || !passed ? QEMU_FAIL : QEMU_PASS, 4);
    return failed ? 1 : 0;
}
